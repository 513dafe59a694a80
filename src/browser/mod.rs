//! The browser edge: thin adapters over web APIs. Nothing here holds policy; it carries data
//! between the page and the pure [`crate::core`].

pub mod attached_hooks;
pub mod batch_codec;
pub mod clock;
pub mod events;
pub mod fetch_client;
pub mod idb_schema;
pub mod idb_store;
pub mod instrument;
pub mod journal;
pub mod lifecycle;
pub mod otlp_exporter;
pub mod otlp_post;
pub mod outbox;
pub mod runtime;
