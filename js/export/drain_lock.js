// Which exporter drains a shared outbox: exactly one per outbox database at a time, so two
// tabs never send the same body. Tabs that do not hold it only store their bodies; the holder
// sends every tab's.
//
// With Web Locks, the holder keeps `apiscope:outbox:<dbName>` for as long as it exports: the
// browser hands it to the next waiting tab when the holder stops, navigates away or crashes,
// and holding it all along is what lets a page hide send with `keepalive` at once. Without
// Web Locks, a lease record in the outbox database stands in: taken and renewed in one
// transaction (`LEASE_MS`, renewed before every send and every `LEASE_MS / 3`), so another
// tab takes over at most `LEASE_MS` after the holder went away. A page that may enter the
// back/forward cache lets go (a held or requested lock keeps it out) and competes again when
// it is shown.

/** How long a lease lasts unless renewed. */
export const LEASE_MS = 10_000;

/** Where the exporter of `dbName` takes the lock and tells the holder of new bodies. */
export const lockName = (dbName) => `apiscope:outbox:${dbName}`;

/**
 * Competes for the drain of `outbox` (openOutbox); calls `onAcquired()` each time this
 * exporter comes to hold it. `ready` resolves once the first try is decided (held, or
 * waiting in line); `held` says whether it holds it now; `confirm()` resolves whether it still
 * does (the lease is renewed; a Web Lock cannot be lost while held); `release()` gives it up
 * and stops waiting; `resume()` competes again. An in-memory outbox is this page's alone:
 * always held.
 */
export function drainLock(name, outbox, session, onAcquired) {
  const locks = globalThis.navigator && globalThis.navigator.locks;
  const lock = !outbox.shared
    ? alone(onAcquired)
    : locks && typeof locks.request === "function"
      ? webLock(locks, name, onAcquired)
      : lease(outbox, session, onAcquired);
  lock.resume();
  return lock;
}

function alone(onAcquired) {
  const lock = {
    held: false,
    confirm: () => Promise.resolve(lock.held),
    release() {
      lock.held = false;
    },
    resume() {
      lock.held = true;
      lock.ready = Promise.resolve().then(onAcquired);
    },
  };
  return lock;
}

function webLock(locks, name, onAcquired) {
  // One competition per resume(): its lock, or its place in line, goes at release().
  let current = null;
  const lock = {
    held: false,
    confirm: () => Promise.resolve(lock.held),
    release() {
      lock.held = false;
      current?.end();
      current = null;
    },
    resume() {
      lock.release();
      const mine = { ended: false, unlock: null, waiting: new AbortController() };
      mine.end = () => {
        mine.ended = true;
        mine.unlock?.();
        mine.waiting.abort();
      };
      current = mine;
      const hold = () => {
        if (mine.ended) return undefined;
        lock.held = true;
        onAcquired();
        return new Promise((resolve) => (mine.unlock = resolve));
      };
      // First without waiting, so `ready` knows at once whether this exporter drains; else in
      // line. (A request's own promise settles only when its lock is released.)
      lock.ready = new Promise((decided) => {
        locks
          .request(name, { ifAvailable: true }, (granted) => {
            decided();
            if (granted) return hold();
            if (!mine.ended) {
              locks.request(name, { signal: mine.waiting.signal }, hold).catch(() => {
                // Aborted while waiting: release() came first.
              });
            }
            return undefined;
          })
          .catch(decided);
      });
    },
  };
  return lock;
}

function lease(outbox, session, onAcquired) {
  let timer = null;
  const lock = {
    held: false,
    async confirm() {
      if (timer === null) return false;
      let held = false;
      try {
        held = await outbox.lease(session, Date.now(), LEASE_MS);
      } catch {
        // The database went away: another tab's upgrade, or it was deleted.
      }
      const acquired = held && !lock.held && timer !== null;
      lock.held = held && timer !== null;
      if (acquired) onAcquired();
      return lock.held;
    },
    release() {
      clearInterval(timer);
      timer = null;
      lock.held = false;
      // After any renewal still in flight (transactions run in order): the lease goes.
      outbox.release(session).catch(() => {});
    },
    resume() {
      if (timer !== null) return;
      timer = setInterval(() => lock.confirm(), LEASE_MS / 3);
      lock.ready = lock.confirm();
    },
  };
  return lock;
}
