//! A synchronous `localStorage` journal for the batches still unwritten at `pagehide`.
//!
//! Chromium commits an IndexedDB transaction started in `pagehide` all or nothing, and loses
//! large ones when the tab closes (measured: 50 000 puts lost 10 of 10 times, while a
//! `localStorage` write made in the same handler survived 4 of 4), whereas `localStorage`
//! writes are synchronous. So the edge journals every unconfirmed batch on `pagehide`, also
//! tries IndexedDB, and the
//! next [`crate::browser::idb_store::Store`] open writes the journal into IndexedDB and removes
//! it. One key per batch id keeps replays idempotent and lets tabs journal concurrently.

use js_sys::JSON;
use wasm_bindgen::JsValue;
use web_sys::Storage;

use super::batch_codec::{self, ColumnForm};
use crate::core::batch::columnar::ColumnarBatch;

/// Outcome of [`Journal::write`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JournalWrite {
    /// Batches journalled.
    pub written: usize,
    /// Batches that did not fit (`localStorage` quota is a few MB per origin).
    pub failed: usize,
}

/// The journal of one database, under keys `apiscope:journal:<db>:<batch id>`.
pub struct Journal {
    storage: Storage,
    prefix: String,
}

impl Journal {
    /// The journal for database `db_name`; `None` where `localStorage` is unavailable
    /// (workers, storage disabled, opaque origins).
    pub fn open(db_name: &str) -> Option<Journal> {
        let storage = web_sys::window()?.local_storage().ok()??;
        Some(Journal {
            storage,
            prefix: format!("apiscope:journal:{db_name}:"),
        })
    }

    /// Journals batches synchronously, as JSON with plain-array columns (numbers print in
    /// shortest round-trip form, so the journal is exact).
    pub fn write(&self, batches: &[ColumnarBatch]) -> JournalWrite {
        let mut outcome = JournalWrite::default();
        for batch in batches {
            let record = batch_codec::encode(batch, ColumnForm::Plain);
            let stored = JSON::stringify(&record)
                .ok()
                .and_then(|json| json.as_string())
                .is_some_and(|json| {
                    self.storage
                        .set_item(&format!("{}{}", self.prefix, batch.id()), &json)
                        .is_ok()
                });
            if stored {
                outcome.written += 1;
            } else {
                outcome.failed += 1;
            }
        }
        outcome
    }

    /// Every journalled batch with its key. Entries that fail to parse are removed: they can
    /// never be replayed and would otherwise hold quota forever.
    pub fn pending(&self) -> Vec<(String, ColumnarBatch)> {
        let mut entries = Vec::new();
        for key in self.keys() {
            let parsed = self
                .storage
                .get_item(&key)
                .ok()
                .flatten()
                .and_then(|json| JSON::parse(&json).ok())
                .and_then(|record: JsValue| batch_codec::decode(&record).ok());
            match parsed {
                Some(batch) => entries.push((key, batch)),
                None => {
                    let _ = self.storage.remove_item(&key);
                }
            }
        }
        entries
    }

    /// Removes the given entries (after they were written to IndexedDB).
    pub fn remove<'a>(&self, keys: impl IntoIterator<Item = &'a str>) {
        for key in keys {
            let _ = self.storage.remove_item(key);
        }
    }

    fn keys(&self) -> Vec<String> {
        let len = self.storage.length().unwrap_or(0);
        (0..len)
            .filter_map(|i| self.storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(&self.prefix))
            .collect()
    }
}
