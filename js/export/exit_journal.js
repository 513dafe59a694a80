// The outbox's page-exit journal: an IndexedDB transaction started as a page goes away may
// never commit (round 1 measured it for the history store), so the bodies made at page hide
// are also written synchronously to localStorage, one key per hide
// (`apiscope:outbox:<dbName>:<session>-<n>`). The page removes its key once the same bodies
// are in IndexedDB; the drainer of the outbox moves whatever keys are left (pages that went
// away) into IndexedDB, where tombstones keep a body already delivered from coming back.
// Nothing here throws: without localStorage (disabled, full) the exit is IndexedDB's alone.

const prefix = (dbName) => `apiscope:outbox:${dbName}:`;

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null; // access denied (e.g. third-party storage blocked)
  }
}

/** Journals the bodies of one page hide of exporter `session` for the outbox of `dbName`,
 * synchronously; returns the key to `forget` once they are in IndexedDB (null: not kept). */
export function hold(dbName, session, hide, entries) {
  const local = storage();
  if (!local || entries.length === 0) return null;
  const key = `${prefix(dbName)}${session}-${hide}`;
  try {
    local.setItem(key, JSON.stringify(entries));
    return key;
  } catch {
    return null; // quota: IndexedDB's write may still make it
  }
}

/** Every journalled hide of `dbName` but those of exporter `session` (its own bodies are in
 * its queue): `[{ key, entries }]`. */
export function journalled(dbName, session) {
  const local = storage();
  const found = [];
  if (!local) return found;
  const own = `${prefix(dbName)}${session}-`;
  try {
    for (let i = 0; i < local.length; i++) {
      const key = local.key(i);
      if (!key || !key.startsWith(prefix(dbName)) || key.startsWith(own)) continue;
      try {
        const entries = JSON.parse(local.getItem(key));
        if (Array.isArray(entries)) found.push({ key, entries });
      } catch {
        found.push({ key, entries: [] }); // unreadable: dropped with the rest
      }
    }
  } catch {
    // Storage went away while reading.
  }
  return found;
}

/** Removes journalled hides once their bodies are in IndexedDB. */
export function forget(keys) {
  const local = storage();
  for (const key of keys) {
    if (key === null) continue;
    try {
      local?.removeItem(key);
    } catch {
      // Left for the next drainer: harmless.
    }
  }
}
