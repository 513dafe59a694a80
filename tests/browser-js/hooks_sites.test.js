// The call-site table under pressure, through real requests: with room for just two sites (in
// the recorder and in the engine's table alike), requests in flight while their ids' slots are
// reused must still be filed under their own URLs; each slow endpoint's delay proves it.
import { assert, origins, test } from "./lib/harness.js";
import { withHooks } from "./lib/hooked.js";

const url = (path) => `${origins.test}${path}`;

// Drained as the engine would: soon after something is pending (each record nearly alone in
// its drain, while others are in flight), or seldom (many records, colliding ids, one drain).
for (const [when, schedule] of [
  ["drained as records arrive", (recorder, drain) => (recorder.onPending = () => setTimeout(() => drain.drain(), 0))],
  ["drained once per wave", () => {}],
]) {
  test(`many concurrent requests to more endpoints than the table holds keep their own URLs (${when})`, () =>
    withHooks({ recorder: { sites: 2 }, slots: 2 }, async ({ recorder, drain, seen }) => {
      schedule(recorder, drain);
      const delays = [60, 10, 50, 20, 40, 0, 30];
      for (let wave = 0; wave < 2; wave++) {
        await Promise.all(delays.map((ms) => fetch(url(`/inst/slow/${ms}?wave=${wave}`)).then((r) => r.text())));
        drain.drain();
      }
      const records = seen();
      assert.equal(records.length, 2 * delays.length, JSON.stringify(records));
      const urls = records.map((r) => r.url).sort();
      const expected = delays.flatMap((ms) => [url(`/inst/slow/${ms}`), url(`/inst/slow/${ms}`)]).sort();
      assert.deepEqual(urls, expected);
      for (const r of records) {
        const delay = Number(r.url.split("/").pop());
        assert.ok(r.headers - r.start >= delay - 1, `${r.url} took ${r.headers - r.start} ms: filed under another URL?`);
      }
    }));
}

test("a table smaller in the engine than in the recorder: unknown sites are listed again", () =>
  withHooks({ recorder: { sites: 64 }, slots: 3 }, async ({ recorder, drain, seen }) => {
    recorder.onPending = () => setTimeout(() => drain.drain(), 0);
    const paths = Array.from({ length: 12 }, (_, i) => `/inst/slow/${i * 3}?n=${i}`);
    await Promise.all(paths.map((p) => fetch(url(p)).then((r) => r.text())));
    await Promise.all(paths.map((p) => fetch(url(p)).then((r) => r.text())));
    const records = seen();
    assert.equal(records.length, 24);
    for (const r of records) {
      const delay = Number(r.url.split("/").pop());
      assert.ok(r.headers - r.start >= delay - 1, `${r.url} took ${r.headers - r.start} ms: filed under another URL?`);
    }
    assert.deepEqual(
      [...new Set(records.map((r) => r.url))].sort(),
      paths.map((p) => url(p.split("?")[0])).sort(),
    );
  }));
