// The Recorder on its own (engine.md §1): the record layout, take() handing over everything
// pending at once, the bound, onPending, sites crossing lazily and again when the engine lost
// them (handover.js), and what a URL is filed under.
import { assert, test } from "./lib/harness.js";
import { Recorder, STRIDE } from "/js/loader/recorder.js";
import { forget, take } from "/js/loader/handover.js";

const ORIGIN = "https://api.example";
const lines = (taken) => (taken.sites === "" ? [] : taken.sites.split("\n"));

test("a record is STRIDE numbers; take() hands over records and new sites, then nothing", () => {
  const recorder = new Recorder();
  const site = recorder.site("GET", `${ORIGIN}/users/7?tab=1#top`);
  recorder.push(1, site, 404, 1, 10.5, 20.25, 30);
  recorder.push(0, site, 200, 0, 40, 50, NaN);
  const taken = take(recorder);
  assert.equal(STRIDE, 7);
  assert.equal(taken.count, 2);
  assert.ok(taken.records instanceof Float64Array && taken.records.length === 2 * STRIDE);
  assert.deepEqual(Array.from(taken.records.subarray(0, STRIDE)), [1, site.id, 404, 1, 10.5, 20.25, 30]);
  assert.ok(Number.isNaN(taken.records[13]));
  assert.ok(taken.siteIds instanceof Uint32Array);
  assert.deepEqual(Array.from(taken.siteIds), [site.id]);
  assert.deepEqual(lines(taken), [`GET\t${ORIGIN}/users/7\t`], "no query, no fragment");
  assert.equal(taken.dropped, 0);
  const again = take(recorder);
  assert.deepEqual([again.count, again.records.length, again.siteIds.length, again.sites], [0, 0, 0, ""]);
});

test("bounded: past capacity requests are counted as dropped, the buffer never grows", () => {
  const recorder = new Recorder({ capacity: 4 });
  const buffer = recorder.records;
  const site = recorder.site("GET", `${ORIGIN}/a`);
  for (let i = 0; i < 10; i++) recorder.push(0, site, 200, 0, i, i, NaN);
  assert.ok(recorder.records === buffer && buffer.length === 4 * STRIDE, "the preallocated buffer, unchanged");
  const taken = take(recorder);
  assert.deepEqual([taken.count, taken.records.length, taken.dropped], [4, 4 * STRIDE, 6]);
  assert.deepEqual(Array.from({ length: 4 }, (_, i) => taken.records[i * STRIDE + 4]), [0, 1, 2, 3], "the first four kept");
  recorder.push(0, site, 200, 0, 99, 99, NaN);
  const next = take(recorder);
  assert.deepEqual([next.count, next.dropped], [1, 0], "dropped counts from zero after a take");
});

test("onPending fires once when the buffer goes from empty to non-empty", () => {
  const recorder = new Recorder();
  const site = recorder.site("GET", `${ORIGIN}/a`);
  recorder.push(0, site, 200, 0, 1, 1, NaN); // before the engine is there: waits, unannounced
  let calls = 0;
  recorder.onPending = () => calls++;
  recorder.push(0, site, 200, 0, 2, 2, NaN);
  assert.equal(calls, 0, "not empty before");
  assert.equal(take(recorder).count, 2);
  recorder.push(0, site, 200, 0, 3, 3, NaN);
  recorder.push(0, site, 200, 0, 4, 4, NaN);
  assert.equal(calls, 1);
  take(recorder);
  recorder.push(0, site, 200, 0, 5, 5, NaN);
  assert.equal(calls, 2);
});

test("a site crosses once, with its first record; one without records does not cross", () => {
  const recorder = new Recorder();
  const a = recorder.site("GET", `${ORIGIN}/a`);
  const b = recorder.site("POST", `${ORIGIN}/b`);
  recorder.site("GET", `${ORIGIN}/never-settled`);
  assert.ok(recorder.site("GET", `${ORIGIN}/a`) === a, "a repeated call: the same site");
  recorder.push(0, a, 200, 0, 1, 1, NaN);
  assert.deepEqual(lines(take(recorder)), [`GET\t${ORIGIN}/a\t`]);
  recorder.push(0, a, 200, 0, 2, 2, NaN);
  recorder.push(0, b, 200, 0, 3, 3, NaN);
  recorder.push(0, b, 200, 0, 4, 4, NaN);
  const taken = take(recorder);
  assert.deepEqual(lines(taken), [`POST\t${ORIGIN}/b\t`]);
  assert.deepEqual(Array.from(taken.siteIds), [b.id]);
});

test("forget() lists lost sites again in the next take, and announces it", () => {
  const recorder = new Recorder();
  const a = recorder.site("GET", `${ORIGIN}/a`);
  const b = recorder.site("GET", `${ORIGIN}/b`);
  recorder.push(0, a, 200, 0, 1, 1, NaN);
  recorder.push(0, b, 200, 0, 2, 2, NaN);
  take(recorder);
  let calls = 0;
  recorder.onPending = () => calls++;
  forget(recorder, new Uint32Array([b.id, 12345]));
  assert.equal(calls, 1, "a drain is due even without records");
  const again = take(recorder);
  assert.deepEqual([again.count, Array.from(again.siteIds), lines(again)], [0, [b.id], [`GET\t${ORIGIN}/b\t`]]);
  // Still unknown after that take (its line was overwritten in the same ingest): found again.
  forget(recorder, [b.id]);
  assert.deepEqual(Array.from(take(recorder).siteIds), [b.id]);
});

test("the site table is bounded: it starts over, ids keep counting, stale sites cross again", () => {
  const recorder = new Recorder({ sites: 3 });
  const first = recorder.site("GET", `${ORIGIN}/0`);
  recorder.push(0, first, 200, 0, 0, 0, NaN);
  take(recorder);
  const ids = [first.id];
  for (let i = 1; i < 8; i++) ids.push(recorder.site("GET", `${ORIGIN}/${i}`).id);
  assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
  const renewed = recorder.site("GET", `${ORIGIN}/0`);
  assert.ok(renewed !== first && renewed.id === 8, "forgotten when the table started over");
  // A request still in flight with the old site: numbered a table's worth ago, listed again.
  recorder.push(0, first, 200, 0, 1, 1, NaN);
  assert.deepEqual(Array.from(take(recorder).siteIds), [first.id]);
});

test("what a URL is filed under: absolute http(s), no credentials, query or fragment", () => {
  const recorder = new Recorder();
  const url = (raw) => {
    const site = recorder.site("GET", raw);
    if (site === null) return null;
    recorder.push(0, site, 200, 0, 0, 0, NaN);
    return lines(take(recorder))[0]?.split("\t")[1] ?? "(already sent)";
  };
  assert.equal(url("https://user:pw@api.example/p?q"), "https://api.example/p");
  assert.equal(url("HTTPS://API.Example:443/p#f"), "https://api.example/p");
  assert.equal(url("http://[::1]:8080/x?y"), "http://[::1]:8080/x");
  assert.equal(url("https://api.example/a\\b"), "https://api.example/a/b");
  assert.equal(url("https://api.example/caf\u00e9"), "https://api.example/caf%C3%A9");
  assert.equal(url(new URL("https://api.example/from-url?x")), "https://api.example/from-url");
  assert.equal(url("/relative?x"), `${location.origin}/relative`);
  // Dot segments resolve, plain or relative; protocol-relative and odd paths are parsed.
  assert.equal(url("https://api.example/a/./b/../c?x"), "https://api.example/a/c");
  assert.equal(url("/a/b/../c#f"), `${location.origin}/a/c`);
  assert.equal(url("/%2e%2e/up"), `${location.origin}/up`);
  assert.equal(url("//api.example/p?q"), `${location.protocol}//api.example/p`);
  assert.equal(url("/with space"), `${location.origin}/with%20space`);
  assert.equal(url("sibling?x"), new URL("sibling", location.href).href);
  assert.equal(url("data:text/plain,hi"), null);
  assert.equal(url("blob:https://api.example/0"), null);
  assert.throws(() => recorder.site("GET", "http://[::1"), TypeError);
  // A method fetch would reject is not filed: a tab or newline would break the site lines.
  assert.equal(recorder.site("GE\tT", "https://api.example/m"), null);
  assert.equal(recorder.site("GET\nPOST", "https://api.example/m"), null);
});
