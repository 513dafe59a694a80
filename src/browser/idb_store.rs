//! Latency history in IndexedDB: one record per batch, indexed by time, with a memory fallback.
//!
//! Every write builds its records in memory first, opens one transaction, issues every put and
//! awaits only the commit: an `idb` transaction auto-commits at any await that is not one of
//! its requests. Nothing here panics or throws; failures surface as [`StoreError`] values and
//! as [`Store::state`].
//!
//! Driving it from the edge, with a [`crate::core::batch::batcher::Batcher`]:
//! - on each sample: `batcher.push(sample, now)`; on `Now` spawn a flush, on `At(t)` (re)arm one
//!   timer for `t`;
//! - a flush: `poll(now)` → `ColumnarBatch::encode(batch.id.to_string(), &batch.samples)` →
//!   `store.put_batches(&[..]).await` → `complete(id, cost_ms, now)` or `fail(id, now)`, then
//!   act on the returned decision;
//! - on `PageExitListener` (hidden/pagehide): `drain_all()`, encode, [`Journal::write`] them
//!   synchronously, then also start `put_batches` (harmless if both land: ids are keys).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;

use idb::{KeyRange, Query, TransactionMode, TransactionResult};
use js_sys::{Array, Object};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbTransaction};

use super::batch_codec::{self, ColumnForm};
use super::idb_schema::{self, ALERTS, BATCHES, BY_AT, BY_END, BY_START, OpenFailure, describe};
use super::journal::Journal;
use crate::core::batch::columnar::ColumnarBatch;
use crate::core::batch::memory_log::MemoryLog;
use crate::core::batch::page::{PageBuilder, SampleCursor, SamplePage};
use crate::core::batch::retention::{BatchExtent, Retention};
use crate::core::error::{FieldError, Rule};

/// Where history currently goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageState {
    /// An open IndexedDB connection.
    Persistent,
    /// IndexedDB could not be used; history lives in memory (bounded) for this page.
    MemoryOnly {
        /// Why, e.g. `"blocked: ..."` or `"unavailable: SecurityError: ..."`.
        reason: String,
    },
    /// No open connection (closed, or closed for another tab's upgrade); the next call reopens.
    Closed,
}

/// A failed store operation.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    /// Bad input; the error names the field.
    Invalid(FieldError),
    /// Out of quota even after retention freed space and the write was retried.
    Quota(String),
    /// Any other IndexedDB failure.
    Failed(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => e.fmt(f),
            Self::Quota(why) => write!(f, "storage quota exceeded: {why}"),
            Self::Failed(why) => write!(f, "storage failed: {why}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<WriteFailure> for StoreError {
    fn from(failure: WriteFailure) -> Self {
        match failure {
            WriteFailure::Quota(why) => Self::Quota(why),
            WriteFailure::ConnectionLost(why) | WriteFailure::Other(why) => Self::Failed(why),
        }
    }
}

impl From<idb::Error> for StoreError {
    fn from(error: idb::Error) -> Self {
        Self::Failed(error.to_string())
    }
}

/// Limits of a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoreOptions {
    /// Used when a write hits the quota, and by [`Store::apply_retention`] callers as a default.
    pub retention: Retention,
    /// Cap of the memory fallback.
    pub memory_max_samples: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            retention: Retention {
                max_age_ms: 7.0 * 24.0 * 3_600_000.0,
                max_samples: 2_000_000,
            },
            memory_max_samples: 100_000,
        }
    }
}

/// Counters for observability.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Connections opened (the first and every reopen).
    pub opens: u32,
    /// Connections closed under us (`versionchange` from another tab's upgrade, or the browser).
    pub connections_lost: u32,
    /// Opens that another connection blocked.
    pub blocked: u32,
    /// Writes that hit the quota.
    pub quota_errors: u32,
    /// Stored records that failed to decode and were skipped.
    pub corrupt_skipped: u32,
    /// Journalled batches written at open.
    pub journal_replayed: u32,
    /// Samples the memory fallback evicted to stay within its cap.
    pub memory_evicted: u64,
}

/// An open IndexedDB connection that closes itself when another connection needs an upgrade.
struct Connection {
    db: IdbDatabase,
    lost: Rc<Cell<bool>>,
    _on_lost: Closure<dyn FnMut()>,
}

impl Connection {
    fn new(db: IdbDatabase, stats: &Rc<RefCell<StoreStats>>) -> Self {
        let lost = Rc::new(Cell::new(false));
        let (flag, handle, stats) = (lost.clone(), db.clone(), stats.clone());
        let on_lost = Closure::<dyn FnMut()>::new(move || {
            // Closing lets the other tab's upgrade proceed instead of being blocked by us.
            handle.close();
            flag.set(true);
            if let Ok(mut s) = stats.try_borrow_mut() {
                s.connections_lost += 1;
            }
        });
        db.set_onversionchange(Some(on_lost.as_ref().unchecked_ref()));
        db.set_onclose(Some(on_lost.as_ref().unchecked_ref()));
        Self {
            db,
            lost,
            _on_lost: on_lost,
        }
    }

    fn is_open(&self) -> bool {
        !self.lost.get()
    }

    fn database(&self) -> idb::Database {
        idb::Database::from(self.db.clone())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.db.set_onversionchange(None);
        self.db.set_onclose(None);
        self.db.close();
    }
}

enum Mode {
    /// `None` until (re)opened on next use.
    Idb(Option<Rc<Connection>>),
    Memory {
        log: MemoryLog,
        reason: String,
    },
}

/// Why a write failed, deciding whether one retry can help.
enum WriteFailure {
    Quota(String),
    ConnectionLost(String),
    Other(String),
}

/// Batches of samples in IndexedDB database `name`, or in memory when that is impossible.
pub struct Store {
    name: String,
    options: StoreOptions,
    mode: RefCell<Mode>,
    stats: Rc<RefCell<StoreStats>>,
    /// Alert history while storage is memory-only (bounded).
    memory_alerts: RefCell<std::collections::VecDeque<JsValue>>,
}

/// Alert events kept in memory when IndexedDB is unusable.
const MEMORY_ALERTS: usize = 1_000;

impl Store {
    /// [`Store::open_with`] default options.
    pub async fn open(db_name: &str) -> Result<Store, StoreError> {
        Self::open_with(db_name, StoreOptions::default()).await
    }

    /// Opens (creating or migrating) the database, falling back to memory when IndexedDB is
    /// unusable, then writes any batches journalled at the last `pagehide` and clears them.
    /// Errs only on bad input.
    pub async fn open_with(db_name: &str, options: StoreOptions) -> Result<Store, StoreError> {
        if db_name.is_empty() {
            return Err(StoreError::Invalid(FieldError::new(
                "dbName",
                Rule::NotEmpty,
            )));
        }
        if options.retention.max_age_ms.is_nan() || options.retention.max_age_ms < 0.0 {
            return Err(StoreError::Invalid(
                FieldError::new("maxAgeMs", Rule::NotNegative).got(options.retention.max_age_ms),
            ));
        }
        let store = Store {
            name: db_name.to_owned(),
            options,
            mode: RefCell::new(Mode::Idb(None)),
            stats: Rc::default(),
            memory_alerts: RefCell::default(),
        };
        // Connect now so state() is meaningful from the start.
        store.connection().await;
        store.replay_journal().await;
        Ok(store)
    }

    /// Where history goes right now.
    pub fn state(&self) -> StorageState {
        match &*self.mode.borrow() {
            Mode::Memory { reason, .. } => StorageState::MemoryOnly {
                reason: reason.clone(),
            },
            Mode::Idb(Some(c)) if c.is_open() => StorageState::Persistent,
            Mode::Idb(_) => StorageState::Closed,
        }
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> StoreStats {
        let mut stats = self.stats.borrow().clone();
        if let Mode::Memory { log, .. } = &*self.mode.borrow() {
            stats.memory_evicted = log.evicted();
        }
        stats
    }

    /// Closes the connection; the next call reopens it.
    pub fn close(&self) {
        if let Mode::Idb(conn) = &mut *self.mode.borrow_mut() {
            *conn = None;
        }
    }

    /// Writes batches in one transaction. A batch id already stored is overwritten, so
    /// replaying a batch never duplicates it. On a quota error, applies retention (keeping at
    /// most half the stored samples) and retries once; on a lost connection, reopens and
    /// retries once.
    pub async fn put_batches(&self, batches: &[ColumnarBatch]) -> Result<(), StoreError> {
        if batches.is_empty() {
            return Ok(());
        }
        let records: Vec<Object> = batches
            .iter()
            .map(|b| batch_codec::encode(b, ColumnForm::Typed))
            .collect();
        let mut retried = false;
        loop {
            let Some(conn) = self.connection().await else {
                self.with_memory(|log| batches.iter().for_each(|b| log.put(b.clone())));
                return Ok(());
            };
            let failure = match write(&conn, &records).await {
                Ok(()) => return Ok(()),
                Err(failure) => failure,
            };
            match failure {
                WriteFailure::Quota(why) => {
                    self.stats.borrow_mut().quota_errors += 1;
                    if retried {
                        return Err(StoreError::Quota(why));
                    }
                    self.free_space(&conn).await?;
                }
                WriteFailure::ConnectionLost(why) if retried => {
                    return Err(StoreError::Failed(why));
                }
                WriteFailure::ConnectionLost(_) => conn.lost.set(true),
                WriteFailure::Other(why) => return Err(StoreError::Failed(why)),
            }
            retried = true;
        }
    }

    /// Batches with a sample starting in `[from_ms, to_ms]`, in `(min start, id)` order.
    pub async fn read_range(
        &self,
        from_ms: f64,
        to_ms: f64,
    ) -> Result<Vec<ColumnarBatch>, StoreError> {
        let Some(conn) = self.connection().await else {
            return Ok(self.with_memory(|log| log.read_range(from_ms, to_ms)));
        };
        let tx = conn
            .database()
            .transaction(&[BATCHES], TransactionMode::ReadOnly)?;
        let index = tx.object_store(BATCHES)?.index(BY_END)?;
        // [maxStart, count] >= [from]: every batch whose newest sample starts at or after from.
        let lower = KeyRange::lower_bound(&Array::of1(&from_ms.into()).into(), Some(false))?;
        let records = index.get_all(Some(Query::from(lower)), None)?.await?;
        let mut batches: Vec<ColumnarBatch> = records
            .iter()
            .filter_map(|r| self.decode(r))
            .filter(|b| b.min_start_ms() <= to_ms)
            .collect();
        batches.sort_by(|a, b| {
            a.min_start_ms()
                .total_cmp(&b.min_start_ms())
                .then_with(|| a.id().cmp(b.id()))
        });
        Ok(batches)
    }

    /// Up to `limit` raw samples after `after` (start with `None`), walking batches by start
    /// time with a cursor so only the batches the page needs are read.
    pub async fn read_page(
        &self,
        after: Option<SampleCursor>,
        limit: usize,
    ) -> Result<SamplePage, StoreError> {
        let Some(conn) = self.connection().await else {
            return Ok(self.with_memory(|log| log.read_page(after, limit)));
        };
        let mut page = PageBuilder::new(after, limit);
        let tx = conn
            .database()
            .transaction(&[BATCHES], TransactionMode::ReadOnly)?;
        let index = tx.object_store(BATCHES)?.index(BY_START)?;
        let query = match page.seek_ms() {
            Some(t) => Some(Query::from(KeyRange::lower_bound(&t.into(), Some(false))?)),
            None => None,
        };
        let Some(cursor) = index.open_cursor(query, None)?.await? else {
            return Ok(page.finish());
        };
        let mut cursor = cursor.into_managed();
        while let Some(record) = cursor.value()? {
            let wants_more = self.decode(&record).is_none_or(|batch| page.offer(&batch));
            if !wants_more {
                break;
            }
            cursor.next(None).await?;
        }
        Ok(page.finish())
    }

    /// Samples stored, counted from index keys without reading any batch.
    pub async fn count_samples(&self) -> Result<u64, StoreError> {
        let Some(conn) = self.connection().await else {
            return Ok(self.with_memory(|log| log.count_samples()));
        };
        let extents = extents(&conn).await?;
        Ok(extents.iter().map(|e| u64::from(e.count)).sum())
    }

    /// Deletes the batches `retention` expires at `now_ms`; returns the samples deleted.
    pub async fn apply_retention(
        &self,
        retention: &Retention,
        now_ms: f64,
    ) -> Result<u64, StoreError> {
        let Some(conn) = self.connection().await else {
            return Ok(self.with_memory(|log| log.apply_retention(retention, now_ms)));
        };
        delete_expired(&conn, retention, now_ms).await
    }

    /// Deletes all history.
    pub async fn clear(&self) -> Result<(), StoreError> {
        let Some(conn) = self.connection().await else {
            self.with_memory(MemoryLog::clear);
            return Ok(());
        };
        let tx = conn
            .database()
            .transaction(&[BATCHES], TransactionMode::ReadWrite)?;
        tx.object_store(BATCHES)?.clear()?;
        Ok(commit(&conn, tx).await?)
    }

    /// The open connection, (re)opening it if needed; `None` in memory mode, entered for good
    /// when opening fails.
    async fn connection(&self) -> Option<Rc<Connection>> {
        match &*self.mode.borrow() {
            Mode::Memory { .. } => return None,
            Mode::Idb(Some(c)) if c.is_open() => return Some(c.clone()),
            Mode::Idb(_) => {}
        }
        let opened = idb_schema::open(&self.name).await;
        let mut mode = self.mode.borrow_mut();
        // Another call may have settled the mode while this one awaited.
        let settled = match &*mode {
            Mode::Memory { .. } => Some(None),
            Mode::Idb(Some(c)) if c.is_open() => Some(Some(c.clone())),
            Mode::Idb(_) => None,
        };
        if let Some(settled) = settled {
            if let Ok(db) = opened {
                db.close();
            }
            return settled;
        }
        let mut stats = self.stats.borrow_mut();
        match opened {
            Ok(db) => {
                stats.opens += 1;
                let conn = Rc::new(Connection::new(db, &self.stats));
                *mode = Mode::Idb(Some(conn.clone()));
                Some(conn)
            }
            Err(failure) => {
                let reason = match failure {
                    OpenFailure::Blocked => {
                        stats.blocked += 1;
                        "blocked: another tab keeps an older version open".to_owned()
                    }
                    OpenFailure::Unavailable(why) => format!("unavailable: {why}"),
                    OpenFailure::Incompatible(why) => format!("incompatible: {why}"),
                };
                *mode = Mode::Memory {
                    log: MemoryLog::new(self.options.memory_max_samples),
                    reason,
                };
                None
            }
        }
    }

    /// Appends alert events (plain objects with a numeric `at`, epoch ms) in one transaction.
    pub async fn put_alerts(&self, events: &[JsValue]) -> Result<(), StoreError> {
        let Some(conn) = self.connection().await else {
            let mut memory = self.memory_alerts.borrow_mut();
            memory.extend(events.iter().cloned());
            while memory.len() > MEMORY_ALERTS {
                memory.pop_front();
            }
            return Ok(());
        };
        let tx = conn
            .database()
            .transaction(&[ALERTS], TransactionMode::ReadWrite)?;
        let store = tx.object_store(ALERTS)?;
        for event in events {
            store.add(event, None)?;
        }
        commit(&conn, tx).await.map_err(StoreError::from)
    }

    /// Alert events with `at` in `[from_ms, to_ms]`, oldest first.
    pub async fn read_alerts(&self, from_ms: f64, to_ms: f64) -> Result<Vec<JsValue>, StoreError> {
        let Some(conn) = self.connection().await else {
            let at = |e: &JsValue| {
                js_sys::Reflect::get(e, &"at".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(f64::NAN)
            };
            let memory = self.memory_alerts.borrow();
            return Ok(memory
                .iter()
                .filter(|e| (from_ms..=to_ms).contains(&at(e)))
                .cloned()
                .collect());
        };
        let tx = conn
            .database()
            .transaction(&[ALERTS], TransactionMode::ReadOnly)?;
        let index = tx.object_store(ALERTS)?.index(BY_AT)?;
        let range = KeyRange::bound(
            &from_ms.max(-f64::MAX).into(),
            &to_ms.min(f64::MAX).into(),
            Some(false),
            Some(false),
        )?;
        let records = index.get_all(Some(Query::from(range)), None)?.await?;
        Ok(records)
    }

    /// Runs `f` on the memory log; only called after [`Store::connection`] returned `None`.
    fn with_memory<T: Default>(&self, f: impl FnOnce(&mut MemoryLog) -> T) -> T {
        match &mut *self.mode.borrow_mut() {
            Mode::Memory { log, .. } => f(log),
            Mode::Idb(_) => T::default(),
        }
    }

    fn decode(&self, record: &JsValue) -> Option<ColumnarBatch> {
        let decoded = batch_codec::decode(record);
        if decoded.is_err() {
            self.stats.borrow_mut().corrupt_skipped += 1;
        }
        decoded.ok()
    }

    /// After a quota error: the configured retention, tightened to half the stored samples so
    /// the retry has room.
    async fn free_space(&self, conn: &Connection) -> Result<u64, StoreError> {
        let stored: u64 = extents(conn)
            .await?
            .iter()
            .map(|e| u64::from(e.count))
            .sum();
        let retention = Retention {
            max_samples: self.options.retention.max_samples.min(stored / 2),
            ..self.options.retention
        };
        let now_ms = js_sys::Date::now();
        delete_expired(conn, &retention, now_ms).await
    }

    /// Writes what the last page's `pagehide` journalled, then removes exactly those entries.
    /// Batch ids make this idempotent when two tabs replay at once.
    async fn replay_journal(&self) {
        let Some(journal) = Journal::open(&self.name) else {
            return;
        };
        let entries = journal.pending();
        if entries.is_empty() || self.connection().await.is_none() {
            return;
        }
        let batches: Vec<ColumnarBatch> = entries.iter().map(|(_, b)| b.clone()).collect();
        if self.put_batches(&batches).await.is_ok() {
            journal.remove(entries.iter().map(|(key, _)| key.as_str()));
            self.stats.borrow_mut().journal_replayed += batches.len() as u32;
        }
    }
}

/// Puts every record in one transaction and awaits only its commit.
async fn write(conn: &Connection, records: &[Object]) -> Result<(), WriteFailure> {
    let failed = |e: idb::Error| classify(conn, &e.to_string());
    let tx = conn
        .database()
        .transaction(&[BATCHES], TransactionMode::ReadWrite)
        .map_err(failed)?;
    let store = tx.object_store(BATCHES).map_err(failed)?;
    for record in records {
        store.put(record, None).map_err(failed)?;
    }
    commit(conn, tx).await
}

/// Awaits a transaction's outcome, reading the abort reason from the transaction itself since
/// the abort event carries none.
async fn commit(conn: &Connection, tx: idb::Transaction) -> Result<(), WriteFailure> {
    let raw = IdbTransaction::from(tx);
    match idb::Transaction::from(raw.clone()).await {
        Ok(TransactionResult::Committed) => Ok(()),
        outcome => {
            let reason = raw
                .error()
                .map(|e| describe(&e.into()))
                .or_else(|| outcome.err().map(|e| e.to_string()))
                .unwrap_or_else(|| "AbortError: transaction aborted".to_owned());
            Err(classify(conn, &reason))
        }
    }
}

/// A closed connection fails new transactions with `InvalidStateError` and aborts running ones;
/// with the connection still open, a bare `AbortError` on a plain write is how Chromium may
/// report quota.
fn classify(conn: &Connection, reason: &str) -> WriteFailure {
    if !conn.is_open() || reason.contains("InvalidStateError") {
        WriteFailure::ConnectionLost(reason.to_owned())
    } else if reason.contains("QuotaExceededError") || reason.starts_with("AbortError") {
        WriteFailure::Quota(reason.to_owned())
    } else {
        WriteFailure::Other(reason.to_owned())
    }
}

/// `(id, maxStart, count)` of every batch, from the `byEnd` index keys alone.
async fn extents(conn: &Connection) -> Result<Vec<BatchExtent>, StoreError> {
    let tx = conn
        .database()
        .transaction(&[BATCHES], TransactionMode::ReadOnly)?;
    let index = tx.object_store(BATCHES)?.index(BY_END)?;
    let mut extents = Vec::new();
    let Some(cursor) = index.open_key_cursor(None, None)?.await? else {
        return Ok(extents);
    };
    let mut cursor = cursor.into_managed();
    while let (Some(key), Some(id)) = (cursor.key()?, cursor.primary_key()?) {
        let key = Array::from(&key);
        extents.push(BatchExtent {
            id: id.as_string().unwrap_or_default(),
            max_start_ms: key.get(0).as_f64().unwrap_or(f64::NAN),
            count: key.get(1).as_f64().unwrap_or(0.0) as u32,
        });
        cursor.next(None).await?;
    }
    Ok(extents)
}

async fn delete_expired(
    conn: &Connection,
    retention: &Retention,
    now_ms: f64,
) -> Result<u64, StoreError> {
    let extents = extents(conn).await?;
    let expired = retention.expired(&extents, now_ms);
    if expired.is_empty() {
        return Ok(0);
    }
    let tx = conn
        .database()
        .transaction(&[BATCHES], TransactionMode::ReadWrite)?;
    let store = tx.object_store(BATCHES)?;
    for id in &expired {
        store.delete(Query::from(JsValue::from_str(id)))?;
    }
    commit(conn, tx).await?;
    let expired: HashSet<&String> = expired.iter().collect();
    let deleted = extents
        .iter()
        .filter(|e| expired.contains(&e.id))
        .map(|e| u64::from(e.count))
        .sum();
    Ok(deleted)
}
