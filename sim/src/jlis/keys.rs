//! The key pool: a seeded, deterministic set of RSA-2048 keys shared by the simulated
//! certificates.
//!
//! RSA-2048 key generation costs about a fifth of a second even optimised, so a world does
//! not give every certificate its own key. The pool holds `size` end-entity keys, indexed by
//! [`KeyRef`], plus one key per CA; a certificate records which pool key it uses and several
//! certificates may share one. That is harmless for a simulation: a verifier checks a
//! signature against the public key in the certificate it was given, and nothing in the
//! ecosystem relies on two cardholders having different keys. Keys are generated lazily, the
//! first time something signs or builds a certificate with them.
//!
//! Key `i` is a pure function of `(pool seed, i)`: its random stream is
//! `SeedRoot::new(pool_seed, "onshi key pool").crypto_rng(stream, i)`. Generated keys are
//! memoised process-wide, keyed by exactly those inputs, so that many worlds and tests with
//! the same pool seed pay for each key once. The memo cannot break determinism: it stores the
//! value the generator would return anyway, so whether a key is computed or fetched is
//! invisible except in time taken. The pool seed is separate from the scenario seed (by
//! default [`DEFAULT_POOL_SEED`]) so that all scenarios share the same key material.
//!
//! Which pool key a certificate gets is the world's own choice ([`KeyDeal`]): each world
//! (seed and scenario) deals the pool's keys in its own seeded order, so the first card of one
//! scenario usually does not hold the key of the first card of the next (two worlds share a
//! given position's key once in the pool's size; the terminal role's binding check also asks
//! that a signature be over a challenge of the visit). Within a world, consecutive
//! certificates still get distinct keys until the pool is used up.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rsa::{RsaPrivateKey, RsaPublicKey};

use super::{CertKind, JlisError};
use crate::rng::SeedRoot;

/// The pool seed used unless a run chooses another ("onshi-ke" in ASCII).
pub const DEFAULT_POOL_SEED: u64 = 0x6f6e_7368_692d_6b65;
/// The number of end-entity keys in a pool unless a run chooses another.
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// RSA modulus size of every simulated key (JPKI uses RSA-2048).
pub const KEY_BITS: usize = 2048;

/// The order in which one world hands out the keys of a pool: the `n`-th certificate gets
/// key `(multiplier × n + offset) mod size`, a permutation of the pool (the multiplier is
/// coprime to the size) drawn from the world's seed root. Different scenarios (or seeds) deal
/// differently; within a world the first `size` certificates all get distinct keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyDeal {
    multiplier: u64,
    offset: u64,
    size: u64,
}

impl KeyDeal {
    /// The deal of the world rooted at `root` over a pool of `size` keys (`size` ≥ 1).
    pub fn new(root: &SeedRoot, size: u32) -> Self {
        let size = u64::from(size.max(1));
        let offset = root.draw("jlis/key-deal", 0) % size;
        let mut multiplier = root.draw("jlis/key-deal", 1) % size;
        // The first value at or after the draw that is coprime to the size (1 always is).
        while gcd(multiplier, size) != 1 {
            multiplier = (multiplier + 1) % size;
        }
        KeyDeal {
            multiplier,
            offset,
            size,
        }
    }

    /// The key of the `n`-th certificate of the world.
    pub fn key_for(&self, n: u32) -> KeyRef {
        let k = (self.multiplier * (u64::from(n) % self.size) + self.offset) % self.size;
        KeyRef(u32::try_from(k).unwrap_or(0))
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A reference to one end-entity key of a [`KeyPool`] (`0..size`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyRef(pub u32);

/// Which key of the pool: an end-entity key or a CA key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Slot {
    Entity(u32),
    Ca(CertKind),
}

impl Slot {
    /// The stream label and index that determine this key's random stream.
    fn stream(self) -> (&'static str, u32) {
        match self {
            Slot::Entity(i) => ("jpki/end-entity-key", i),
            Slot::Ca(CertKind::Auth) => ("jpki/ca-key", 0),
            Slot::Ca(CertKind::Sign) => ("jpki/ca-key", 1),
        }
    }
}

/// A memoised key, or why generating it failed (deterministic, so also memoised).
type Generated = Result<Arc<RsaPrivateKey>, String>;
/// Memo key: (pool seed, stream label, index).
type MemoKey = (u64, &'static str, u32);

/// The process-wide memo of generated keys. Each entry has its own `OnceLock`, so the map's
/// mutex is held only to find the entry: different keys generate in parallel, and a second
/// caller for the same key waits for the first instead of generating it again.
fn memo() -> &'static Mutex<HashMap<MemoKey, Arc<OnceLock<Generated>>>> {
    static MEMO: OnceLock<Mutex<HashMap<MemoKey, Arc<OnceLock<Generated>>>>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// Generates (or fetches from the memo) the key of `slot` for `seed`.
fn generate(seed: u64, slot: Slot) -> Generated {
    let (label, index) = slot.stream();
    let entry = {
        let mut map = memo().lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(map.entry((seed, label, index)).or_default())
    };
    entry
        .get_or_init(|| {
            let mut rng = SeedRoot::new(seed, "onshi key pool").crypto_rng(label, u64::from(index));
            RsaPrivateKey::new(&mut rng, KEY_BITS)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
}

/// A seeded pool of RSA-2048 keys, generated on first use (see the module documentation).
///
/// Cloning is cheap and clones share the pool's cache of materialised keys.
#[derive(Clone)]
pub struct KeyPool {
    seed: u64,
    size: u32,
    /// `size` end-entity slots, then the auth CA slot and the signature CA slot.
    local: Arc<[OnceLock<Arc<RsaPrivateKey>>]>,
}

impl KeyPool {
    /// A pool of `size` end-entity keys derived from `seed`; `size` must be at least 1.
    pub fn new(seed: u64, size: u32) -> Result<Self, JlisError> {
        if size == 0 {
            return Err(JlisError::EmptyKeyPool);
        }
        let local = (0..size as usize + 2).map(|_| OnceLock::new()).collect();
        Ok(KeyPool { seed, size, local })
    }

    /// The pool seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of end-entity keys.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// How the world rooted at `root` deals this pool's keys (see [`KeyDeal`]): consecutive
    /// certificates (a person's auth and signature pair, say) never share a key unless the
    /// pool has a single key.
    pub fn deal(&self, root: &SeedRoot) -> KeyDeal {
        KeyDeal::new(root, self.size)
    }

    /// How many keys (end-entity and CA) this pool and its clones have materialised so far.
    pub fn materialised(&self) -> usize {
        self.local.iter().filter(|s| s.get().is_some()).count()
    }

    /// The private key `key`, generated on first use.
    pub fn private_key(&self, key: KeyRef) -> Result<Arc<RsaPrivateKey>, JlisError> {
        if key.0 >= self.size {
            return Err(JlisError::NoSuchKey {
                key,
                size: self.size,
            });
        }
        self.fetch(key.0 as usize, Slot::Entity(key.0))
    }

    /// The public half of `key`.
    pub fn public_key(&self, key: KeyRef) -> Result<RsaPublicKey, JlisError> {
        Ok(self.private_key(key)?.to_public_key())
    }

    /// The private key of the CA that issues `kind` certificates.
    pub fn ca_private_key(&self, kind: CertKind) -> Result<Arc<RsaPrivateKey>, JlisError> {
        let offset = match kind {
            CertKind::Auth => 0,
            CertKind::Sign => 1,
        };
        self.fetch(self.size as usize + offset, Slot::Ca(kind))
    }

    fn fetch(&self, local: usize, slot: Slot) -> Result<Arc<RsaPrivateKey>, JlisError> {
        let cell = self.local.get(local).ok_or(JlisError::EmptyKeyPool)?;
        if let Some(key) = cell.get() {
            return Ok(Arc::clone(key));
        }
        let key = generate(self.seed, slot).map_err(|reason| JlisError::KeyGeneration {
            what: format!("{slot:?}"),
            reason,
        })?;
        Ok(Arc::clone(cell.get_or_init(|| key)))
    }
}

impl Default for KeyPool {
    /// The shared pool: [`DEFAULT_POOL_SEED`], [`DEFAULT_POOL_SIZE`] keys.
    fn default() -> Self {
        let local = (0..DEFAULT_POOL_SIZE as usize + 2)
            .map(|_| OnceLock::new())
            .collect();
        KeyPool {
            seed: DEFAULT_POOL_SEED,
            size: DEFAULT_POOL_SIZE,
            local,
        }
    }
}

impl fmt::Debug for KeyPool {
    /// Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPool")
            .field("seed", &format_args!("{:#018x}", self.seed))
            .field("size", &self.size)
            .field("materialised", &self.materialised())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    #[test]
    fn keys_are_lazy_deterministic_and_distinct() {
        let pool = KeyPool::new(DEFAULT_POOL_SEED, 2).expect("pool");
        assert_eq!(pool.materialised(), 0);
        let a = pool.private_key(KeyRef(0)).expect("key 0");
        let b = pool.private_key(KeyRef(1)).expect("key 1");
        assert_eq!(pool.materialised(), 2);
        assert_eq!(a.size() * 8, KEY_BITS);
        assert_ne!(a.n(), b.n());
        // A fresh pool with the same seed yields the same key (from the memo or not).
        let again = KeyPool::new(DEFAULT_POOL_SEED, 5).expect("pool");
        assert_eq!(again.public_key(KeyRef(0)).expect("key").n(), a.n());
        assert!(matches!(
            pool.private_key(KeyRef(2)),
            Err(JlisError::NoSuchKey { .. })
        ));
    }

    #[test]
    fn an_empty_pool_is_refused_and_never_prints_key_material() {
        assert!(matches!(KeyPool::new(1, 0), Err(JlisError::EmptyKeyPool)));
        let pool = KeyPool::default();
        assert!(!format!("{pool:?}").contains("prime"));
    }

    #[test]
    fn a_world_deals_every_key_once_before_any_twice() {
        for size in [1, 2, 7, 16, 30] {
            let pool = KeyPool::new(DEFAULT_POOL_SEED, size).expect("pool");
            for scenario in ["a", "b", "terminal/x"] {
                let deal = pool.deal(&SeedRoot::new(1, scenario));
                let mut keys: Vec<u32> = (0..size).map(|n| deal.key_for(n).0).collect();
                assert_eq!(deal.key_for(size), deal.key_for(0), "the deal repeats");
                keys.sort_unstable();
                assert_eq!(
                    keys,
                    (0..size).collect::<Vec<_>>(),
                    "size {size}, {scenario}"
                );
            }
        }
    }

    #[test]
    fn scenarios_deal_the_pool_in_different_orders() {
        let pool = KeyPool::default();
        let orders: std::collections::BTreeSet<Vec<u32>> = (0..20)
            .map(|i| {
                let deal = pool.deal(&SeedRoot::new(1, &format!("scenario {i}")));
                (0..4).map(|n| deal.key_for(n).0).collect()
            })
            .collect();
        assert!(orders.len() > 10, "{orders:?}");
        let a = pool.deal(&SeedRoot::new(1, "s"));
        assert_eq!(
            a,
            pool.deal(&SeedRoot::new(1, "s")),
            "seeded: the same again"
        );
        assert_ne!(
            a,
            pool.deal(&SeedRoot::new(2, "s")),
            "another seed deals otherwise"
        );
    }
}
