// The loader hooks' own per-request main-thread cost over a stubbed fetch (bench/hooks_cost.mjs
// runs it): 20 000 sequential calls, bare and hooked in alternating rounds, with the engine's
// take() every 2048 requests timed as part of the cost.
import { Recorder } from "/js/loader/recorder.js";
import { installHooks } from "/js/loader/hooks.js";
import { take } from "/js/loader/handover.js";

const N = 20000;
const response = new Response("pong");
const stub = function fetch() {
  return Promise.resolve(response);
};
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

let drain = () => {};
let user = 1e6;
const origin = location.origin;
// 50 endpoints called over and over, or a URL never seen before on every call.
const loops = {
  repeated: (i) => `${origin}/bench-api/ping/${i % 50}`,
  "repeated, relative": (i) => `/bench-api/ping/${i % 50}`,
  "every URL new": () => `${origin}/bench-api/users/${user++}`,
  "every URL new, relative": () => `/bench-api/users/${user++}`,
};

async function loop(url) {
  for (let i = 0; i < N; i++) {
    await fetch(url(i));
    if ((i & 2047) === 2047) drain();
  }
}

/** `{ [case]: { bare, added, drain } }` in µs per request of main-thread CPU time. */
export async function run(rounds = 15) {
  const out = {};
  for (const [name, url] of Object.entries(loops)) {
    const bare = [];
    const hooked = [];
    const drains = [];
    for (let round = -2; round < rounds; round++) {
      globalThis.fetch = stub;
      drain = () => {};
      let t0 = await window.mainThreadMs();
      await loop(url);
      const b = (await window.mainThreadMs()) - t0;
      const recorder = new Recorder();
      let drainMs = 0;
      drain = () => {
        const d0 = performance.now();
        take(recorder);
        drainMs += performance.now() - d0;
      };
      const hooks = installHooks(recorder, { xhr: false });
      t0 = await window.mainThreadMs();
      await loop(url);
      drain();
      const h = (await window.mainThreadMs()) - t0;
      hooks.uninstall();
      if (round < 0) continue;
      bare.push(b);
      hooked.push(h);
      drains.push(drainMs);
    }
    const perRequest = (ms) => (ms * 1000) / N;
    out[name] = { bare: perRequest(median(bare)), added: perRequest(median(hooked) - median(bare)), drain: perRequest(median(drains)) };
  }
  return out;
}
