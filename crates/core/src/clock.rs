//! Time: the clock the application runs on, and the date formats of HTTP.

use std::sync::atomic::{AtomicI64, Ordering};

/// The time the application runs on. Tests move it forward to let scheduled articles go live,
/// and stop it where seconds that pass between two requests would change what they check.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
    /// The time it stands still at, moved only by [`Clock::advance`]; 0: it runs.
    frozen_at: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> i64 {
        match self.frozen_at.load(Ordering::Relaxed) {
            0 => crate::db::now() + self.offset_secs.load(Ordering::Relaxed),
            frozen => frozen,
        }
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
        let _ = self.frozen_at.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| (t != 0).then_some(t + secs));
    }

    /// Stops the clock at the time it shows now; only [`Clock::advance`] moves it from then on.
    pub fn freeze(&self) {
        self.frozen_at.store(self.now(), Ordering::Relaxed);
    }
}

/// A Unix time as an HTTP date: `Tue, 03 Nov 2026 08:15:00 GMT`.
pub fn http_date(ts: i64) -> String {
    jiff::Timestamp::from_second(ts)
        .ok()
        .and_then(|t| jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&t).ok())
        .unwrap_or_default()
}

/// Parses an HTTP date; anything else (garbage included) is `None`.
pub fn parse_http_date(value: &str) -> Option<i64> {
    jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(value.trim()).ok().map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        assert_eq!(http_date(1_793_693_700), "Tue, 03 Nov 2026 08:15:00 GMT");
        assert_eq!(parse_http_date("Tue, 03 Nov 2026 08:15:00 GMT"), Some(1_793_693_700));
        assert_eq!(parse_http_date("gestern"), None);
        assert_eq!(parse_http_date(""), None);
    }
}
