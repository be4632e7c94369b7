//! Unique visitors without identifiers: a HyperLogLog sketch (Flajolet, Fusy, Gandouet and
//! Meunier, 2007) of 4,096 one-byte registers. Each visitor's 64-bit hash picks a register by
//! its first 12 bits, and the register keeps the longest run of leading zeros (plus one) seen in
//! the remaining bits. The estimate's standard error is about 1.04/√4096 ≈ 1.6 %. Sketches of
//! several nodes merge by taking each register's maximum, so a visitor seen by two nodes counts
//! once.
//!
//! The hash is SipHash-1-3 keyed with the day's random salt, over the address (an IPv6 address
//! by its /64, as one subscriber holds a whole /64) and the User-Agent. The salt is deleted when
//! the day is over; the registers hold small numbers from which no hash can be read back.

use std::hash::Hasher as _;
use std::net::IpAddr;

use base64::Engine as _;

const BITS: u32 = 12;
const REGISTERS: usize = 1 << BITS;

/// One day's visitors, as registers.
#[derive(Clone, PartialEq, Eq)]
pub struct Sketch {
    registers: Box<[u8; REGISTERS]>,
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sketch(~{})", self.estimate())
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::new()
    }
}

impl Sketch {
    pub fn new() -> Sketch {
        Sketch { registers: Box::new([0; REGISTERS]) }
    }

    pub fn insert(&mut self, hash: u64) {
        let index = (hash >> (64 - BITS)) as usize;
        // The rest of the bits, with a one below them so the run ends within 64 - BITS + 1.
        let rest = (hash << BITS) | (1 << (BITS - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if rank > self.registers[index] {
            self.registers[index] = rank;
        }
    }

    /// Takes in another's visitors: each register's maximum.
    pub fn merge(&mut self, other: &Sketch) {
        for (mine, theirs) in self.registers.iter_mut().zip(other.registers.iter()) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// The estimated number of different visitors, with the small-range correction (linear
    /// counting while many registers are still empty).
    pub fn estimate(&self) -> u64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.registers.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 { m * (m / zeros as f64).ln() } else { raw };
        estimate.round() as u64
    }

    /// The registers as text for the database.
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.registers[..])
    }

    /// Registers read back; `None` when the text is not a sketch of this size.
    pub fn decode(text: &str) -> Option<Sketch> {
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(text).ok()?;
        let registers: Box<[u8; REGISTERS]> = bytes.into_boxed_slice().try_into().ok()?;
        Some(Sketch { registers })
    }
}

/// A User-Agent in 64 bits, for [`visitor_hash`]: the same on every node (a fixed seed), so a
/// visitor whose requests several nodes answer is one visitor in the merged sketch. Worked out
/// once per browser version and kept with its class, so a view's keyed hash reads 13 bytes
/// rather than the whole User-Agent.
pub fn agent_digest(agent: &[u8]) -> u64 {
    use std::hash::BuildHasher as _;
    foldhash::quality::FixedState::with_seed(0x6e65_7773_6465_736b).hash_one(agent)
}

/// A visitor's hash under the day's salt: the address (IPv6 by its /64) and the browser (its
/// [`agent_digest`]).
pub fn visitor_hash(salt: &[u8; 16], client: Option<IpAddr>, agent: u64) -> u64 {
    let (k0, k1) = salt.split_at(8);
    let key = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let mut hasher = siphasher::sip::SipHasher13::new_with_keys(key(k0), key(k1));
    match client.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => hasher.write(&v4.octets()),
        Some(IpAddr::V6(v6)) => hasher.write(&v6.octets()[..8]),
        None => hasher.write(b"-"),
    }
    hasher.write_u8(0xff);
    hasher.write_u64(agent);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(from: u64, to: u64, salt: &[u8; 16]) -> Sketch {
        let mut sketch = Sketch::new();
        for i in from..to {
            let ip = IpAddr::from((i as u32).to_be_bytes());
            sketch.insert(visitor_hash(salt, Some(ip), agent_digest(b"Mozilla/5.0")));
        }
        sketch
    }

    #[test]
    fn estimates_are_within_a_few_percent() {
        let salt = [7; 16];
        for n in [1u64, 10, 100, 1_000, 10_000, 100_000, 1_000_000] {
            let estimate = filled(0, n, &salt).estimate() as f64;
            let error = (estimate - n as f64).abs() / n as f64;
            assert!(error < 0.05, "{n} visitors estimated as {estimate}");
        }
        assert_eq!(Sketch::new().estimate(), 0);
    }

    #[test]
    fn repeat_visits_count_once_and_merges_are_unions() {
        let salt = [1; 16];
        let mut a = filled(0, 5_000, &salt);
        let again = filled(0, 5_000, &salt);
        assert_eq!(a, again, "the same visitors leave the same registers");
        let b = filled(2_500, 7_500, &salt);
        a.merge(&b);
        let union = a.estimate() as f64;
        assert!((union - 7_500.0).abs() / 7_500.0 < 0.05, "union estimated as {union}");
    }

    #[test]
    fn another_salt_another_hash_and_sketches_survive_the_database() {
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        assert_ne!(visitor_hash(&[1; 16], ip, agent_digest(b"x")), visitor_hash(&[2; 16], ip, agent_digest(b"x")));
        let v6a = Some("2001:db8:1:2::1".parse().unwrap());
        let v6b = Some("2001:db8:1:2::ffff".parse().unwrap());
        assert_eq!(
            visitor_hash(&[1; 16], v6a, agent_digest(b"x")),
            visitor_hash(&[1; 16], v6b, agent_digest(b"x")),
            "one /64, one visitor"
        );
        let sketch = filled(0, 300, &[3; 16]);
        assert_eq!(Sketch::decode(&sketch.encode()), Some(sketch));
        assert_eq!(Sketch::decode("AAAA"), None);
        assert_eq!(Sketch::decode("not base64!"), None);
    }
}
