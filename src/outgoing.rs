//! The one way the site talks to other hosts: WebSub and IndexNow pings, the partner job
//! feed, pictures an import fetches from an old site.
//!
//! Every request has a time limit; a body is read up to a size limit and no further; and
//! unless the operator allows it (`[outgoing] allow_private_addresses`), no request reaches a
//! loopback, private or link-local address: not by an address in the URL, not by a name that
//! resolves to one, not through a redirect. The URLs come from configuration and from files
//! other people wrote (an export's picture addresses), so without this a single line in an
//! export could make the server probe its own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::config::{IpNet, OutgoingConfig};

/// Redirects followed per request; each is checked like the first address.
const MAX_REDIRECTS: usize = 5;

/// Why a request was not made or not finished.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("not an http or https URL")]
    BadUrl,
    #[error("{0} is a loopback, private or link-local address, which outgoing requests may not reach")]
    Private(String),
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("answered {0}")]
    Status(reqwest::StatusCode),
    #[error("larger than {0} bytes")]
    TooLarge(u64),
}

/// A body read in full.
#[derive(Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
}

/// The HTTP client with the checks above.
#[derive(Debug, Clone)]
pub struct Outgoing {
    client: reqwest::Client,
    allowed: Allowed,
}

/// Which addresses requests may reach besides public ones.
#[derive(Debug, Clone)]
struct Allowed {
    any_private: bool,
    networks: Arc<Vec<IpNet>>,
}

impl Allowed {
    fn reaches(&self, ip: IpAddr) -> bool {
        self.any_private || is_public(ip) || self.networks.iter().any(|n| n.contains(ip))
    }
}

impl Outgoing {
    pub fn new(config: &OutgoingConfig) -> anyhow::Result<Outgoing> {
        // rustls needs one process-wide crypto provider; ring is the one sqlx uses too.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let allowed = Allowed {
            any_private: config.allow_private_addresses,
            networks: Arc::new(config.allowed_networks.clone()),
        };
        let policy = allowed.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match checked_literal(attempt.url(), &policy) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(concat!("Newsdesk/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(config.timeout_secs.clamp(1, 10)))
            .redirect(redirects)
            .dns_resolver(Arc::new(Resolver { allowed: allowed.clone() }))
            .build()?;
        Ok(Outgoing { client, allowed })
    }

    /// A request to `url`, once its address passed the checks; the resolver and the redirect
    /// policy check what follows.
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder, FetchError> {
        let url = reqwest::Url::parse(url.trim()).map_err(|_| FetchError::BadUrl)?;
        checked_literal(&url, &self.allowed)?;
        Ok(self.client.request(method, url))
    }

    /// Checks, without a request, that `url` may be reached: an http(s) URL whose host is, or
    /// resolves only to, addresses requests may reach. For addresses given now to be used later
    /// (a webhook's), so that the one who types it hears at once; each request checks again.
    pub async fn check(&self, url: &str) -> Result<(), FetchError> {
        let url = reqwest::Url::parse(url.trim()).map_err(|_| FetchError::BadUrl)?;
        checked_literal(&url, &self.allowed)?;
        let host = url.host_str().ok_or(FetchError::BadUrl)?;
        if host.starts_with('[') || host.parse::<IpAddr>().is_ok() {
            return Ok(());
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| FetchError::Unreachable(format!("{host}: {e}")))?
            .collect();
        match found.iter().find(|a| !self.allowed.reaches(a.ip())) {
            Some(_) => Err(FetchError::Private(host.to_string())),
            None if found.is_empty() => Err(FetchError::Unreachable(format!("{host} has no address"))),
            None => Ok(()),
        }
    }

    /// Reads `url` with GET, at most `max_bytes` of it; anything but a 2xx answer is an error.
    pub async fn get(&self, url: &str, max_bytes: u64) -> Result<Fetched, FetchError> {
        self.read(self.request(reqwest::Method::GET, url)?, max_bytes).await
    }

    /// Sends a request made by [`Outgoing::request`] and reads at most `max_bytes` of the
    /// answer; anything but a 2xx answer is an error.
    pub async fn read(&self, request: reqwest::RequestBuilder, max_bytes: u64) -> Result<Fetched, FetchError> {
        let mut response = request.send().await.map_err(|e| FetchError::Unreachable(describe(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status));
        }
        if response.content_length().is_some_and(|n| n > max_bytes) {
            return Err(FetchError::TooLarge(max_bytes));
        }
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| FetchError::Unreachable(describe(&e)))? {
            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                return Err(FetchError::TooLarge(max_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Fetched { bytes, content_type })
    }
}

/// The error with its causes: reqwest's own message alone says only "error sending request".
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// Refuses a URL that is not http(s), or whose host is an address that may not be reached.
/// Names are checked when they are resolved ([`Resolver`]): addresses in the URL never are.
fn checked_literal(url: &reqwest::Url, allowed: &Allowed) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::BadUrl);
    }
    let host = url.host_str().ok_or(FetchError::BadUrl)?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<IpAddr>() {
        Ok(ip) if !allowed.reaches(ip) => Err(FetchError::Private(host.to_string())),
        _ => Ok(()),
    }
}

/// Resolves names as the system does, and drops the addresses that may not be reached; a name
/// with none left fails to resolve.
struct Resolver {
    allowed: Allowed,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allowed.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> = found.iter().copied().filter(|a| allowed.reaches(a.ip())).collect();
            if usable.is_empty() && !found.is_empty() {
                return Err(Box::new(FetchError::Private(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (carrier-grade NAT), unspecified, broadcast, multicast or documentation space, and for IPv6
/// the same of an IPv4 address it carries.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // unique local fc00::/7, link-local fe80::/10, old site-local fec0::/10
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                // documentation 2001:db8::/32
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                // IPv4-compatible (deprecated) ::a.b.c.d
                || v6.segments()[..6] == [0; 6] && v6 != Ipv6Addr::UNSPECIFIED)
        }
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // shared address space 100.64.0.0/10
        || (a == 100 && (64..128).contains(&b))
        // reserved 240.0.0.0/4
        || a >= 240)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111", "::ffff:93.184.216.34"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_naming_private_addresses_are_refused_before_any_request() {
        let out = Outgoing::new(&OutgoingConfig::default()).unwrap();
        for url in ["http://127.0.0.1:9/x.jpg", "http://[::1]/a", "http://169.254.169.254/latest", "http://10.0.0.1/"] {
            assert!(matches!(out.request(reqwest::Method::GET, url), Err(FetchError::Private(_))), "{url}");
        }
        for url in ["ftp://example.com/a", "file:///etc/passwd", "kein url"] {
            assert!(matches!(out.request(reqwest::Method::GET, url), Err(FetchError::BadUrl)), "{url}");
        }
        let open = Outgoing::new(&OutgoingConfig { allow_private_addresses: true, ..Default::default() }).unwrap();
        assert!(open.request(reqwest::Method::GET, "http://127.0.0.1:9/x.jpg").is_ok());
        let loopback = OutgoingConfig { allowed_networks: vec!["127.0.0.0/8".parse().unwrap()], ..Default::default() };
        let loopback = Outgoing::new(&loopback).unwrap();
        assert!(loopback.request(reqwest::Method::GET, "http://127.0.0.1:9/x.jpg").is_ok());
        assert!(matches!(loopback.request(reqwest::Method::GET, "http://10.0.0.1/"), Err(FetchError::Private(_))));
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let out = Outgoing::new(&OutgoingConfig::default()).unwrap();
        let refused = out.get("http://localhost:9/x.jpg", 100).await.unwrap_err();
        assert!(refused.to_string().contains("private"), "{refused}");
        assert!(matches!(out.check("http://localhost:9/hook").await, Err(FetchError::Private(_))));
        assert!(matches!(out.check("http://[::1]/hook").await, Err(FetchError::Private(_))));
        let open = Outgoing::new(&OutgoingConfig { allow_private_addresses: true, ..Default::default() }).unwrap();
        assert!(open.check("http://localhost:9/hook").await.is_ok());
    }
}
