//! What a request says about its sender: the client's IP address and whether a form was posted
//! from this site.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::error::AppError;
use crate::app::App;

/// The client's address: the TCP peer, or with `server.trust_forwarded_for` the last address of
/// `X-Forwarded-For`, the one the reverse proxy in front of us added (earlier entries come from
/// the client and can say anything).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<Arc<App>> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<ClientIp, Self::Rejection> {
        if app.config().server.trust_forwarded_for
            && let Some(ip) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(ClientIp(Some(ip)));
        }
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

/// Whether a state-changing request came from a page of this site: its `Origin` (or, lacking
/// one, its `Referer`) names the host the request was sent to or the configured base URL.
pub fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let matches = |origin: &str| {
        let origin = origin.trim_end_matches('/');
        origin == base_url.trim_end_matches('/')
            || host.is_some_and(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
    };
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin != "null" && matches(origin);
    }
    headers.get(header::REFERER).and_then(|v| v.to_str().ok()).is_some_and(|referer| {
        let after_scheme = referer.find("://").map(|i| i + 3).unwrap_or(0);
        let end = referer[after_scheme..].find('/').map(|i| i + after_scheme).unwrap_or(referer.len());
        matches(&referer[..end])
    })
}

/// An `application/x-www-form-urlencoded` body, with repeated keys kept (for bulk actions).
/// Bodies that are not UTF-8 are refused with 400.
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn parse(body: &[u8]) -> Result<FormData, AppError> {
        std::str::from_utf8(body).map_err(|_| AppError::BadRequest("form_not_utf8"))?;
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        // Percent-escapes can smuggle bytes that are not UTF-8; form_urlencoded replaces them
        // with U+FFFD, which we refuse rather than store.
        if pairs.iter().any(|(k, v)| k.contains('\u{fffd}') || v.contains('\u{fffd}')) {
            return Err(AppError::BadRequest("form_not_utf8"));
        }
        Ok(FormData(pairs))
    }
}

impl FromRequest<Arc<App>> for FormData {
    type Rejection = AppError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<FormData, AppError> {
        let limit = app.config().server.max_body_bytes;
        let bytes = axum::body::to_bytes(request.into_body(), limit).await.map_err(|_| AppError::PayloadTooLarge)?;
        FormData::parse(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn origin_checks() {
        let base = "https://news.example";
        assert!(same_origin(&headers(&[("origin", "https://news.example")]), base));
        assert!(same_origin(&headers(&[("origin", "http://localhost:8080"), ("host", "localhost:8080")]), base));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example"), ("host", "news.example")]), base));
        assert!(!same_origin(&headers(&[("origin", "null")]), base));
        assert!(same_origin(&headers(&[("referer", "https://news.example/news/a")]), base));
        assert!(!same_origin(&headers(&[("referer", "https://news.example.evil/x")]), base));
        assert!(!same_origin(&headers(&[]), base), "neither header: refused");
    }

    #[test]
    fn forms_keep_repeated_keys_and_refuse_bad_bytes() {
        let form = FormData::parse(b"ids=1&ids=2&action=approve&name=J%C3%BCrgen").unwrap();
        assert_eq!(form.all("ids").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(form.get("name"), Some("Jürgen"));
        assert!(FormData::parse(b"name=%FF%FE").is_err());
        assert!(FormData::parse(&[b'a', b'=', 0xff]).is_err());
    }
}
