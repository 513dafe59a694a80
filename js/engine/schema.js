// The IndexedDB schema of stored history, its migrations, and opening a connection to it.
//
// The schema is round 1's, version 3, so a database written by the Rust store opens and reads:
//   batches  keyPath "id"; index byStart on minStart, index byEnd on [maxStart, count]
//   meta     out-of-line keys: bookkeeping (here, the widest batch span)
//   alerts   autoIncrement; index byAt on at
// Opening never stalls: on `blocked` (an old tab that ignores `versionchange`) or when the
// open does not settle in time (queued behind another tab's blocked upgrade), it answers at
// once and hands over `late`, the connection the request yields should the blocker go away.

export const BATCHES = "batches";
export const META = "meta";
export const ALERTS = "alerts";
export const BY_START = "byStart";
export const BY_END = "byEnd";
export const BY_AT = "byAt";
/** `meta` key of an upper bound on `maxStart - minStart` over every stored batch. */
export const SPAN_KEY = "maxSpanMs";

// MIGRATIONS[v] upgrades version v to v + 1. Each step is idempotent and every step runs on
// each upgrade, so a database another script created at a lower version without our stores
// is completed instead of failing the open.
const MIGRATIONS = [
  function createStores(db, tx) {
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
    if (!db.objectStoreNames.contains(BATCHES)) {
      db.createObjectStore(BATCHES, { keyPath: "id" }).createIndex(BY_START, "minStart");
      // Empty, so the widest span is known (0) from the start and kept by every write.
      tx.objectStore(META).put(0, SPAN_KEY);
    }
  },
  function addEndIndex(db, tx) {
    const batches = tx.objectStore(BATCHES);
    if (!batches.indexNames.contains(BY_END)) {
      batches.createIndex(BY_END, ["maxStart", "count"], { unique: false });
    }
  },
  function addAlertHistory(db) {
    if (!db.objectStoreNames.contains(ALERTS)) {
      db.createObjectStore(ALERTS, { autoIncrement: true }).createIndex(BY_AT, "at");
    }
  },
];

/** The version this code writes. */
export const VERSION = MIGRATIONS.length;

/** `"Name: message"` of a DOMException or Error, else its string form. */
export function describe(error) {
  return error && typeof error === "object" && "name" in error
    ? `${error.name}: ${error.message}`
    : String(error);
}

/**
 * Opens database `name` at VERSION, migrating as needed; a database already at a higher version
 * (upgraded by newer code in another tab) is used as is when it has our stores and indexes.
 * Resolves, never rejects, to one of
 *   { db }
 *   { failure: "blocked", reason, late: Promise<IDBDatabase | null> }
 *   { failure: "unavailable" | "incompatible", reason, permanent }
 * `permanent` says retrying cannot help (no IndexedDB, or it refuses this origin).
 */
export async function openDatabase(name, stallMs) {
  const factory = globalThis.indexedDB;
  if (!factory) return { failure: "unavailable", reason: "unavailable: no indexedDB", permanent: true };
  const opened = await request(factory, name, VERSION, stallMs);
  if (opened.error?.name !== "VersionError") return opened;
  const newer = await request(factory, name, undefined, stallMs);
  if (newer.late) return { ...newer, late: newer.late.then((db) => db && compatible(db)) };
  if (!newer.db) return newer;
  const db = compatible(newer.db);
  return db
    ? { db }
    : {
        failure: "incompatible",
        reason: `incompatible: version ${newer.db.version} lacks the ${BATCHES}/${META}/${ALERTS} stores`,
        permanent: false,
      };
}

/** `db` when it has every store and index we use, else null (and `db` closed). */
function compatible(db) {
  const stores = db.objectStoreNames;
  if (stores.contains(BATCHES) && stores.contains(META) && stores.contains(ALERTS)) {
    const tx = db.transaction([BATCHES, ALERTS], "readonly");
    const indexes = tx.objectStore(BATCHES).indexNames;
    if (indexes.contains(BY_START) && indexes.contains(BY_END) && tx.objectStore(ALERTS).indexNames.contains(BY_AT)) {
      return db;
    }
  }
  db.close();
  return null;
}

function request(factory, name, version, stallMs) {
  return new Promise((resolve) => {
    let req;
    try {
      req = version === undefined ? factory.open(name) : factory.open(name, version);
    } catch (error) {
      // SecurityError (opaque origin, storage disabled) or TypeError: this page never gets one.
      resolve({ failure: "unavailable", reason: `unavailable: ${describe(error)}`, permanent: true });
      return;
    }
    let answered = false;
    let settleLate;
    const late = new Promise((r) => (settleLate = r));
    const answerEarly = (reason) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      resolve({ failure: "blocked", reason, late });
    };
    const timer = setTimeout(
      () => answerEarly(`blocked: the open did not complete in ${stallMs} ms (another tab's upgrade is pending)`),
      stallMs,
    );
    req.onblocked = () => answerEarly("blocked: another tab keeps an older version open");
    req.onupgradeneeded = () => migrate(req.result, req.transaction);
    req.onsuccess = () => {
      clearTimeout(timer);
      if (answered) settleLate(req.result);
      else resolve({ db: req.result });
    };
    req.onerror = (event) => {
      event.preventDefault(); // handled: keep it from surfacing as an uncaught error
      clearTimeout(timer);
      if (answered) settleLate(null);
      else resolve({ failure: "unavailable", reason: `unavailable: ${describe(req.error)}`, error: req.error, permanent: false });
    };
  });
}

/** Runs the migrations; a failing one aborts the upgrade, which fails the open. */
function migrate(db, tx) {
  try {
    for (const step of MIGRATIONS) step(db, tx);
  } catch {
    tx.abort();
  }
}
