#!/usr/bin/env bash
# Every test of apiscope, in the order that fails fastest. `npm test` runs it after setup.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "no import cycles (src/ and js/)"
node scripts/check-cycles.mjs

step "clippy (native)"
cargo clippy --all-targets -- -D warnings

step "clippy (wasm32)"
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

step "native tests"
cargo test
# The 500-route hour of heavy traffic (180 M calls) takes a minute unoptimised.
cargo test --release --test native_windows heavy_traffic

step "wasm facade tests (wasm-pack test, headless Chromium)"
wasm-pack test --headless --chrome

step "package build"
scripts/build.sh
# The parts with a panic on demand, for tests/browser-js/containment*.test.js (never shipped).
scripts/build.sh engine-test engine-export-test history-test

step "Node tests (the Node entries, on the built parts)"
node --test tests/node/

step "end-to-end tests (playwright-core, headless Chromium)"
node --test --test-concurrency=1 tests/e2e/
