//! The storage layer against Chromium's real IndexedDB and localStorage.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use apiscope::browser::idb_store::{StorageState, Store};
use apiscope::browser::journal::Journal;
use apiscope::browser::lifecycle::{PageExit, PageExitListener};
use apiscope::core::batch::batcher::BatchId;
use apiscope::core::batch::columnar::ColumnarBatch;
use apiscope::core::batch::retention::Retention;
use apiscope::core::batch::sample::Sample;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const T0: f64 = 1.7e12;

fn unique_name(test: &str) -> String {
    format!("apiscope-test-{test}-{}", js_sys::Math::random())
}

fn samples(n: usize, t0: f64) -> Vec<Sample> {
    (0..n)
        .map(|i| {
            let mut s = Sample::new(
                t0 + i as f64 * 0.5,
                (i % 997) as f64 * 1.25,
                ["GET", "POST"][i % 2],
                ["/api/users/:id", "/api/orders", "/health"][i % 3],
                [200, 201, 404, 500][i % 4],
            );
            s.bytes = (i % 3 == 0).then_some(i as u32);
            s
        })
        .collect()
}

/// Batches of `per_batch` samples with ids of `session`.
fn batches(samples: &[Sample], per_batch: usize, session: u64) -> Vec<ColumnarBatch> {
    samples
        .chunks(per_batch)
        .enumerate()
        .map(|(seq, chunk)| {
            let id = BatchId {
                session,
                seq: seq as u64,
            };
            ColumnarBatch::encode(id.to_string(), chunk).unwrap()
        })
        .collect()
}

fn all_samples(batches: &[ColumnarBatch]) -> Vec<Sample> {
    batches.iter().flat_map(ColumnarBatch::samples).collect()
}

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn assert_memory_only(store: &Store, reason_start: &str) {
    match store.state() {
        StorageState::MemoryOnly { reason } => {
            assert!(reason.starts_with(reason_start), "{reason}")
        }
        other => panic!("expected memory-only ({reason_start}), got {other:?}"),
    }
}

/// A connection of another tab, with no `versionchange` handling.
async fn raw_open(name: &str, version: u32) -> idb::Database {
    let request = idb::Factory::new()
        .unwrap()
        .open(name, Some(version))
        .unwrap();
    request.await.unwrap()
}

async fn delete_db(name: &str) {
    let request = idb::Factory::new().unwrap().delete(name).unwrap();
    request.await.unwrap();
}

#[wasm_bindgen_test]
async fn hundred_thousand_samples_round_trip_exactly() {
    let name = unique_name("100k");
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.state(), StorageState::Persistent);
    let written = samples(100_000, T0);
    let started = now_ms();
    let encoded = batches(&written, 1_000, 1);
    for batch in encoded.chunks(1) {
        store.put_batches(batch).await.unwrap();
    }
    let elapsed = now_ms() - started;
    web_sys::console::log_1(
        &format!(
            "browser_store: 100000 samples in 100 one-batch transactions: {elapsed:.0} ms, {:.0} samples/s (encode + write)",
            100_000.0 / (elapsed / 1_000.0)
        )
        .into(),
    );
    assert_eq!(store.count_samples().await.unwrap(), 100_000);
    let read = store.read_range(0.0, f64::MAX).await.unwrap();
    assert_eq!(read.len(), 100);
    assert_eq!(all_samples(&read), written);
    // Paging with a limit that straddles batches returns each sample once, in order.
    let (mut paged, mut after) = (Vec::new(), None);
    loop {
        let page = store.read_page(after, 7_777).await.unwrap();
        paged.extend(page.samples);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, written);
    // A time window returns just the overlapping batches.
    let window = store.read_range(T0 + 999.5, T0 + 1_499.5).await.unwrap();
    assert_eq!(window.len(), 2);
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn history_survives_reopening_and_replays_do_not_duplicate() {
    let name = unique_name("reopen");
    let written = samples(2_500, T0);
    let encoded = batches(&written, 500, 2);
    {
        let store = Store::open(&name).await.unwrap();
        store.put_batches(&encoded).await.unwrap();
        store.put_batches(&encoded[..2]).await.unwrap(); // replayed: overwrites
    }
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.count_samples().await.unwrap(), 2_500);
    assert_eq!(
        all_samples(&store.read_range(0.0, f64::MAX).await.unwrap()),
        written
    );
    store.clear().await.unwrap();
    assert_eq!(store.count_samples().await.unwrap(), 0);
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn retention_by_age_and_by_count() {
    let name = unique_name("retention");
    let store = Store::open(&name).await.unwrap();
    // Ten batches of 100, one per second of history.
    let encoded: Vec<ColumnarBatch> = (0..10)
        .flat_map(|i| batches(&samples(100, T0 + i as f64 * 1_000.0), 100, i))
        .collect();
    store.put_batches(&encoded).await.unwrap();
    let by_age = Retention {
        max_age_ms: 4_500.0,
        max_samples: u64::MAX,
    };
    // Newest sample of batch i starts at T0 + 1000 i + 49.5; the cutoff is T0 + 5000.
    assert_eq!(
        store.apply_retention(&by_age, T0 + 9_500.0).await.unwrap(),
        500
    );
    assert_eq!(store.count_samples().await.unwrap(), 500);
    let by_count = Retention {
        max_age_ms: f64::INFINITY,
        max_samples: 250,
    };
    assert_eq!(store.apply_retention(&by_count, T0).await.unwrap(), 300);
    let kept = store.read_range(0.0, f64::MAX).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].min_start_ms(), T0 + 8_000.0);
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn two_stores_on_one_database_lose_and_duplicate_nothing() {
    let name = unique_name("two-tabs");
    let a = Rc::new(Store::open(&name).await.unwrap());
    let b = Rc::new(Store::open(&name).await.unwrap());
    let from_a = batches(&samples(6_000, T0), 200, 0xa);
    let from_b = batches(&samples(4_000, T0 + 5.0), 100, 0xb);
    // Each store writes its batches one transaction at a time, both at once; b also replays
    // a's first batches, as a tab replaying a shared journal would.
    let writer = |store: Rc<Store>, batches: Vec<ColumnarBatch>| {
        future_to_promise(async move {
            for batch in batches.chunks(1) {
                store
                    .put_batches(batch)
                    .await
                    .map_err(|e| JsValue::from_str(&e.to_string()))?;
            }
            Ok(JsValue::UNDEFINED)
        })
    };
    let replay: Vec<ColumnarBatch> = from_b.iter().chain(&from_a[..5]).cloned().collect();
    let both = js_sys::Array::of2(
        &writer(a.clone(), from_a.clone()),
        &writer(b.clone(), replay),
    );
    JsFuture::from(js_sys::Promise::all(&both)).await.unwrap();
    assert_eq!(a.count_samples().await.unwrap(), 10_000);
    assert_eq!(b.count_samples().await.unwrap(), 10_000);
    let stored = a.read_range(0.0, f64::MAX).await.unwrap();
    assert_eq!(stored.len(), 30 + 40);
    drop((a, b));
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn versionchange_closes_the_connection_and_the_store_reopens() {
    let name = unique_name("versionchange");
    let store = Store::open(&name).await.unwrap();
    store
        .put_batches(&batches(&samples(300, T0), 100, 3))
        .await
        .unwrap();
    // Newer code in another tab upgrades: ours must close or that open would be blocked.
    let newer = raw_open(&name, 99).await;
    assert_eq!(store.state(), StorageState::Closed);
    assert_eq!(store.stats().connections_lost, 1);
    newer.close();
    // Next use reopens the (now newer, still compatible) database.
    assert_eq!(store.count_samples().await.unwrap(), 300);
    assert_eq!(store.state(), StorageState::Persistent);
    store
        .put_batches(&batches(&samples(100, T0 + 1e6), 100, 4))
        .await
        .unwrap();
    assert_eq!(store.count_samples().await.unwrap(), 400);
    assert_eq!(store.stats().opens, 2);
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn blocked_upgrade_falls_back_to_memory_and_keeps_working() {
    let name = unique_name("blocked");
    // An old tab holds version 1 open and ignores versionchange.
    let old = raw_open(&name, 1).await;
    let store = Store::open(&name).await.unwrap();
    assert_memory_only(&store, "blocked");
    assert_eq!(store.stats().blocked, 1);
    let written = samples(1_000, T0);
    store.put_batches(&batches(&written, 250, 5)).await.unwrap();
    assert_eq!(store.count_samples().await.unwrap(), 1_000);
    assert_eq!(
        all_samples(&store.read_range(0.0, f64::MAX).await.unwrap()),
        written
    );
    old.close();
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn incompatible_newer_database_falls_back_to_memory() {
    let name = unique_name("incompatible");
    let foreign = raw_open(&name, 7).await;
    foreign.close();
    let store = Store::open(&name).await.unwrap();
    assert_memory_only(&store, "incompatible");
    store
        .put_batches(&batches(&samples(10, T0), 10, 6))
        .await
        .unwrap();
    assert_eq!(store.count_samples().await.unwrap(), 10);
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
async fn journal_is_replayed_exactly_once() {
    let name = unique_name("journal");
    let written = samples(1_500, T0);
    let encoded = batches(&written, 500, 7);
    let journal = Journal::open(&name).unwrap();
    assert_eq!(journal.write(&encoded).written, 3);
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.stats().journal_replayed, 3);
    assert!(journal.pending().is_empty());
    assert_eq!(
        all_samples(&store.read_range(0.0, f64::MAX).await.unwrap()),
        written
    );
    drop(store);
    // Replaying entries that were already written (a crash before removal) adds nothing.
    journal.write(&encoded[..1]);
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.stats().journal_replayed, 1);
    assert_eq!(store.count_samples().await.unwrap(), 1_500);
    drop(store);
    delete_db(&name).await;
}

#[wasm_bindgen_test]
fn page_exit_listener_fires_until_dropped() {
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    let listener = PageExitListener::new(move |exit| {
        assert_eq!(exit, PageExit::PageHide);
        seen.set(seen.get() + 1);
    })
    .unwrap();
    let window = web_sys::window().unwrap();
    let pagehide = || web_sys::Event::new("pagehide").unwrap();
    window.dispatch_event(&pagehide()).unwrap();
    assert_eq!(calls.get(), 1);
    drop(listener);
    window.dispatch_event(&pagehide()).unwrap();
    assert_eq!(calls.get(), 1);
}
