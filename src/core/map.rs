//! The crate's one hash map type: `HashMap` hashed by [`Hasher`], a fixed-seed word hash.
//!
//! Every per-route and per-request map uses it, so the wasm carries one hasher. Keys are
//! route strings and small ids from the page's own calls, so a per-process random seed buys
//! no protection that matters in a browser, and seeding one costs the wasm its entropy
//! gathering (about 1 KB gzipped with SipHash's, std's default). Output that reaches the
//! caller is sorted wherever its order could show, so no result depends on the hash.
//!
//! Invariant: every bit of a key reaches the low 32 bits of its hash, which is all hashbrown
//! reads on wasm32 (bucket index and control byte alike).

use std::collections::HashMap;
use std::hash::BuildHasher;

/// Builds the [`WordHash`] of [`Map`] and of the `lru` crate's caches (the slow log, the
/// cache's LRU order and its Vary memo).
///
/// It replaced foldhash (1.1 KB gzipped less engine wasm): foldhash folds a 128-bit product
/// per 16 bytes, which wasm has no instruction for, while this needs one 64-bit multiply
/// per 8 bytes.
///
/// ```
/// use apiscope::core::map::Hasher;
/// use std::hash::BuildHasher;
/// let h = Hasher;
/// assert_eq!(h.hash_one("/users/{id}"), h.hash_one("/users/{id}"));
/// assert_ne!(h.hash_one("/users/{id}"), h.hash_one("/users/{id}/"));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Hasher;

impl BuildHasher for Hasher {
    type Hasher = WordHash;

    fn build_hasher(&self) -> WordHash {
        WordHash(0)
    }
}

/// An odd constant with well-spread bits (the one rustc's FxHash uses since 2024).
const K: u64 = 0xf135_7aea_2e62_a9c5;

/// The running state of one hash: each 8-byte word is multiplied in (low bits move up) and
/// shifted back down (high bits move down), so no bit of a word is lost to the next.
///
/// ```
/// use apiscope::core::map::Hasher;
/// use std::hash::BuildHasher;
/// // Keys that differ in one byte land apart, wherever the byte is.
/// let h = Hasher;
/// assert_ne!(h.hash_one("/v1/items/1") as u32, h.hash_one("/v1/items/2") as u32);
/// ```
#[derive(Debug)]
pub struct WordHash(u64);

impl WordHash {
    #[inline]
    fn mix(&mut self, word: u64) {
        let h = (self.0 ^ word).wrapping_mul(K);
        self.0 = h ^ (h >> 29);
    }
}

impl std::hash::Hasher for WordHash {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut w = [0; 8];
            w.copy_from_slice(word);
            self.mix(u64::from_le_bytes(w));
        }
        // The last 0-7 bytes, with the length in the byte they never fill: "a" and "a\0"
        // differ.
        let rest = words.remainder();
        let mut w = [0; 8];
        w[..rest.len()].copy_from_slice(rest);
        w[7] = bytes.len() as u8;
        self.mix(u64::from_le_bytes(w));
    }

    fn write_u8(&mut self, v: u8) {
        self.mix(u64::from(v));
    }

    fn write_u32(&mut self, v: u32) {
        self.mix(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.mix(v);
    }

    fn write_usize(&mut self, v: usize) {
        self.mix(v as u64);
    }

    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(K);
        h ^ (h >> 32)
    }
}

/// A `HashMap` with the crate's [`Hasher`]; make one with `Map::default()`.
///
/// ```
/// use apiscope::core::map::Map;
/// let mut m: Map<&str, u32> = Map::default();
/// m.insert("/a", 1);
/// assert_eq!(m.get("/a"), Some(&1));
/// ```
pub type Map<K, V> = HashMap<K, V, Hasher>;

#[cfg(test)]
mod tests {
    use super::*;

    fn low(key: &str) -> u32 {
        Hasher.hash_one(key) as u32
    }

    #[test]
    fn one_changed_byte_changes_the_low_32_bits_at_every_position() {
        let base: Vec<u8> = b"/api/v2/customers/000000/orders?page=1".to_vec();
        let at_base = low(std::str::from_utf8(&base).unwrap());
        for i in 0..base.len() {
            let mut key = base.clone();
            key[i] ^= 0x01;
            assert_ne!(low(std::str::from_utf8(&key).unwrap()), at_base, "byte {i}");
            key[i] ^= 0x41; // a high bit too
            assert_ne!(
                low(std::str::from_utf8(&key).unwrap()),
                at_base,
                "byte {i}, high bit"
            );
        }
    }

    #[test]
    fn url_like_keys_spread_evenly_over_buckets() {
        // hashbrown's index is the low bits; 16 384 ids over 1 024 buckets average 16 each.
        let mut buckets = vec![0u32; 1024];
        let mut control = std::collections::HashSet::new();
        for id in 0..16_384 {
            let hash = low(&format!("https://api.example/users/{id}/orders")) as u64;
            buckets[(hash & 1023) as usize] += 1;
            control.insert(hash >> 25); // the control byte hashbrown takes on wasm32
        }
        assert!(
            *buckets.iter().max().unwrap() < 40,
            "{:?}",
            buckets.iter().max()
        );
        assert!(buckets.iter().all(|&n| n > 2));
        assert_eq!(control.len(), 128);
    }

    #[test]
    fn integer_keys_spread_too() {
        let mut buckets = vec![0u32; 256];
        for slot in 0u32..4096 {
            buckets[(Hasher.hash_one(slot) & 255) as usize] += 1;
        }
        assert!(*buckets.iter().max().unwrap() < 36);
    }
}
