// The JavaScript half of apiscope's error vocabulary. Type checks happen here, before a value
// reaches wasm (wasm-bindgen does not check the type of a `&str` or a number); value rules are
// the Rust core's and come back as RangeErrors `field: rule, got value`, which `named` prefixes
// with the public method. Every message starts with the method, then the parameter or field:
//   TypeError: Cache.get: key: must be a string, got a number
//   RangeError: Sketch.record: value: must be a finite number >= 0, got -1

/** How a value reads in a message: its type, and the value itself where that is short. */
export function describe(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "number":
      return `the number ${value}`;
    case "string":
      return value.length <= 40 ? `the string ${JSON.stringify(value)}` : "a string";
    case "boolean":
      return `${value}`;
    case "bigint":
      return "a bigint";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      return `an object`;
  }
}

/** A TypeError `method: field: must be <expected>, got <what value is>`. */
export function typeError(method, field, expected, value) {
  return new TypeError(`${method}: ${field}: must be ${expected}, got ${describe(value)}`);
}

/** A RangeError `method: field: <problem>`. */
export function rangeError(method, field, problem) {
  return new RangeError(`${method}: ${field}: ${problem}`);
}

/**
 * An error thrown by a wasm call, as the caller should see it: the core's RangeError/TypeError
 * (or a corrupt-data Error) with the method in front; anything else unchanged.
 */
export function named(method, error) {
  if (error instanceof RangeError || error instanceof TypeError) {
    const Type = error instanceof RangeError ? RangeError : TypeError;
    return new Type(`${method}: ${error.message}`);
  }
  if (error instanceof Error && error.constructor === Error) {
    return new Error(`${method}: ${error.message}`);
  }
  return error;
}

/** Throws a TypeError unless `value` is a string. */
export function string(method, field, value) {
  if (typeof value !== "string") throw typeError(method, field, "a string", value);
  return value;
}

/** Throws a TypeError unless `value` is a number (NaN and infinities are the core's to judge). */
export function number(method, field, value) {
  if (typeof value !== "number") throw typeError(method, field, "a number", value);
  return value;
}

/** `undefined` stays `undefined`; anything else must be a number. */
export function optionalNumber(method, field, value) {
  return value === undefined ? undefined : number(method, field, value);
}

/** Throws a TypeError unless `value` is a boolean. */
export function boolean(method, field, value) {
  if (typeof value !== "boolean") throw typeError(method, field, "a boolean", value);
  return value;
}

/** Throws a TypeError unless `value` is a function. */
export function func(method, field, value) {
  if (typeof value !== "function") throw typeError(method, field, "a function", value);
  return value;
}

/**
 * The own enumerable keys of an options object, checked against `known`: `undefined` and
 * `null` are `{}`; anything but a plain object, and any unknown key, is a TypeError.
 */
export function options(method, field, value, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw typeError(method, field, "an object", value);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${method}: ${field ? `${field}.` : ""}${key}: unknown option (expected one of ${known.join(", ")})`,
      );
    }
  }
  return value;
}
