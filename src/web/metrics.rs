//! `/metrics`: what the process is doing, in Prometheus's text format, for the operator's own
//! Prometheus to scrape.
//!
//! Requests are counted as they pass (by route template, method and status, and timed in a
//! histogram), cache hits included; everything else is read when the page is asked for: the
//! page cache's counters, the database pool, the work queue and the mail outbox, and how far
//! this node is behind the change log. The recording is the `metrics` crate's, rendered by
//! `metrics-exporter-prometheus`. Only addresses in `server.metrics_allowed` (loopback by
//! default) may read it.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::client::client_address;
use super::error::AppError;
use crate::app::App;

const REQUESTS: &str = "newsdesk_http_requests_total";
const DURATION: &str = "newsdesk_http_request_duration_seconds";
/// From half a millisecond (a cached page) to the request timeout's range.
const DURATION_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The template of the route that answered (`/news/{slug}`): requests are counted by it, never
/// by their path, so a crawler walking random addresses adds no series.
#[derive(Debug, Clone)]
pub struct RouteLabel(pub Arc<str>);

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
    response.extensions_mut().insert(RouteLabel(Arc::from(matched.as_str())));
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
    let route: metrics::SharedString = match route {
        Some(RouteLabel(template)) => template.clone().into(),
        None => "unmatched".into(),
    };
    let status = status.as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!(DURATION, "route" => route).record(elapsed.as_secs_f64());
}

/// `GET /metrics`.
pub async fn scrape(State(app): State<Arc<App>>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if !allowed(&app, request.headers(), peer) {
        return AppError::Forbidden.into_response();
    }
    gather(&app).await;
    let text = handle().render();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response()
}

/// Whether the sender may read the metrics: its address (through trusted proxies, as everywhere)
/// lies in `server.metrics_allowed`. A request that a proxy forwarded, when the config does not
/// say to trust proxies, is refused: its peer is the proxy, which may well be on loopback.
fn allowed(app: &App, headers: &HeaderMap, peer: Option<IpAddr>) -> bool {
    let server = &app.config().server;
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    if forwarded && !server.trust_forwarded_for {
        return false;
    }
    client_address(headers, peer, server).is_some_and(|ip| server.metrics_allowed.iter().any(|net| net.contains(ip)))
}

/// Sets the gauges read at scrape time. A part that cannot be read is logged and left at its
/// last value; the rest is still sent.
async fn gather(app: &App) {
    let cache = app.page_cache.stats();
    metrics::gauge!("newsdesk_page_cache_bytes").set(cache.bytes as f64);
    metrics::gauge!("newsdesk_page_cache_limit_bytes").set(app.page_cache.limit_bytes() as f64);
    metrics::gauge!("newsdesk_page_cache_entries").set(cache.entries as f64);
    metrics::counter!("newsdesk_page_cache_hits_total").absolute(cache.hits);
    metrics::counter!("newsdesk_page_cache_misses_total").absolute(cache.misses);

    let pool = &app.db.pool;
    let (size, idle) = (pool.size() as f64, pool.num_idle() as f64);
    metrics::gauge!("newsdesk_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("newsdesk_db_pool_connections", "state" => "busy").set((size - idle).max(0.0));
    metrics::gauge!("newsdesk_db_pool_max_connections").set(f64::from(pool.options().get_max_connections()));

    let now = app.now();
    match crate::queue::pending_by_kind(&app.db, now).await {
        Ok(pending) => {
            // Every kind, so one that emptied reads 0 rather than its last count.
            for kind in app.jobs.kinds() {
                let (waiting, due) = pending.get(kind).copied().unwrap_or((0, 0));
                metrics::gauge!("newsdesk_queue_jobs", "kind" => kind, "state" => "pending").set(waiting as f64);
                metrics::gauge!("newsdesk_queue_jobs", "kind" => kind, "state" => "due").set(due as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: the queue is not readable"),
    }
    match crate::email::outbox::backlog(&app.db, now).await {
        Ok((queued, due)) => {
            metrics::gauge!("newsdesk_mail_outbox_messages", "state" => "queued").set(queued as f64);
            metrics::gauge!("newsdesk_mail_outbox_messages", "state" => "due").set(due as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: the outbox is not readable"),
    }
    // A follower busy applying changes is not waited for: the lag keeps its last value.
    if let Ok(follower) = app.changes.try_lock() {
        let applied = follower.position();
        drop(follower);
        match crate::follower::lag(&app.db, applied, now).await {
            Ok(lag) => {
                metrics::gauge!("newsdesk_changes_lag_entries").set(lag.entries as f64);
                metrics::gauge!("newsdesk_changes_lag_seconds").set(lag.seconds as f64);
            }
            Err(e) => tracing::warn!(error = %e, "metrics: the change log is not readable"),
        }
    }
    if let Some(bytes) = resident_bytes() {
        metrics::gauge!("process_resident_memory_bytes").set(bytes as f64);
    }
}

/// The process's resident memory (Linux: `VmRSS` of `/proc/self/status`).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
