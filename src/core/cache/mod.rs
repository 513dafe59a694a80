//! Caches: the policy of an in-memory cache over slot numbers, and what a response cache in
//! front of `fetch` decides.
//!
//! Owns the eviction policies ([`slots`] over [`s3fifo`] and its [`ghosts`], or an exact LRU), entry deadlines
//! ([`entry`]), settings ([`config`]) and counters ([`stats`]); and for responses the HTTP
//! caching rules and keys ([`http_policy`]), the `Vary` names per URL ([`vary`]), answer
//! outcomes ([`outcome`]), the time saved per route ([`time_saved`]) and their composition
//! ([`response_policy`]).
//!
//! Invariant: keys and values never enter this module. A cache's keys and values stay with
//! the caller (JavaScript), which maps each key to a slot number; everything here is numbers
//! per slot in columns allocated once, so a caller may read and bump them in place (see
//! [`slots`] for the protocol), and any input (a bad slot, a bad size) is answered, never a
//! panic.

pub mod config;
pub mod entry;
pub mod ghosts;
pub mod http_policy;
mod links;
mod lru_order;
pub mod outcome;
pub mod response_policy;
pub mod s3fifo;
pub mod slots;
pub mod stats;
pub mod time_saved;
pub mod vary;
