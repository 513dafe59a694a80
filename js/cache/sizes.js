// What a value counts against a cache's byte budget when `set` is given no `bytes`. Walking or
// stringifying an object on every `set` would cost more than caching saves, so any object
// without a size of its own counts a flat OBJECT_BYTES.

const OBJECT_BYTES = 64;

/**
 * Strings 2 per UTF-16 unit; ArrayBuffer, typed arrays and DataView their `byteLength`; Blob
 * its `size`; numbers and bigints 8; booleans 4; `null`/`undefined` 0; anything else 64.
 */
export function estimateBytes(value) {
  switch (typeof value) {
    case "string":
      return value.length * 2;
    case "number":
    case "bigint":
      return 8;
    case "boolean":
      return 4;
    case "undefined":
      return 0;
    case "object":
      if (value === null) return 0;
      if (value instanceof ArrayBuffer) return value.byteLength;
      if (ArrayBuffer.isView(value)) return value.byteLength;
      if (typeof Blob === "function" && value instanceof Blob) return value.size;
  }
  return OBJECT_BYTES;
}
