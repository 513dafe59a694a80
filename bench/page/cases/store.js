// Persisting samples to IndexedDB: samples per second until committed, and main-thread time
// per 1 000 samples. apiscope's Profiler (recordMany or record, then flush) beside Dexie
// bulkAdd and idb with one record per sample; each writes the same samples into its own
// database, deleted after.
import { compare, row } from "../harness.js";
import { lognormal } from "../data.js";
import { deleteDatabase } from "../storage.js";

const ENDPOINTS = [
  ["GET", "/api/users/:id"],
  ["GET", "/api/orders"],
  ["POST", "/api/orders"],
  ["GET", "/api/search"],
  ["DELETE", "/api/cart/:id/items"],
];

/** The same samples twice: as objects (what record(), Dexie and idb take) and as columns. */
function samples(n) {
  const durationMs = lognormal(n, 5);
  const startTime = Float64Array.from(durationMs, (_, i) => Date.now() - 60_000 + i);
  const routeIndex = Uint32Array.from(durationMs, (_, i) => i % ENDPOINTS.length);
  const status = Uint16Array.from(durationMs, (_, i) => (i % 50 ? 200 : 503));
  const objects = Array.from(durationMs, (d, i) => ({
    startTime: startTime[i],
    durationMs: d,
    method: ENDPOINTS[routeIndex[i]][0],
    route: ENDPOINTS[routeIndex[i]][1],
    status: status[i],
    ok: status[i] < 400,
  }));
  const columns = {
    durationMs,
    startTime,
    routeIndex,
    status,
    routes: ENDPOINTS.map((e) => e[1]),
    methods: ENDPOINTS.map((e) => e[0]),
  };
  return { objects, columns };
}

// One profiler per round: started and cleared before, stopped after, so its timers never run
// inside another contestant's round.
function profiler({ start }, name, write) {
  const dbName = "apiscope-bench-profiler";
  return {
    name,
    setup: async () => {
      const p = await start({ dbName, instrument: false });
      await p.clear();
      return p;
    },
    run: async (p) => {
      write(p);
      await p.flush();
    },
    teardown: async (p) => {
      const { dropped, storage } = p.stats();
      await p.stop();
      p.free();
      if (dropped || storage !== "persistent") throw new Error(`${name}: ${storage}, ${dropped} dropped`);
    },
    close: () => deleteDatabase(dbName),
  };
}

async function dexie({ Dexie }, objects) {
  const db = new Dexie("apiscope-bench-dexie");
  db.version(1).stores({ samples: "++" }); // outbound keys: Dexie leaves the objects alone
  await db.open();
  return {
    name: "Dexie bulkAdd",
    setup: () => db.samples.clear(),
    run: () => db.samples.bulkAdd(objects),
    close: () => db.delete(),
  };
}

async function idb({ openDB, deleteDB }, objects) {
  const name = "apiscope-bench-idb";
  const db = await openDB(name, 1, {
    upgrade: (d) => d.createObjectStore("samples", { autoIncrement: true }),
  });
  return {
    name: "idb, record per sample",
    setup: () => db.clear("samples"),
    run: async () => {
      // Every add is issued before the first await: idb commits at any other await.
      const tx = db.transaction("samples", "readwrite");
      for (const s of objects) tx.store.add(s);
      await tx.done;
    },
    close: () => {
      db.close();
      return deleteDB(name);
    },
  };
}

export default async function storeCase({ store: { samples: n }, schedule }, { apiscope: entry, peers }) {
  const { objects, columns } = samples(n);
  const contestants = [
    profiler(entry, "apiscope", (p) => p.recordMany(columns)),
    await dexie(peers, objects),
    await idb(peers, objects),
    profiler(entry, "apiscope record", (p) => objects.forEach((s) => p.record(s))),
  ];
  const result = await compare(contestants, schedule);
  for (const c of contestants) await c.close();
  const perSecond = Object.fromEntries(contestants.map((c) => [c.name, n / (result.wall[c.name] / 1000)]));
  const mainPerK = Object.fromEntries(contestants.map((c) => [c.name, result.main[c.name] / (n / 1000)]));
  const rows = (metric, unit, better, values) => [
    row({ metric: `${metric}, recordMany`, unit, better, values, note: `${n} samples per round` }),
    row({ metric: `${metric}, record per sample`, unit, better, values, apiscope: "apiscope record" }),
  ];
  return [
    ...rows("samples persisted", "samples/s", "higher", perSecond),
    ...rows("main-thread time", "ms/1000 samples", "lower", mainPerK),
  ];
}
