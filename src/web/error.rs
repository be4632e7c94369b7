//! The error policy of the web layer.
//!
//! Handlers return [`AppError`]. A client error carries a stable snake_case code and is logged at
//! debug level; an internal error is logged once, here, with its whole cause chain, and the
//! reader sees only an opaque 500 page. The pages themselves are rendered by the site's error
//! page middleware (`root::site`), which also dresses up the plain-text errors of axum's
//! extractors (a bad path segment, a body over the limit) in the site's design.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error(transparent)]
    Internal(anyhow::Error),
    /// The database cannot serve (restarting, unreachable, disk full or read-only): 503, try
    /// again shortly.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if storage_unavailable(&e) {
            AppError::Unavailable(e.to_string())
        } else {
            AppError::Internal(anyhow::Error::new(e).context("database query failed"))
        }
    }
}

impl From<anyhow::Error> for AppError {
    /// Work written with `anyhow` keeps its database error in the chain: a full disk there is
    /// still a 503, not a 500.
    fn from(e: anyhow::Error) -> Self {
        match e.chain().find_map(|cause| cause.downcast_ref::<sqlx::Error>()) {
            Some(db) if storage_unavailable(db) => AppError::Unavailable(format!("{e:#}")),
            _ => AppError::Internal(e),
        }
    }
}

/// Whether a database error means the storage cannot serve for now, not that the request or
/// the code is wrong: the server is unreachable, restarting or out of resources, or the disk
/// is full or read-only. Such errors answer 503 with `Retry-After`; nothing was written.
pub fn storage_unavailable(e: &sqlx::Error) -> bool {
    match e {
        // PostgreSQL going away shows as a timeout waiting for a connection or a broken socket.
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => {
            let Some(code) = db.code() else { return false };
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite's extended result codes carry the primary code in the low byte.
                let extended = code.parse::<i32>().unwrap_or(0);
                // BUSY (after the busy timeout), READONLY, IOERR, FULL, CANTOPEN; but not
                // BUSY_SNAPSHOT (517), a transaction that read before it wrote: a bug to fix.
                extended != 517 && matches!(extended & 0xff, 5 | 8 | 10 | 13 | 14)
            } else {
                // PostgreSQL: class 08 (connection), 53 (insufficient resources, disk full
                // among them), 57 (operator intervention, shutting down), 25006 (read-only
                // transaction, a standby).
                code.starts_with("08") || code.starts_with("53") || code.starts_with("57") || code == "25006"
            }
        }
        _ => false,
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Internal(anyhow::anyhow!("template rendering failed: {e:#}"))
    }
}

/// Marks a response whose body the error-page middleware replaces with the designed page.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage;

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::BadRequest(code) => code,
            AppError::Forbidden => "forbidden",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::Internal(_) => "internal",
            AppError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "request failed"),
            AppError::Unavailable(e) => tracing::warn!(error = e, "request failed: database unavailable"),
            other => tracing::debug!(code = other.code(), "client error"),
        }
        let mut response = (self.status(), self.code()).into_response();
        if matches!(self, AppError::Unavailable(_)) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        response.extensions_mut().insert(ErrorPage);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{ConnectOptions as _, Connection as _};

    /// Real errors from a real SQLite file: read-only is the storage's state (503), a wrong
    /// query is a bug (500).
    #[tokio::test]
    async fn a_read_only_database_is_unavailable_and_a_bad_query_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let url = format!("sqlite://{}", path.display());
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let mut conn = options.create_if_missing(true).connect().await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (x INTEGER)").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();

        let mut read_only = sqlx::SqliteConnection::connect(&format!("{url}?mode=ro")).await.unwrap();
        let write = sqlx::raw_sql("INSERT INTO t VALUES (1)").execute(&mut read_only).await.unwrap_err();
        assert!(storage_unavailable(&write), "{write}");
        assert_eq!(AppError::from(write).status(), StatusCode::SERVICE_UNAVAILABLE);
        let typo = sqlx::raw_sql("SELEKT 1").execute(&mut read_only).await.unwrap_err();
        assert!(!storage_unavailable(&typo), "{typo}");
        let wrapped = anyhow::Error::new(typo).context("saving");
        assert_eq!(AppError::from(wrapped).status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(storage_unavailable(&sqlx::Error::PoolTimedOut));
    }
}
