//! The HTTP server's own accept loop: what `axum::serve` cannot be told.
//!
//! - A header-read timeout (`server.header_timeout_secs`): a connection that has not sent a
//!   whole request header that long after it opened, or after its last answer, is closed. A
//!   slow client sending a header a byte at a time would otherwise hold a connection, and a
//!   file descriptor, for ever; a few hundred of them stopped the site for everyone.
//! - A cap on open connections per client address (`server.max_connections_per_client`),
//!   counted per IPv4 address or IPv6 /64, except for the proxies the site trusts.
//! - HTTP/1.1 only, so that the header timeout covers a connection from its first byte.
//! - Graceful shutdown: on the signal, listening stops, idle connections close, and requests in
//!   flight get the grace period to finish.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::config::ServerConfig;

/// Open connections per client, shared by the accept loop and the connections' guards.
#[derive(Debug, Default)]
struct ClientConnections {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// Held by a connection's task; gives its place back when the connection ends.
struct Slot {
    clients: Arc<ClientConnections>,
    client: Option<IpAddr>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(client) = self.client else { return };
        // A panic elsewhere while the map was held leaves counts that are still right.
        let mut open = self.clients.open.lock();
        if let Some(n) = open.get_mut(&client) {
            *n -= 1;
            if *n == 0 {
                open.remove(&client);
            }
        }
    }
}

impl ClientConnections {
    /// A slot for a new connection from `client`, or `None` when it holds `cap` already.
    fn take(self: &Arc<Self>, client: Option<IpAddr>, cap: usize) -> Option<Slot> {
        if let Some(client) = client {
            let mut open = self.open.lock();
            let n = open.entry(client).or_insert(0);
            if *n >= cap {
                return None;
            }
            *n += 1;
        }
        Some(Slot { clients: self.clone(), client })
    }
}

/// The key a client's connections are counted under: its IPv4 address, or its IPv6 /64 (one
/// subscriber usually holds a whole /64). `None`: not counted (a trusted proxy, or no cap). A
/// proxy in front must be declared (`trust_forwarded_for`), as for every per-client limit:
/// undeclared, all readers look like one client.
fn client_key(config: &ServerConfig, peer: IpAddr) -> Option<IpAddr> {
    let peer = peer.to_canonical();
    let trusted = config.trust_forwarded_for
        && (config.trusted_proxies.is_empty() || config.trusted_proxies.iter().any(|net| net.contains(peer)));
    if trusted || config.max_connections_per_client == 0 {
        return None;
    }
    Some(match peer {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
        }
        v4 => v4,
    })
}

/// Serves `router` on `listener` until `stop` turns true, then waits up to `grace` for the
/// connections in flight.
pub async fn run(
    router: Router,
    listener: TcpListener,
    config: ServerConfig,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) -> anyhow::Result<()> {
    let clients = Arc::new(ClientConnections::default());
    // HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a proxy or CDN in front ends, and
    // hyper's header timeout covers HTTP/1 alone. Serving HTTP/1 from the first byte (no sniffing
    // for an HTTP/2 preface, which has no timeout) puts every connection under it.
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(config.header_timeout_secs.max(1)));
    // Each connection's task holds a sender: when all are gone, every connection has ended.
    let (alive, mut all_done) = mpsc::channel::<()>(1);
    let mut refused_logged = HashMap::<IpAddr, i64>::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let key = client_key(&config, peer.ip());
        let Some(slot) = clients.take(key, config.max_connections_per_client) else {
            // Logged once a minute per client, not once per refused connection.
            let minute = crate::db::now() / 60;
            if let Some(client) = key
                && refused_logged.insert(client, minute) != Some(minute)
            {
                tracing::warn!(%client, cap = config.max_connections_per_client, "connections refused: too many open");
            }
            drop(stream);
            continue;
        };
        if refused_logged.len() > 10_000 {
            refused_logged.clear();
        }
        let _ = stream.set_nodelay(true);
        let service = ConnectionService { router: router.clone(), peer };
        let builder = builder.clone();
        let mut stop = stop.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _alive = alive;
            let connection =
                builder.serve_connection(TokioIo::new(stream), hyper_util::service::TowerToHyperService::new(service));
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                () = stopped(&mut stop) => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    drop(alive);
    if tokio::time::timeout(grace, all_done.recv()).await.is_err() {
        tracing::warn!("grace period over; closing remaining connections");
    }
    Ok(())
}

/// Resolves once the stop signal is given (its borrow of the channel ends before anything
/// else awaits).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// The router for one connection, which tells handlers the peer's address.
#[derive(Clone)]
struct ConnectionService {
    router: Router,
    peer: SocketAddr,
}

impl tower_service::Service<hyper::Request<Incoming>> for ConnectionService {
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = <Router as tower_service::Service<hyper::Request<Incoming>>>::Future;

    fn poll_ready(&mut self, _cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        // A router is always ready.
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: hyper::Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        self.router.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_client_and_given_back() {
        let clients = Arc::new(ClientConnections::default());
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        let held: Vec<Slot> = (0..3).map(|_| clients.take(a, 3).unwrap()).collect();
        assert!(clients.take(a, 3).is_none(), "a fourth connection is refused");
        assert!(clients.take(Some(IpAddr::from([192, 0, 2, 2])), 3).is_some(), "others are not affected");
        drop(held);
        assert!(clients.take(a, 3).is_some(), "closed connections give their places back");
        assert!(clients.open.lock().get(&IpAddr::from([192, 0, 2, 2])).is_none(), "no entry left behind");
    }

    #[test]
    fn trusted_proxies_are_not_capped_and_ipv6_counts_per_64() {
        let mut config = ServerConfig::default();
        let v6a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        assert_eq!(client_key(&config, v6a), client_key(&config, v6b));
        config.trust_forwarded_for = true;
        assert_eq!(client_key(&config, v6a), None, "behind one trusted proxy, the peer is the proxy");
        config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_key(&config, IpAddr::from([10, 1, 2, 3])), None);
        assert!(client_key(&config, IpAddr::from([192, 0, 2, 1])).is_some(), "a peer outside them is capped");
    }
}
