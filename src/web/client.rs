//! What a request says about its sender: the client's IP address and whether a form was posted
//! from this site.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::error::AppError;
use crate::app::App;
use crate::config::ServerConfig;

/// The client's address: the TCP peer, or with `server.trust_forwarded_for` the address the
/// proxies in front of us recorded in `X-Forwarded-For` (see [`client_address`]).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<Arc<App>> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<ClientIp, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(client_address(&parts.headers, peer, &app.config().server)))
    }
}

/// Who sent a request. Each proxy appends the address it was connected from to
/// `X-Forwarded-For`, so the entries on the right were written by proxies we trust and those
/// further left by whoever came before them, the client included, who can write anything. Walking
/// from the right past our own proxies, the first address outside them is the client's.
///
/// With no `trusted_proxies` listed, the peer is taken to be the one proxy and its entry (the
/// last) is the client's. With a list, a peer outside it reached us around the proxies and its
/// header is ignored. An entry that is no address ends the walk at the hop to its right.
pub fn client_address(headers: &HeaderMap, peer: Option<IpAddr>, server: &ServerConfig) -> Option<IpAddr> {
    let peer = peer.map(|ip| ip.to_canonical());
    if !server.trust_forwarded_for {
        return peer;
    }
    let trusted = |ip: IpAddr| server.trusted_proxies.iter().any(|net| net.contains(ip));
    if !server.trusted_proxies.is_empty() && !peer.is_some_and(trusted) {
        return peer;
    }
    // Several headers count as one list, in order (RFC 9110, section 5.3).
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            return nearest;
        };
        if server.trusted_proxies.is_empty() || !trusted(ip) {
            return Some(ip);
        }
        nearest = Some(ip);
    }
    // Every entry was one of our proxies: the left-most is as close to the client as we know.
    nearest
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

/// `?done=saved` (or `deleted`, `withdrawn`) on an admin list after a change: what its notice
/// says. Anything else says nothing.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    /// The notice's message key, `{prefix}-notice-{what}`.
    pub fn notice_key(&self, prefix: &str) -> Option<String> {
        match self.done.as_deref() {
            Some(what @ ("saved" | "deleted" | "withdrawn" | "revoked" | "sent" | "rolled" | "changed" | "resent")) => {
                Some(format!("{prefix}-notice-{what}"))
            }
            _ => None,
        }
    }
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
        // No text a form carries may hold U+0000: PostgreSQL cannot store it, and no reader or
        // editor types it. Refused here once, for every form.
        if pairs.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(AppError::BadRequest("form_nul"));
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

/// A file sent with a form.
#[derive(Debug, Clone, Default)]
pub struct UploadedFile {
    pub file_name: String,
    pub bytes: axum::body::Bytes,
}

/// A form that may carry one file: `multipart/form-data` (text fields as in [`FormData`], the
/// file of the field `file_field`), or a plain urlencoded form without one. For forms that
/// work without a file too, such as the article editor with its lead-image upload.
#[derive(Debug, Clone, Default)]
pub struct FormWithFile {
    pub form: FormData,
    pub file: Option<UploadedFile>,
}

impl FormWithFile {
    /// The file field read from multipart forms.
    pub const FILE_FIELD: &'static str = "upload";

    async fn from_multipart(mut multipart: axum::extract::Multipart) -> Result<FormWithFile, AppError> {
        let mut pairs = Vec::new();
        let mut file = None;
        let bad = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("bad_multipart")
            }
        };
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == Self::FILE_FIELD {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    file = Some(UploadedFile { file_name, bytes });
                }
                continue;
            }
            let value = field.text().await.map_err(bad)?;
            if value.contains('\0') || name.contains('\0') {
                return Err(AppError::BadRequest("form_nul"));
            }
            pairs.push((name, value));
        }
        Ok(FormWithFile { form: FormData(pairs), file })
    }
}

impl FromRequest<Arc<App>> for FormWithFile {
    type Rejection = AppError;

    async fn from_request(request: Request, app: &Arc<App>) -> Result<FormWithFile, AppError> {
        let multipart = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let multipart = axum::extract::Multipart::from_request(request, app)
                .await
                .map_err(|_| AppError::BadRequest("not_multipart"))?;
            return FormWithFile::from_multipart(multipart).await;
        }
        Ok(FormWithFile { form: FormData::from_request(request, app).await?, file: None })
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
    fn client_is_the_right_most_address_outside_the_trusted_proxies() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let server = |trust: bool, proxies: &[&str]| ServerConfig {
            trust_forwarded_for: trust,
            trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
            ..ServerConfig::default()
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let forwarded = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 172.16.0.5, 10.0.0.7")]);
        let address = |server: &ServerConfig, headers: &HeaderMap| client_address(headers, Some(peer), server);

        assert_eq!(address(&server(false, &[]), &forwarded), ip("10.0.0.2"), "not trusted: the peer");
        assert_eq!(address(&server(true, &[]), &forwarded), ip("10.0.0.7"), "one proxy: the last entry");
        let chain = server(true, &["10.0.0.0/8", "172.16.0.0/12"]);
        assert_eq!(address(&chain, &forwarded), ip("203.0.113.9"), "past both proxies, not the forged entry");
        assert_eq!(
            client_address(&forwarded, ip("198.51.100.1"), &chain),
            ip("198.51.100.1"),
            "a peer outside the proxies is taken at its word for nothing"
        );
        assert_eq!(address(&chain, &headers(&[])), ip("10.0.0.2"), "no header: the peer");
        let all_ours = headers(&[("x-forwarded-for", "172.16.0.9, 10.0.0.7")]);
        assert_eq!(address(&chain, &all_ours), ip("172.16.0.9"));
        let garbage = headers(&[("x-forwarded-for", "203.0.113.9, unknown, 10.0.0.7")]);
        assert_eq!(address(&chain, &garbage), ip("10.0.0.7"), "no address: the hop that wrote it");
        let mut split = HeaderMap::new();
        split.append("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        split.append("x-forwarded-for", HeaderValue::from_static("172.16.0.5"));
        assert_eq!(address(&chain, &split), ip("203.0.113.9"), "several headers are one list");
        let v6 = server(true, &["2001:db8::/32"]);
        let mapped = headers(&[("x-forwarded-for", "::ffff:192.0.2.1, 2001:db8::1")]);
        assert_eq!(client_address(&mapped, ip("2001:db8::2"), &v6), ip("192.0.2.1"), "IPv4 mapped into IPv6");
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
