//! `/metrics`: what the node is doing, in Prometheus's text format, for the operator's own
//! Prometheus to scrape. Requests are counted as they pass (`web::metrics`); everything else is
//! read when the page is asked for: the page cache's counters, the database pool, the work queue
//! by job kind and the mail outbox, and how far this node is behind the change log. Only
//! addresses in `server.metrics_allowed` (loopback by default) may read it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::web::client::client_address;
use crate::web::error::AppError;
use crate::web::metrics::handle;

/// `GET /metrics`.
pub async fn scrape(State(app): State<Arc<App>>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if !allowed(&app, request.headers(), peer) {
        return AppError::Forbidden.into_response();
    }
    // The gauges are the process's: two scrapes at once (two Prometheus servers, or the tests'
    // several applications in one process) each render the values they set, not a mix.
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let text = {
        let _turn = ONE_AT_A_TIME.lock().await;
        gather(&app).await;
        handle().render()
    };
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
            for kind in crate::root::registry().kinds() {
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
