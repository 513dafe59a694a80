// Which exporter drains a shared outbox: exactly one per outbox database at a time, so two
// tabs never send the same body. Tabs that do not hold it only store their bodies; the holder
// sends every tab's.
//
// With Web Locks, the holder keeps `apiscope:outbox:<dbName>` for as long as it exports: the
// browser hands it to the next waiting tab when the holder stops, navigates away or crashes,
// and holding it all along is what lets a page hide send with `keepalive` at once. Without
// Web Locks, a lease record in the outbox database stands in: taken and renewed in one
// transaction (`LEASE_MS`, renewed before every send and every `LEASE_MS / 3`), so another
// tab takes over at most `LEASE_MS` after the holder went away.

/** How long a lease lasts unless renewed. */
export const LEASE_MS = 10_000;

/** Where the exporter of `dbName` takes the lock and tells the holder of new bodies. */
export const lockName = (dbName) => `apiscope:outbox:${dbName}`;

/**
 * Competes for the drain of `outbox` (openOutbox); calls `onAcquired()` once this exporter
 * holds it. `ready` resolves once the first try is decided (held, or waiting in line);
 * `held` says whether it holds it now; `confirm()` resolves whether it still does (the lease
 * is renewed; a Web Lock cannot be lost while held); `release()` gives it up or stops
 * waiting. An in-memory outbox is this page's alone: held at once.
 */
export function drainLock(name, outbox, session, onAcquired) {
  const locks = globalThis.navigator && globalThis.navigator.locks;
  if (!outbox.shared) return alone(onAcquired);
  if (locks && typeof locks.request === "function") return webLock(locks, name, onAcquired);
  return lease(outbox, session, onAcquired);
}

function alone(onAcquired) {
  const lock = {
    held: true,
    ready: Promise.resolve().then(onAcquired),
    confirm: () => Promise.resolve(lock.held),
    release() {
      lock.held = false;
    },
  };
  return lock;
}

function webLock(locks, name, onAcquired) {
  const waiting = new AbortController();
  let unlock = null;
  let released = false;
  const lock = {
    held: false,
    confirm: () => Promise.resolve(lock.held),
    release() {
      released = true;
      lock.held = false;
      if (unlock) unlock();
      waiting.abort();
    },
  };
  const hold = () => {
    if (released) return undefined;
    lock.held = true;
    onAcquired();
    return new Promise((resolve) => (unlock = resolve));
  };
  // First without waiting, so `ready` knows at once whether this exporter drains; else in
  // line. (A request's own promise settles only when its lock is released.)
  lock.ready = new Promise((decided) => {
    locks
      .request(name, { ifAvailable: true }, (granted) => {
        decided();
        if (granted) return hold();
        locks.request(name, { signal: waiting.signal }, hold).catch(() => {
          // Aborted while waiting: release() came first.
        });
        return undefined;
      })
      .catch(decided);
  });
  return lock;
}

function lease(outbox, session, onAcquired) {
  let released = false;
  const lock = {
    held: false,
    async confirm() {
      if (released) return false;
      let held = false;
      try {
        held = await outbox.lease(session, Date.now(), LEASE_MS);
      } catch {
        // The database went away: another tab's upgrade, or it was deleted.
      }
      const acquired = held && !lock.held && !released;
      lock.held = held && !released;
      if (acquired) onAcquired();
      return lock.held;
    },
    release() {
      released = true;
      clearInterval(timer);
      lock.held = false;
      // After any renewal still in flight (transactions run in order): the lease goes.
      outbox.release(session).catch(() => {});
    },
  };
  const timer = setInterval(() => lock.confirm(), LEASE_MS / 3);
  lock.ready = lock.confirm();
  return lock;
}
