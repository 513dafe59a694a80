// One adapter per percentile sketch, so the sketch case treats them alike. Each adapter writes
// its own record loop: a shared loop calling five different classes would turn megamorphic
// and slow every contestant down.
//
// Adapter: { name, create(), load(msValues) -> its input, recordAll(s, input),
//            quantile(s, q) -> ms, merge(into, from), bytes(s), free(s) }

const base64Bytes = (text) => Math.floor((text.length * 3) / 4) - (text.match(/=*$/)[0].length);
const identity = (values) => values;

function apiscope({ Sketch }) {
  return {
    name: "apiscope",
    create: () => new Sketch(),
    load: identity,
    recordAll(s, xs) {
      for (let i = 0; i < xs.length; i++) s.record(xs[i]);
    },
    quantile: (s, q) => s.quantile(q),
    merge: (into, from) => into.merge(from),
    bytes: (s) => s.toBytes().length,
    free: (s) => s.free(),
  };
}

function ddsketch({ DDSketch }) {
  return {
    name: "DDSketch",
    create: () => new DDSketch({ relativeAccuracy: 0.01 }),
    load: identity,
    recordAll(s, xs) {
      for (let i = 0; i < xs.length; i++) s.accept(xs[i]);
    },
    quantile: (s, q) => s.getValueAtQuantile(q),
    merge: (into, from) => into.merge(from),
    bytes: (s) => s.toProto().length,
    free: () => {},
  };
}

// HdrHistogram counts integers: it gets whole microseconds (3 significant digits, the default).
function hdr({ hdr: lib }, useWebAssembly) {
  return {
    name: `hdr-histogram-js (${useWebAssembly ? "wasm" : "JS"})`,
    create: () => lib.build({ useWebAssembly }),
    load: (values) => values.map((v) => Math.max(1, Math.round(v * 1000))),
    recordAll(s, xs) {
      for (let i = 0; i < xs.length; i++) s.recordValue(xs[i]);
    },
    quantile: (s, q) => s.getValueAtPercentile(q * 100) / 1000,
    merge: (into, from) => into.add(from),
    // Its only serialization: deflate-compressed, then base64 (counted as the decoded bytes).
    bytes: (s) => base64Bytes(lib.encodeIntoCompressedBase64(s)),
    free: (s) => s.destroy(),
  };
}

// tdigest has no merge or serialization: merging pushes the other's centroids, and its size
// is its centroids at 16 bytes (mean and count as f64).
function tdigest({ tdigest: { TDigest } }) {
  return {
    name: "tdigest",
    create: () => new TDigest(),
    load: identity,
    recordAll(s, xs) {
      for (let i = 0; i < xs.length; i++) s.push(xs[i]);
    },
    quantile: (s, q) => s.percentile(q),
    merge: (into, from) => into.push_centroid(from.toArray()),
    bytes: (s) => s.size() * 16,
    free: () => {},
  };
}

/** The adapters, apiscope first. */
export function sketchAdapters(wasm, peers) {
  return [apiscope(wasm), ddsketch(peers), hdr(peers, false), hdr(peers, true), tdigest(peers)];
}
