// A 32-bit fingerprint of a cache key, for S3-FIFO's ghost list in wasm (src/core/cache/
// ghosts.rs), so that the keys themselves never leave JavaScript and the Map holds only live
// entries. Strings and numbers get one (as Map compares them: -0 is 0, every NaN one key);
// any other key gets 0, "none", and is simply never remembered as a ghost. Two keys sharing a
// fingerprint cost at most a wrong admission to the main queue, never a wrong answer.

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** FNV-1a over the UTF-16 code units, with the length mixed in; never 0. */
function ofString(key) {
  let h = 0x811c9dc5 ^ key.length;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

function ofNumber(key) {
  if (key === (key | 0)) return (Math.imul(key ^ 0x9e3779b9, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0 || 2;
  bits[0] = key === key ? key : NaN;
  return (Math.imul(words[0] ^ 0x85ebca6b, 0xc2b2ae35) ^ words[1]) >>> 0 || 3;
}

export function fingerprint(key) {
  switch (typeof key) {
    case "string":
      return ofString(key);
    case "number":
      return ofNumber(key);
    default:
      return 0;
  }
}
