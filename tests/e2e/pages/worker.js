// A module worker that profiles its own fetch calls and reports what it measured.
import { start } from "/js/index.js";

const profiler = await start({ dbName: `e2e-worker-${Math.random()}` });
for (let i = 0; i < 5; i++) {
  const response = await fetch(`/api/items/${i + 1}?q=secret`);
  await response.text();
}
postMessage(profiler.snapshot({}));
