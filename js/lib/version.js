// The package version, in one place: the loader reports it, OTLP requests carry it.
// tests/e2e/smoke.test.mjs checks it against package.json and Cargo.toml.
export const VERSION = "0.1.0";
