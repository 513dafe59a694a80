// Typed arrays as wasm-bindgen's glue copies them: it allocates `length` elements in wasm
// memory and copies the array's internal elements in, so a `length` that lies (a subclass
// getter, an own property, a proxy) would write past the allocation. These read the internals
// past anything in front of them.

const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype);
const internal = (key) => Object.getOwnPropertyDescriptor(TYPED_ARRAY, key).get;
const [kindOf, bufferOf, offsetOf, lengthOf] = [Symbol.toStringTag, "buffer", "byteOffset", "length"].map(internal);

/** A plain `Type` over the same memory when `value` really is a `Type`, else `null`. */
export function plainView(value, Type) {
  if (kindOf.call(value) !== Type.name) return null;
  // Already plain (the usual case): its `length` can only be the internal one.
  if (Object.getPrototypeOf(value) === Type.prototype && !Object.hasOwn(value, "length")) return value;
  const length = lengthOf.call(value);
  return length === 0 ? new Type(0) : new Type(bufferOf.call(value), offsetOf.call(value), length);
}
