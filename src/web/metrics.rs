//! The recorder behind `/metrics` (`root::metrics`, which reads the rest at scrape time):
//! requests are counted as they pass, by route template, method and status, and timed in a
//! histogram, cache hits included. The recording is the `metrics` crate's, rendered by
//! `metrics-exporter-prometheus`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const REQUESTS: &str = "newsdesk_http_requests_total";
const DURATION: &str = "newsdesk_http_request_duration_seconds";
/// From half a millisecond (a cached page) to the request timeout's range.
const DURATION_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The template of the route that answered (`/news/{slug}`): requests are counted by it, never
/// by their path, so a crawler walking random addresses adds no series. With it, whether the
/// route is a page readers read (`analytics::COUNTED_ROUTES`), worked out once per render
/// rather than once per view.
#[derive(Debug, Clone)]
pub struct RouteLabel {
    pub template: Arc<str>,
    pub read: bool,
}

/// The recorder of this process, installed on first use. Its histograms keep their samples
/// until [`upkeep`] or a scrape folds them into the buckets.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.into()), DURATION_BUCKETS)
            .expect("the duration buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics stays empty");
        }
        describe();
        handle
    })
}

/// The help line of every metric.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(REQUESTS, "Requests answered, by route template, method and status.");
    describe_histogram!(DURATION, Unit::Seconds, "Time from a request's arrival to its answer's headers, by route.");
    describe_gauge!("newsdesk_page_cache_bytes", Unit::Bytes, "Memory held by pages in the page cache.");
    describe_gauge!("newsdesk_page_cache_limit_bytes", Unit::Bytes, "The page cache's configured size.");
    describe_gauge!("newsdesk_page_cache_entries", "Pages in the page cache.");
    describe_counter!("newsdesk_page_cache_hits_total", "Requests answered from the page cache.");
    describe_counter!("newsdesk_page_cache_misses_total", "Cacheable requests rendered because the cache had no page.");
    describe_gauge!("newsdesk_db_pool_connections", "Open database connections, idle or busy.");
    describe_gauge!("newsdesk_db_pool_max_connections", "The most database connections the pool opens.");
    describe_gauge!("newsdesk_queue_jobs", "Background jobs waiting, by kind: all pending, and those due now.");
    describe_gauge!("newsdesk_mail_outbox_messages", "Mail waiting in the outbox: all queued, and those due now.");
    describe_counter!("newsdesk_mail_sent_total", "Mail messages the mail server accepted.");
    describe_counter!(
        "newsdesk_mail_failed_total",
        "Mail sends that failed: delayed (tried again later), refused (given up) or unavailable (server down)."
    );
    describe_gauge!("newsdesk_changes_lag_entries", "Change-log entries this node has not applied yet.");
    describe_gauge!(
        "newsdesk_changes_lag_seconds",
        Unit::Seconds,
        "Age of the oldest change-log entry this node has not applied."
    );
    describe_gauge!("process_resident_memory_bytes", Unit::Bytes, "Resident memory of the process.");
}

/// Folds recorded samples into the histograms every few seconds, so memory does not grow with
/// the requests between scrapes (or without any). Stops with `stop`.
pub async fn upkeep(mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tick.tick() => handle().run_upkeep(),
            _ = stop.changed() => return,
        }
    }
}

/// A route layer: leaves the matched route's template on the response for [`observe`] and the
/// page cache.
pub async fn label_route(matched: MatchedPath, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let template = matched.as_str();
    let read = crate::analytics::COUNTED_ROUTES.contains(&template);
    response.extensions_mut().insert(RouteLabel { template: Arc::from(template), read });
    response
}

/// Counts and times one answered request.
pub fn observe(method: &Method, route: Option<&RouteLabel>, status: StatusCode, elapsed: Duration) {
    let method = match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        _ => "other",
    };
    // Requests no route took (404s of unknown addresses) share one series.
    let route = match route {
        Some(RouteLabel { template, .. }) => template,
        None => unmatched(),
    };
    let key = (route.clone(), method, status.as_u16());
    if let Some((requests, duration)) = series().read().get(&key) {
        requests.increment(1);
        duration.record(elapsed.as_secs_f64());
        return;
    }
    let route: metrics::SharedString = key.0.clone().into();
    let requests =
        metrics::counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => key.2.to_string());
    let duration = metrics::histogram!(DURATION, "route" => route);
    requests.increment(1);
    duration.record(elapsed.as_secs_f64());
    series().write().insert(key, (requests, duration));
}

/// The route label of requests no route took.
fn unmatched() -> &'static Arc<str> {
    static UNMATCHED: OnceLock<Arc<str>> = OnceLock::new();
    UNMATCHED.get_or_init(|| Arc::from("unmatched"))
}

/// The request counter and duration histogram of every (route, method, status) seen so far:
/// a request is counted with one look-up here, not by building and hashing its labels for the
/// recorder twice. Bounded as the labels are: routes are templates, statuses few.
type Series = HashMap<(Arc<str>, &'static str, u16), (metrics::Counter, metrics::Histogram)>;

fn series() -> &'static parking_lot::RwLock<Series> {
    static SERIES: OnceLock<parking_lot::RwLock<Series>> = OnceLock::new();
    SERIES.get_or_init(Default::default)
}
