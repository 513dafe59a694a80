// Random values of every JS type thrown at every public method of `apiscope/sketch` (numbers of
// every kind, strings, symbols, bigints, arrays, typed arrays that lie about their length,
// objects with throwing getters, proxies with throwing traps): each call either works, throws a
// TypeError or RangeError (an Error for corrupt bytes) naming its method, or throws the caller's
// own exception; never a wasm trap, and a call that throws leaves the sketch as it was.
import { assert, test } from "./lib/harness.js";
import { random } from "./lib/random.js";
import { initialize, Sketch } from "/js/sketch/index.js";

await initialize();

/** The caller's own exception, thrown by its getters and traps. */
class Own extends Error {}
const own = () => {
  throw new Own("the caller's own");
};

/**
 * Set when a value is a proxy: its traps (or its revocation) may throw the engine's own
 * TypeError from any operation, whose message cannot name our method.
 */
let exotic = false;

/** Every kind of value, a fresh one per call (`pick` draws from the seeded generator). */
function values(pick) {
  const number = () =>
    [0, -0, 1, 0.5, 1e-300, 5e-324, 123.456, 1e300, Number.MAX_VALUE, -1, -1e-9, NaN, Infinity, -Infinity, 2 ** 53, 65536, 2, 3.5][
      Math.floor(pick() * 18)
    ];
  const liar = () => {
    // A Float64Array subclass whose length lies: the glue must never trust it.
    class Liar extends Float64Array {
      get length() {
        return 1;
      }
    }
    return new Liar(64).fill(5);
  };
  const throwingArray = () => {
    const a = [1, 2, 3];
    Object.defineProperty(a, 1, { get: own });
    return a;
  };
  const proxy = (target) => {
    exotic = true;
    return new Proxy(target, { get: own, has: own, ownKeys: own, getOwnPropertyDescriptor: own, getPrototypeOf: own });
  };
  const growing = () => {
    // An array whose length changes as it is read.
    exotic = true;
    let reads = 0;
    return new Proxy([1, 2], { get: (t, k) => (k === "length" ? 2 + 1000 * reads++ : k in t ? t[k] : 7) });
  };
  const kinds = [
    number,
    number,
    number,
    () => pick() * 2 - 0.5,
    () => ["", "1", "0.5", "abc", "x".repeat(100)][Math.floor(pick() * 5)],
    () => pick() < 0.5,
    () => null,
    () => undefined,
    () => Symbol("s"),
    () => [0n, -1n, 2n ** 70n][Math.floor(pick() * 3)],
    () => [],
    () => Array.from({ length: Math.floor(pick() * 10) }, number),
    () => [1, "2", null],
    () => [[1], [2]],
    () => new Array(1e6),
    () => Float64Array.from({ length: Math.floor(pick() * 10) }, number),
    () => new Float32Array([1, 2]),
    () => new Uint8Array([1, 2, 3]),
    () => new Uint8Array(Array.from({ length: Math.floor(pick() * 40) }, () => Math.floor(pick() * 256))),
    () => new BigInt64Array(2),
    () => new DataView(new ArrayBuffer(8)),
    () => new ArrayBuffer(4),
    liar,
    // A plain Float64Array whose own `length` lies.
    () => Object.defineProperty(new Float64Array(64).fill(5), "length", { get: () => 1 }),
    () => Object.defineProperty(new Uint8Array(64).fill(1), "length", { get: () => 1 }),
    () => ({}),
    () => ({ maxRelativeError: number() }),
    () => ({ maxBuckets: number() }),
    () => ({ maxBuckets: 4, maxRelativeError: 0.1 }),
    () => ({ maxBuckets: "2" }),
    () => ({ other: 1 }),
    () => ({ valueOf: own, toString: own }),
    () => Object.defineProperty({}, "maxBuckets", { get: own, enumerable: true }),
    () => ({ get maxRelativeError() { return own(); } }),
    throwingArray,
    () => proxy({}),
    () => proxy([1, 2]),
    () => proxy(new Float64Array(2)),
    () => proxy(new Sketch()),
    growing,
    () => {
      exotic = true;
      const { proxy: p, revoke } = Proxy.revocable([], {});
      revoke();
      return p;
    },
    () => () => 1,
    () => new Date(0),
    () => new Map([[1, 2]]),
    () => new Sketch(),
    () => {
      const freed = new Sketch();
      freed.free();
      return freed;
    },
    () => Object.create(Sketch.prototype),
  ];
  return kinds[Math.floor(pick() * kinds.length)]();
}

/** The public surface: each entry calls one method with random arguments. */
const METHODS = {
  "new Sketch": (s, v) => new Sketch(v()),
  "Sketch.fromBytes": (s, v) => Sketch.fromBytes(v()),
  "Sketch.record": (s, v) => s.record(v()),
  "Sketch.recordMany": (s, v) => s.recordMany(v()),
  "Sketch.quantile": (s, v) => s.quantile(v()),
  "Sketch.quantiles": (s, v) => s.quantiles(v()),
  "Sketch.merge": (s, v) => s.merge(v()),
  "Sketch.toBytes": (s, v) => s.toBytes(v()),
  "Sketch.toOtlp": (s, v) => s.toOtlp(v()),
  "Sketch.buckets": (s, v) => s.buckets(v(), v()),
  "Sketch.count": (s) => s.count,
  "Sketch.min": (s) => s.min,
  "Sketch.max": (s) => s.max,
  "Sketch.scale": (s) => s.scale,
};

/** The sketch's whole state, compared before and after a call that threw. */
const state = (sketch) => Array.from(sketch.toBytes()).join(",");

test("random values at every method: only TypeError, RangeError or the caller's own, state unchanged", () => {
  const seed = 20261201;
  const pick = random(seed);
  const names = Object.keys(METHODS);
  const sketch = new Sketch();
  sketch.recordMany([1, 2, 3, 1000]);
  const seen = { ok: 0, TypeError: 0, RangeError: 0, Error: 0, Own: 0 };
  for (let call = 0; call < 4000; call++) {
    const name = names[Math.floor(pick() * names.length)];
    const before = state(sketch);
    exotic = false;
    try {
      const result = METHODS[name](sketch, () => values(pick));
      if (result instanceof Sketch) result.free();
      seen.ok++;
    } catch (error) {
      const where = `call ${call} (seed ${seed}), ${name}: ${error && error.name}: ${error && error.message}`;
      assert.ok(!(error instanceof WebAssembly.RuntimeError), `a wasm trap at ${where}`);
      if (error instanceof Own) {
        seen.Own++;
      } else if (error instanceof TypeError || error instanceof RangeError) {
        assert.ok(exotic || error.message.startsWith(`${name}: `), `the message names the method at ${where}`);
        seen[error.constructor.name]++;
      } else {
        assert.ok(error.constructor === Error && name === "Sketch.fromBytes", `an unexpected error at ${where}`);
        assert.ok(error.message.startsWith("Sketch.fromBytes: bytes: does not decode: "), where);
        seen.Error++;
      }
      assert.equal(state(sketch), before, `state changed at ${where}`);
    }
  }
  // Every outcome happened, so the generator reaches every path.
  for (const [outcome, n] of Object.entries(seen)) assert.ok(n > 20, `${outcome}: ${n} of 4000 calls`);
  // Afterwards the sketch still works, and so does a new one.
  const count = sketch.count;
  sketch.record(7);
  assert.equal(sketch.count, count + 1);
  assert.ok(Number.isFinite(sketch.quantile(0.5)));
  const fresh = new Sketch();
  fresh.merge(sketch);
  assert.equal(fresh.count, sketch.count);
  fresh.free();
  sketch.free();
});
