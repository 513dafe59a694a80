//! The export outbox in IndexedDB: request bodies not yet delivered, so that they survive a
//! reload or a long offline spell and are sent by the next page.
//!
//! It lives in its own database (`<dbName>-outbox`) so that the history store's schema never
//! changes for it. One store, `entries`, keyed by `[createdMs, session, seq]` (oldest first,
//! unique across tabs); values are `{ body, points, attempts }`. Every write issues all of its
//! requests at once and awaits only the commit: an `idb` transaction auto-commits at any await
//! that is not one of its requests.

use std::future::{Future, IntoFuture};

use idb::{DatabaseEvent, ObjectStoreParams, Query, TransactionMode, TransactionResult};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransaction};

use super::idb_schema::describe;
use crate::core::export::{EntryKey, OutboxEntry};

const ENTRIES: &str = "entries";
const VERSION: u32 = 1;

/// An open outbox database.
pub struct OutboxDb {
    db: IdbDatabase,
    _on_version_change: Closure<dyn FnMut()>,
}

fn failed(error: idb::Error) -> String {
    format!("outbox: {error}")
}

impl OutboxDb {
    /// Opens (creating) database `name`. Errs where IndexedDB is unusable, or the database
    /// was upgraded by newer code: the exporter then keeps its outbox in memory.
    pub async fn open(name: &str) -> Result<OutboxDb, String> {
        let mut request = idb::Factory::new()
            .and_then(|f| f.open(name, Some(VERSION)))
            .map_err(failed)?;
        request.on_upgrade_needed(|event| {
            // Version 1 is the only version: the upgrade always starts from an empty database.
            if let Ok(db) = event.database() {
                let _ = db.create_object_store(ENTRIES, ObjectStoreParams::new());
            }
        });
        let db = IdbDatabase::from(request.await.map_err(failed)?);
        let handle = db.clone();
        // Closing lets another tab's future upgrade proceed instead of being blocked by us.
        let on_version_change = Closure::<dyn FnMut()>::new(move || handle.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(OutboxDb {
            db,
            _on_version_change: on_version_change,
        })
    }

    fn transaction(&self, mode: TransactionMode) -> Result<idb::Transaction, String> {
        idb::Database::from(self.db.clone())
            .transaction(&[ENTRIES], mode)
            .map_err(failed)
    }

    /// Every stored entry, in key order. Records this code cannot read are skipped.
    pub async fn load(&self) -> Result<Vec<OutboxEntry>, String> {
        let tx = self.transaction(TransactionMode::ReadOnly)?;
        let store = tx.object_store(ENTRIES).map_err(failed)?;
        let keys = store.get_all_keys(None, None).map_err(failed)?;
        let values = store.get_all(None, None).map_err(failed)?;
        let (keys, values) = (keys.await.map_err(failed)?, values.await.map_err(failed)?);
        Ok(keys
            .iter()
            .zip(&values)
            .filter_map(|(key, value)| decode(key, value))
            .collect())
    }

    /// Stores `puts` and deletes `deletes` in one transaction. The transaction starts before
    /// this returns (a page hide cannot wait for a later task); the future awaits its commit.
    pub fn write(
        &self,
        puts: &[OutboxEntry],
        deletes: &[EntryKey],
    ) -> impl Future<Output = Result<(), String>> + 'static {
        let started =
            (!puts.is_empty() || !deletes.is_empty()).then(|| self.start_write(puts, deletes));
        async move {
            let Some(started) = started else {
                return Ok(());
            };
            let (raw, commit) = started?;
            match commit.await {
                Ok(TransactionResult::Committed) => Ok(()),
                outcome => Err(raw
                    .error()
                    .map(|e| format!("outbox: {}", describe(&e.into())))
                    .or_else(|| outcome.err().map(failed))
                    .unwrap_or_else(|| "outbox: write aborted".to_owned())),
            }
        }
    }

    fn start_write(
        &self,
        puts: &[OutboxEntry],
        deletes: &[EntryKey],
    ) -> Result<(IdbTransaction, idb::TransactionFuture), String> {
        let tx = self.transaction(TransactionMode::ReadWrite)?;
        let store = tx.object_store(ENTRIES).map_err(failed)?;
        for entry in puts {
            store
                .put(&encode(entry), Some(&encode_key(&entry.key)))
                .map_err(failed)?;
        }
        for key in deletes {
            store.delete(Query::from(encode_key(key))).map_err(failed)?;
        }
        let raw = IdbTransaction::from(tx);
        Ok((raw.clone(), idb::Transaction::from(raw).into_future()))
    }
}

impl Drop for OutboxDb {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.close();
    }
}

fn encode_key(key: &EntryKey) -> JsValue {
    Array::of3(&key.created_ms.into(), &key.session.into(), &key.seq.into()).into()
}

fn encode(entry: &OutboxEntry) -> JsValue {
    let record = Object::new();
    for (field, value) in [
        ("body", JsValue::from_str(&entry.body)),
        ("points", entry.points.into()),
        ("attempts", entry.attempts.into()),
    ] {
        // Setting a data property on a fresh plain object cannot fail.
        let _ = Reflect::set(&record, &field.into(), &value);
    }
    record.into()
}

fn decode(key: &JsValue, value: &JsValue) -> Option<OutboxEntry> {
    let key = key.dyn_ref::<Array>()?;
    let number = |v: JsValue| v.as_f64().filter(|n| n.is_finite() && *n >= 0.0);
    let whole = |v: JsValue| {
        number(v)
            .filter(|n| *n <= f64::from(u32::MAX))
            .map(|n| n as u32)
    };
    let field = |name: &str| Reflect::get(value, &name.into()).ok();
    Some(OutboxEntry {
        key: EntryKey {
            created_ms: number(key.get(0))?,
            session: whole(key.get(1))?,
            seq: whole(key.get(2))?,
        },
        body: field("body")?.as_string()?,
        points: whole(field("points")?)?,
        attempts: whole(field("attempts")?)?,
    })
}
