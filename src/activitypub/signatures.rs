//! HTTP Signatures as the social web uses them (draft-cavage-http-signatures, RSA-SHA256, as
//! Mastodon signs and checks): the `Signature` header of a request, the string it signs, the
//! `Digest` of a body, and the key pair that signs ours.
//!
//! `rsa` makes the publication's key pair and reads remote PEM keys; `ring` signs and checks,
//! in constant time.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::EncodeRsaPublicKey as _;

use crate::clock::http_date;
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, EncodePublicKey as _};

/// How far a signed request's `Date` may be from our clock, either way, in seconds: an older
/// request is refused as a replay, a later one as forged.
pub const MAX_SKEW_SECS: i64 = 3600;

/// Why a request's signature was not accepted; each is answered 401 and logged once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request is not signed")]
    Missing,
    #[error("the Signature header cannot be read: {0}")]
    Malformed(&'static str),
    #[error("the signature does not cover {0}")]
    Uncovered(&'static str),
    #[error("the signed header {0} is missing")]
    HeaderMissing(String),
    #[error("the Date header is missing or not an HTTP date")]
    BadDate,
    #[error("the Date is {0} s away from now")]
    Stale(i64),
    #[error("the Digest does not match the body")]
    BadDigest,
    #[error("the algorithm {0} is not supported")]
    Algorithm(String),
    #[error("the key cannot be read")]
    BadKey,
    #[error("the signature does not match")]
    Mismatch,
}

/// A `Signature` header, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    pub key_id: String,
    /// The headers signed, lower case, in order; `(request-target)` among them.
    pub headers: Vec<String>,
    pub signature: Vec<u8>,
}

impl SignatureHeader {
    /// Reads `keyId="…",algorithm="…",headers="…",signature="…"`. Only RSA-SHA256 (named
    /// `rsa-sha256`, or `hs2019` with an RSA key) is taken.
    pub fn parse(value: &str) -> Result<SignatureHeader, SignatureError> {
        let (mut key_id, mut headers, mut signature, mut algorithm) = (None, None, None, None);
        let mut rest = value.trim();
        while !rest.is_empty() {
            let (name, after) = rest.split_once('=').ok_or(SignatureError::Malformed("a parameter has no value"))?;
            let after = after.strip_prefix('"').ok_or(SignatureError::Malformed("a value is not quoted"))?;
            let end = after.find('"').ok_or(SignatureError::Malformed("a quote is not closed"))?;
            let value = &after[..end];
            match name.trim() {
                "keyId" => key_id = Some(value.to_string()),
                "headers" => headers = Some(value.to_ascii_lowercase()),
                "signature" => signature = Some(value.to_string()),
                "algorithm" => algorithm = Some(value.to_ascii_lowercase()),
                // `created` and `expires` are not used by RSA-SHA256 signers; others are ignored.
                _ => {}
            }
            rest = after[end + 1..].trim_start().trim_start_matches(',').trim_start();
        }
        if let Some(algorithm) = algorithm
            && !matches!(algorithm.as_str(), "rsa-sha256" | "hs2019")
        {
            return Err(SignatureError::Algorithm(algorithm));
        }
        let key_id = key_id.filter(|k| !k.is_empty()).ok_or(SignatureError::Malformed("no keyId"))?;
        let signature = signature.ok_or(SignatureError::Malformed("no signature"))?;
        let signature =
            BASE64.decode(signature).map_err(|_| SignatureError::Malformed("the signature is not base64"))?;
        // Without a list, only the Date is signed (the draft's default).
        let headers = headers.unwrap_or_else(|| "date".into()).split_whitespace().map(str::to_string).collect();
        Ok(SignatureHeader { key_id, headers, signature })
    }

    /// Refuses a signature that leaves out what makes an inbox POST safe to trust: the target,
    /// the host, the date and the body's digest.
    pub fn covers_post(&self) -> Result<(), SignatureError> {
        for needed in ["(request-target)", "host", "date", "digest"] {
            if !self.headers.iter().any(|h| h == needed) {
                return Err(SignatureError::Uncovered(needed));
            }
        }
        Ok(())
    }
}

/// The string a signature covers: one `name: value` line per signed header, in the order
/// signed; `(request-target)` is the lower-case method and the path with its query.
pub fn signing_string(
    method: &str,
    path_and_query: &str,
    names: &[String],
    header: impl Fn(&str) -> Option<String>,
) -> Result<String, SignatureError> {
    let mut lines = Vec::with_capacity(names.len());
    for name in names {
        let value = match name.as_str() {
            "(request-target)" => format!("{} {path_and_query}", method.to_ascii_lowercase()),
            other => header(other).ok_or_else(|| SignatureError::HeaderMissing(other.to_string()))?,
        };
        lines.push(format!("{name}: {value}"));
    }
    Ok(lines.join("\n"))
}

/// `SHA-256={base64}` of a body, as the `Digest` header carries it.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(ring::digest::digest(&ring::digest::SHA256, body)))
}

/// Whether a `Digest` header names this body's SHA-256 (other algorithms in the list are
/// ignored; without SHA-256 it does not match).
pub fn digest_matches(header: &str, body: &[u8]) -> bool {
    let ours = digest(body);
    header.split(',').map(str::trim).any(|d| {
        d.split_once('=').is_some_and(|(alg, _)| alg.eq_ignore_ascii_case("sha-256")) && d.get(8..) == ours.get(8..)
    })
}

/// Checks a `Date` header against now.
pub fn check_date(date: Option<&str>, now: i64) -> Result<(), SignatureError> {
    let at = date.and_then(crate::clock::parse_http_date).ok_or(SignatureError::BadDate)?;
    let skew = now - at;
    if skew.abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale(skew));
    }
    Ok(())
}

/// A remote actor's public key, read from its PEM, ready to check signatures.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// PKCS#1 DER, as ring takes it.
    der: Vec<u8>,
}

impl PublicKey {
    /// Reads a `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or `BEGIN RSA PUBLIC KEY` (PKCS#1) PEM.
    pub fn from_pem(pem: &str) -> Result<PublicKey, SignatureError> {
        use rsa::pkcs1::DecodeRsaPublicKey as _;
        let pem = pem.trim();
        let key = rsa::RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem))
            .map_err(|_| SignatureError::BadKey)?;
        let der = key.to_pkcs1_der().map_err(|_| SignatureError::BadKey)?;
        Ok(PublicKey { der: der.as_bytes().to_vec() })
    }

    pub fn verify(&self, message: &str, signature: &[u8]) -> Result<(), SignatureError> {
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &self.der)
            .verify(message.as_bytes(), signature)
            .map_err(|_| SignatureError::Mismatch)
    }
}

/// The publication's key pair.
pub struct KeyPair {
    pair: ring::signature::RsaKeyPair,
    pub public_pem: String,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").field("public_pem", &self.public_pem).finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A new 2048-bit RSA key pair, as PEM: (PKCS#8 private, SubjectPublicKeyInfo public).
    pub fn generate() -> anyhow::Result<(String, String)> {
        let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)?;
        let public = rsa::RsaPublicKey::from(&private);
        let private_pem = private.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)?.to_string();
        let public_pem = public.to_public_key_pem(rsa::pkcs8::LineEnding::LF)?;
        Ok((private_pem, public_pem))
    }

    pub fn from_pem(private_pem: &str, public_pem: &str) -> anyhow::Result<KeyPair> {
        let document = rsa::pkcs8::SecretDocument::from_pkcs8_pem(private_pem)?;
        let pair = ring::signature::RsaKeyPair::from_pkcs8(document.as_bytes())
            .map_err(|e| anyhow::anyhow!("the stored private key cannot be read: {e}"))?;
        Ok(KeyPair { pair, public_pem: public_pem.to_string() })
    }

    /// The signature of `message`, base64.
    pub fn sign(&self, message: &str) -> String {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        self.pair
            .sign(&ring::signature::RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut signature)
            .expect("signing with a key ring accepted");
        BASE64.encode(signature)
    }
}

/// The headers that sign a request: `Date`, `Digest` (with a body) and `Signature`, over the
/// target, the host, the date and the digest.
pub fn sign_request(
    keys: &KeyPair,
    key_id: &str,
    method: &str,
    url: &reqwest::Url,
    body: Option<&[u8]>,
    now: i64,
) -> Vec<(&'static str, String)> {
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    };
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    };
    let date = http_date(now);
    let mut headers = vec![("host", host), ("date", date)];
    if let Some(body) = body {
        headers.push(("digest", digest(body)));
    }
    let mut names = vec!["(request-target)".to_string()];
    names.extend(headers.iter().map(|(n, _)| n.to_string()));
    let lookup = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
    let string = signing_string(method, &target, &names, lookup).expect("every signed header is set");
    let signature = format!(
        "keyId=\"{key_id}\",algorithm=\"rsa-sha256\",headers=\"{}\",signature=\"{}\"",
        names.join(" "),
        keys.sign(&string)
    );
    headers.retain(|(n, _)| *n != "host");
    headers.push(("signature", signature));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_mastodon_signature_header() {
        let header = SignatureHeader::parse(
            r#"keyId="https://example.social/users/a#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAEC""#,
        )
        .unwrap();
        assert_eq!(header.key_id, "https://example.social/users/a#main-key");
        assert_eq!(header.headers, ["(request-target)", "host", "date", "digest"]);
        assert_eq!(header.signature, [0, 1, 2]);
        header.covers_post().unwrap();
        let partial = SignatureHeader::parse(r#"keyId="k",headers="(request-target) date",signature="AA==""#).unwrap();
        assert_eq!(partial.covers_post(), Err(SignatureError::Uncovered("host")));
        assert!(matches!(
            SignatureHeader::parse(r#"keyId="k",algorithm="ed25519",signature="AA==""#),
            Err(SignatureError::Algorithm(_))
        ));
        assert!(matches!(SignatureHeader::parse("garbage"), Err(SignatureError::Malformed(_))));
        assert!(matches!(SignatureHeader::parse(r#"keyId="k",signature="%%%""#), Err(SignatureError::Malformed(_))));
    }

    #[test]
    fn the_digest_is_sha256_in_base64() {
        // `printf hello | openssl dgst -sha256 -binary | base64`
        assert_eq!(digest(b"hello"), "SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
        assert!(digest_matches("SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", b"hello"));
        assert!(digest_matches("sha-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", b"hello"));
        assert!(!digest_matches("SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", b"hellO"));
        assert!(!digest_matches("MD5=abc", b"hello"));
    }

    #[test]
    fn dates_outside_the_window_are_refused() {
        let now = 1_780_000_000;
        check_date(Some(&http_date(now - 60)), now).unwrap();
        assert_eq!(check_date(Some(&http_date(now - 7200)), now), Err(SignatureError::Stale(7200)));
        assert_eq!(check_date(Some(&http_date(now + 7200)), now), Err(SignatureError::Stale(-7200)));
        assert_eq!(check_date(Some("yesterday"), now), Err(SignatureError::BadDate));
        assert_eq!(check_date(None, now), Err(SignatureError::BadDate));
    }

    #[test]
    fn a_signed_request_checks_and_a_changed_one_does_not() {
        let (private, public) = KeyPair::generate().unwrap();
        let keys = KeyPair::from_pem(&private, &public).unwrap();
        let url = reqwest::Url::parse("https://remote.example:8443/inbox?x=1").unwrap();
        let now = 1_780_000_000;
        let headers = sign_request(&keys, "https://us.example/actor#main-key", "POST", &url, Some(b"{}"), now);
        let get = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
        let header = SignatureHeader::parse(&get("signature").unwrap()).unwrap();
        header.covers_post().unwrap();
        let lookup = |name: &str| if name == "host" { Some("remote.example:8443".into()) } else { get(name) };
        let string = signing_string("post", "/inbox?x=1", &header.headers, lookup).unwrap();
        let key = PublicKey::from_pem(&public).unwrap();
        key.verify(&string, &header.signature).unwrap();
        assert_eq!(key.verify(&string.replace("x=1", "x=2"), &header.signature), Err(SignatureError::Mismatch));
        assert!(digest_matches(&get("digest").unwrap(), b"{}"));
        assert_eq!(PublicKey::from_pem("not a key").unwrap_err(), SignatureError::BadKey);
    }
}
