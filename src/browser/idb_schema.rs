//! The IndexedDB schema, its migrations, and opening a connection to it.
//!
//! Opening uses the raw `IDBOpenDBRequest` rather than `idb`'s future because the store must
//! stop waiting on `blocked` (an old tab that ignores `versionchange` would otherwise stall
//! it forever) and close the connection should it arrive after all.

use std::cell::Cell;
use std::rc::Rc;

use idb::{IndexParams, KeyPath, ObjectStoreParams};
use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbOpenDbRequest, IdbVersionChangeEvent};

use super::batch_codec::{COUNT, ID, MAX_START, MIN_START};

/// One record per batch, keyed by batch id.
pub const BATCHES: &str = "batches";
/// Small bookkeeping records.
pub const META: &str = "meta";
/// `batches` index on `minStart`: time-ordered reads and paging.
pub const BY_START: &str = "byStart";
/// `batches` index on `[maxStart, count]`: range reads, retention and counting from keys alone.
pub const BY_END: &str = "byEnd";
/// Alert history: fired and resolved events, auto-increment keys.
pub const ALERTS: &str = "alerts";
/// `alerts` index on the event time `at`.
pub const BY_AT: &str = "byAt";

type Migration = fn(&idb::Database, &idb::Transaction) -> Result<(), idb::Error>;

/// `MIGRATIONS[v]` upgrades version `v` to `v + 1`; the schema version is their count.
const MIGRATIONS: [Migration; 3] = [create_stores, add_end_index, add_alert_history];

/// The version this code writes.
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

fn create_stores(db: &idb::Database, _: &idb::Transaction) -> Result<(), idb::Error> {
    let mut params = ObjectStoreParams::new();
    params.key_path(Some(KeyPath::new_single(ID)));
    let batches = db.create_object_store(BATCHES, params)?;
    batches.create_index(BY_START, KeyPath::new_single(MIN_START), None)?;
    db.create_object_store(META, ObjectStoreParams::new())?;
    Ok(())
}

fn add_end_index(_: &idb::Database, tx: &idb::Transaction) -> Result<(), idb::Error> {
    let mut params = IndexParams::new();
    params.unique(false);
    tx.object_store(BATCHES)?.create_index(
        BY_END,
        KeyPath::new_array([MAX_START, COUNT]),
        Some(params),
    )?;
    Ok(())
}

fn add_alert_history(db: &idb::Database, _: &idb::Transaction) -> Result<(), idb::Error> {
    let mut params = ObjectStoreParams::new();
    params.auto_increment(true);
    let alerts = db.create_object_store(ALERTS, params)?;
    alerts.create_index(BY_AT, KeyPath::new_single("at"), None)?;
    Ok(())
}

/// Why no connection could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenFailure {
    /// No `indexedDB`, or it refused (opaque origin, disabled storage, private mode quirks).
    Unavailable(String),
    /// Another connection on an older version did not close for our upgrade.
    Blocked,
    /// The database is newer than this code and lacks the stores it needs.
    Incompatible(String),
}

/// Opens `name` at [`schema_version`], migrating as needed. A database already at a higher
/// version (upgraded by newer code in another tab) is used as is when it has our stores.
pub async fn open(name: &str) -> Result<IdbDatabase, OpenFailure> {
    let factory: IdbFactory = idb::Factory::new()
        .map_err(|e| OpenFailure::Unavailable(e.to_string()))?
        .into();
    match request(&factory, name, Some(schema_version())).await {
        Err(OpenFailure::Unavailable(reason)) if reason.starts_with("VersionError") => {
            let db = request(&factory, name, None).await?;
            let names = db.object_store_names();
            if names.contains(BATCHES) && names.contains(META) {
                Ok(db)
            } else {
                db.close();
                Err(OpenFailure::Incompatible(format!(
                    "version {} lacks the {BATCHES}/{META} stores",
                    db.version()
                )))
            }
        }
        other => other,
    }
}

async fn request(
    factory: &IdbFactory,
    name: &str,
    version: Option<u32>,
) -> Result<IdbDatabase, OpenFailure> {
    let request = match version {
        Some(v) => factory.open_with_u32(name, v),
        None => factory.open(name),
    }
    .map_err(|e| OpenFailure::Unavailable(describe(&e)))?;
    let abandoned = Rc::new(Cell::new(false));
    let outcome = Promise::new(&mut |resolve, reject| {
        // `once_into_js` handlers free themselves when called; the ones that never fire leak a
        // few bytes per open, which beats a dropped closure throwing from a late event.
        let (req, gone) = (request.clone(), abandoned.clone());
        let on_success = Closure::once_into_js(move || match req.result() {
            Ok(db) if gone.get() => db.unchecked_into::<IdbDatabase>().close(),
            Ok(db) => drop(resolve.call1(&JsValue::NULL, &db)),
            Err(e) => drop(resolve.call1(&JsValue::NULL, &e)),
        });
        let (req, reject_blocked) = (request.clone(), reject.clone());
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            // Handled here: keep it from surfacing as an uncaught error.
            event.prevent_default();
            let error = req
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::NULL, JsValue::from);
            drop(reject.call1(&JsValue::NULL, &error));
        });
        let gone = abandoned.clone();
        let on_blocked = Closure::once_into_js(move || {
            gone.set(true);
            drop(reject_blocked.call1(&JsValue::NULL, &JsValue::from_str("blocked")));
        });
        let req = request.clone();
        let on_upgrade = Closure::once_into_js(move |event: IdbVersionChangeEvent| {
            migrate(&req, event.old_version() as usize);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
        request.set_onblocked(Some(on_blocked.unchecked_ref()));
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    });
    match JsFuture::from(outcome).await {
        Ok(db) => db
            .dyn_into::<IdbDatabase>()
            .map_err(|e| OpenFailure::Unavailable(describe(&e))),
        Err(e) if e.as_string().as_deref() == Some("blocked") => Err(OpenFailure::Blocked),
        Err(e) => Err(OpenFailure::Unavailable(describe(&e))),
    }
}

/// Runs the migrations after `old_version`; on failure aborts the upgrade, which fails the open.
fn migrate(request: &IdbOpenDbRequest, old_version: usize) {
    let (Ok(db), Some(tx)) = (request.result(), request.transaction()) else {
        return;
    };
    let db = idb::Database::from(db.unchecked_into::<IdbDatabase>());
    let tx = idb::Transaction::from(tx);
    let steps = MIGRATIONS.iter().skip(old_version);
    if steps.map(|step| step(&db, &tx)).any(|r| r.is_err()) {
        let _ = tx.abort();
    }
}

/// `"Name: message"` of a DOMException or Error, else its string form.
pub fn describe(error: &JsValue) -> String {
    match error.dyn_ref::<web_sys::DomException>() {
        Some(e) => format!("{}: {}", e.name(), e.message()),
        None => error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.to_string()))
            .or_else(|| error.as_string())
            .unwrap_or_else(|| format!("{error:?}")),
    }
}
