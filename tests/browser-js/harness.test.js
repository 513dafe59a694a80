// The runner itself: cases run in order, failures are reported, the test server answers.
import { assert, origins, test } from "./lib/harness.js";

let order = [];
test("cases run in registration order", () => {
  order.push(1);
});
test("async cases are awaited", async () => {
  await new Promise((r) => setTimeout(r, 5));
  order.push(2);
  assert.deepEqual(order, [1, 2]);
});
test("the HTTP test server is reachable on both origins", async () => {
  for (const origin of [origins.test, origins.second]) {
    const res = await fetch(`${origin}/__counts`);
    assert.equal(res.status, 200);
  }
});
test("assert.throws checks type and message", () => {
  assert.throws(() => { throw new RangeError("x: must be"); }, RangeError, "must be");
  let failed = false;
  try {
    assert.throws(() => {}, TypeError);
  } catch {
    failed = true;
  }
  assert.ok(failed);
});
