//! A bounded cache of an application's origin-check answers: per origin, for a TTL the user
//! sets (bindings use it for their `allow_origin`-style checks, so each caches alike).
//!
//! Allowed and denied answers are both kept. When the cache is full the oldest entry goes
//! first (entries are inserted in expiry order, so that is also the one closest to expiry).
//! A timed-out or failed check is never cached.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Origins and their verdicts, with expiry.
pub struct OriginCache {
    ttl: Duration,
    max_size: usize,
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    /// Origin -> (verdict, expiry, generation).
    map: HashMap<Box<[u8]>, (bool, Instant, u64)>,
    /// Insertion order, with the generation each insertion had (older ones are stale).
    order: VecDeque<(Box<[u8]>, u64)>,
    generation: u64,
}

impl OriginCache {
    /// A cache of at most `max_size` origins, each kept for `ttl`.
    pub fn new(ttl: Duration, max_size: usize) -> OriginCache {
        OriginCache {
            ttl,
            max_size,
            inner: Mutex::new(Entries::default()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the maps inconsistent in a way
        // that matters more than a lost entry: keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached verdict of `origin`, unless absent or expired.
    pub fn get(&self, origin: &[u8]) -> Option<bool> {
        let entries = self.entries();
        let &(verdict, expiry, _) = entries.map.get(origin)?;
        (Instant::now() < expiry).then_some(verdict)
    }

    /// Keeps `verdict` for `origin`, evicting the oldest entries beyond `max_size`.
    pub fn put(&self, origin: &[u8], verdict: bool) {
        let mut e = self.entries();
        e.generation += 1;
        let generation = e.generation;
        let expiry = Instant::now() + self.ttl;
        e.map.insert(origin.into(), (verdict, expiry, generation));
        e.order.push_back((origin.into(), generation));
        while e.map.len() > self.max_size {
            let Some((key, g)) = e.order.pop_front() else {
                break;
            };
            if e.map.get(&key).is_some_and(|&(_, _, current)| current == g) {
                e.map.remove(&key);
            }
        }
        if e.order.len() > 2 * self.max_size.max(8) {
            // Drop the stale insertions of origins inserted again since.
            let Entries { map, order, .. } = &mut *e;
            order.retain(|(key, g)| map.get(key).is_some_and(|&(_, _, current)| current == *g));
        }
    }

    /// Forgets `origin`, or every origin.
    pub fn clear(&self, origin: Option<&[u8]>) {
        let mut e = self.entries();
        match origin {
            Some(origin) => {
                e.map.remove(origin);
            }
            None => {
                e.map.clear();
                e.order.clear();
            }
        }
    }

    /// How many origins are cached (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.entries().map.len()
    }

    /// Whether no origin is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
