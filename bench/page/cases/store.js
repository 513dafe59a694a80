// Persisting samples to IndexedDB: samples per second until durable, and main-thread time per
// 1 000 samples. Dexie bulkAdd and idb (one record per sample, one transaction) beside
// apiscope's Profiler; each writes the same samples into its own database, deleted after.
import { compare, row } from "../harness.js";
import { lognormal } from "../data.js";

const PENDING = "apiscope's Profiler is not in main yet";
const ROUTES = ["/api/users/:id", "/api/orders", "/api/search", "/api/cart/:id/items"];

/** Samples shaped like apiscope's: start, duration, method, route template, status. */
function samples(n) {
  const durations = lognormal(n, 5);
  const start = Date.now();
  return Array.from(durations, (durationMs, i) => ({
    startMs: start + i,
    durationMs,
    method: i % 5 ? "GET" : "POST",
    route: ROUTES[i % ROUTES.length],
    status: i % 50 ? 200 : 503,
    ok: i % 50 !== 0,
    bytes: 512 + (i % 1024),
  }));
}

async function dexie({ Dexie }, rows) {
  const db = new Dexie("apiscope-bench-dexie");
  db.version(1).stores({ samples: "++" }); // outbound keys: Dexie leaves the objects alone
  await db.open();
  return {
    name: "Dexie bulkAdd",
    setup: () => db.samples.clear(),
    run: () => db.samples.bulkAdd(rows),
    close: () => db.delete(),
  };
}

async function idb({ openDB, deleteDB }, rows) {
  const name = "apiscope-bench-idb";
  const db = await openDB(name, 1, {
    upgrade: (d) => d.createObjectStore("samples", { autoIncrement: true }),
  });
  return {
    name: "idb, record per sample",
    setup: () => db.clear("samples"),
    run: async () => {
      // Every put is issued before the first await: idb commits at any other await.
      const tx = db.transaction("samples", "readwrite");
      for (const s of rows) tx.store.add(s);
      await tx.done;
    },
    close: () => {
      db.close();
      return deleteDB(name);
    },
  };
}

export default async function storeCase({ store: { samples: n }, schedule }, { wasm, peers }) {
  const rows = samples(n);
  const contestants = [await dexie(peers, rows), await idb(peers, rows)];
  const result = await compare(contestants, schedule);
  for (const c of contestants) await c.close();
  const perSecond = Object.fromEntries(contestants.map((c) => [c.name, n / (result.wall[c.name] / 1000)]));
  const mainPerK = Object.fromEntries(contestants.map((c) => [c.name, result.main[c.name] / (n / 1000)]));
  const pending = wasm.Profiler ? undefined : PENDING;
  const note = `${n} samples per round`;
  return [
    row({ metric: "samples persisted", unit: "samples/s", better: "higher", values: perSecond, note, pending }),
    row({ metric: "main-thread time", unit: "ms/1000 samples", better: "lower", values: mainPerK, note, pending }),
  ];
}
