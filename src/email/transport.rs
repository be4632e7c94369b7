//! Where messages go: an SMTP server (a pool of connections, STARTTLS or TLS), `.eml` files in
//! the data folder, or a list in memory for tests.

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use parking_lot::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use crate::config::{Config, MailTransport, SmtpSecurity};

/// How long one connection, one message or one idle wait may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Idle connections older than this are closed rather than reused: servers hang up on idle
/// clients, and a message sent into a dead connection would wait for its retry.
const MAX_IDLE: Duration = Duration::from_secs(20);

/// A message as the memory transport keeps it.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: String,
    pub bytes: Vec<u8>,
}

impl SentMail {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Why a message did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// No session with the mail server: it refused the connection, did not answer in time, or
    /// failed the greeting, TLS or sign-in. Nothing of the message reached it, and the next
    /// message would fare no better: the sender treats this as an outage, not as the message's
    /// fault.
    Unavailable(String),
    /// Try again later: the server was busy with this message or answered it 4xx.
    Transient(String),
    /// The server refused the message for good (5xx): the address counts a bounce.
    Permanent(String),
}

pub enum Transport {
    Smtp(SmtpPool),
    Files(PathBuf),
    Memory(Arc<Mutex<Vec<SentMail>>>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp(pool) => write!(f, "Transport::Smtp({}:{})", pool.host, pool.port),
            Transport::Files(dir) => write!(f, "Transport::Files({})", dir.display()),
            Transport::Memory(_) => f.write_str("Transport::Memory"),
        }
    }
}

impl Transport {
    pub fn from_config(config: &Config, hello: &str) -> anyhow::Result<Transport> {
        Ok(match config.email.transport {
            MailTransport::File => Transport::Files(config.data_dir.join("mail")),
            MailTransport::Memory => Transport::Memory(Arc::default()),
            MailTransport::Smtp => Transport::Smtp(SmtpPool::new(config, hello)?),
        })
    }

    /// The messages the memory transport has kept (empty for the others).
    pub fn sent(&self) -> Vec<SentMail> {
        match self {
            Transport::Memory(sent) => sent.lock().clone(),
            _ => Vec::new(),
        }
    }

    /// Checks that a session with the mail server can be opened, without sending anything; the
    /// sender calls it during an outage. An SMTP session opened here is kept for the next
    /// message.
    pub async fn probe(&self) -> Result<(), SendError> {
        match self {
            Transport::Smtp(pool) => {
                let connection = pool.connect().await?;
                pool.keep_idle(connection);
                Ok(())
            }
            Transport::Files(_) | Transport::Memory(_) => Ok(()),
        }
    }

    /// Sends one formatted message from `from` to `to`; `name` names its file for the file
    /// transport.
    pub async fn send(&self, from: &lettre::Address, to: &str, name: &str, bytes: &[u8]) -> Result<(), SendError> {
        match self {
            Transport::Smtp(pool) => {
                let to: lettre::Address = to.parse().map_err(|e| SendError::Permanent(format!("bad address: {e}")))?;
                let envelope = Envelope::new(Some(from.clone()), vec![to])
                    .map_err(|e| SendError::Permanent(format!("bad envelope: {e}")))?;
                pool.send(&envelope, bytes).await
            }
            Transport::Files(dir) => {
                let file: String =
                    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
                let path = dir.join(format!("{file}.eml"));
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(&path, bytes).await
                };
                write.await.map_err(|e| SendError::Transient(format!("cannot write {}: {e}", path.display())))
            }
            Transport::Memory(sent) => {
                sent.lock().push(SentMail { to: to.to_string(), bytes: bytes.to_vec() });
                Ok(())
            }
        }
    }
}

/// Open connections to one SMTP server, reused from message to message.
///
/// The sockets are ours, not lettre's, for one reason: TCP_NODELAY. lettre writes a message's
/// body and its closing dot in two writes; with Nagle's algorithm on, the dot waits for the
/// server to acknowledge the body, which a server delays by up to 40 ms, so every connection
/// sent at most 25 messages a second.
pub struct SmtpPool {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
    hello: ClientId,
    tls: Option<tokio_rustls::TlsConnector>,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    keep: usize,
}

impl SmtpPool {
    fn new(config: &Config, hello: &str) -> anyhow::Result<SmtpPool> {
        let email = &config.email;
        let tls = match email.smtp_security {
            SmtpSecurity::Tls => {
                let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
                let tls =
                    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                        .with_safe_default_protocol_versions()?
                        .with_root_certificates(roots)
                        .with_no_client_auth();
                Some(tokio_rustls::TlsConnector::from(Arc::new(tls)))
            }
            _ => None,
        };
        Ok(SmtpPool {
            host: email.smtp_host.clone(),
            port: email.smtp_port,
            security: email.smtp_security,
            credentials: (!email.smtp_username.is_empty())
                .then(|| Credentials::new(email.smtp_username.clone(), email.smtp_password.clone())),
            hello: ClientId::Domain(hello.to_string()),
            tls,
            idle: Mutex::new(Vec::new()),
            keep: email.connections as usize,
        })
    }

    /// Sends one message on an idle connection or a new one. A reused connection that fails
    /// for a reason other than the server's refusal may have died while idle: the message is
    /// tried once more on a new connection.
    async fn send(&self, envelope: &Envelope, bytes: &[u8]) -> Result<(), SendError> {
        if let Some(connection) = self.take_idle() {
            match self.send_on(connection, envelope, bytes).await {
                Err(SendError::Transient(_)) => {}
                done => return done,
            }
        }
        let connection = self.connect().await?;
        self.send_on(connection, envelope, bytes).await
    }

    async fn send_on(
        &self,
        mut connection: AsyncSmtpConnection,
        envelope: &Envelope,
        bytes: &[u8],
    ) -> Result<(), SendError> {
        let result = match tokio::time::timeout(TIMEOUT, connection.send(envelope, bytes)).await {
            Ok(result) => result.map(|_| ()).map_err(classify),
            Err(_) => return Err(SendError::Transient(format!("no answer from {} within {TIMEOUT:?}", self.host))),
        };
        if !connection.has_broken() {
            self.keep_idle(connection);
        }
        result
    }

    fn keep_idle(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.idle.lock();
        if idle.len() < self.keep {
            idle.push((connection, Instant::now()));
        }
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock();
        idle.retain(|(_, since)| since.elapsed() < MAX_IDLE);
        idle.pop().map(|(connection, _)| connection)
    }

    /// Opens and prepares a session. Every failure here is [`SendError::Unavailable`], a
    /// refusal at the greeting or sign-in included: it says nothing about any one message, so
    /// it must not count a bounce against the recipient.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let server = format!("{}:{}", self.host, self.port);
        let down = |what: &str, e: &dyn std::fmt::Display| SendError::Unavailable(format!("{what} {server}: {e}"));
        let connecting = async {
            let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                .await
                .map_err(|e| down("cannot connect to", &e))?;
            tcp.set_nodelay(true).map_err(|e| down("cannot set up the connection to", &e))?;
            let stream: Box<dyn AsyncTokioStream> = match &self.tls {
                Some(tls) => {
                    let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                        .map_err(|e| down("bad SMTP host name in", &e))?;
                    let tls = tls.connect(name, tcp).await.map_err(|e| down("TLS failed with", &e))?;
                    Box::new(TlsSocket(tls))
                }
                None => Box::new(tcp),
            };
            let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
                .await
                .map_err(|e| down("no SMTP greeting from", &e))?;
            if self.security == SmtpSecurity::Starttls {
                let tls = TlsParameters::new(self.host.clone()).map_err(|e| down("STARTTLS failed with", &e))?;
                connection.starttls(tls, &self.hello).await.map_err(|e| down("STARTTLS failed with", &e))?;
            }
            if let Some(credentials) = &self.credentials {
                connection
                    .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await
                    .map_err(|e| down("cannot sign in to", &e))?;
            }
            Ok(connection)
        };
        tokio::time::timeout(TIMEOUT, connecting)
            .await
            .unwrap_or_else(|_| Err(SendError::Unavailable(format!("connecting to {server} timed out"))))
    }
}

/// A socket with TLS from the first byte, in the shape lettre takes.
#[derive(Debug)]
struct TlsSocket(tokio_rustls::client::TlsStream<tokio::net::TcpStream>);

impl AsyncTokioStream for TlsSocket {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl tokio::io::AsyncRead for TlsSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsSocket {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// A 5xx answer is a refusal for good; anything else (4xx, network, TLS) may pass later.
fn classify(error: lettre::transport::smtp::Error) -> SendError {
    if error.is_permanent() { SendError::Permanent(error.to_string()) } else { SendError::Transient(error.to_string()) }
}
