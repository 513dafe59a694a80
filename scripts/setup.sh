#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test apiscope, and skips what is present at
# the right version, so a second run takes seconds. Safe to run any number of times.
# See DEVELOPERS.md for why each step is done the way it is.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34msetup:\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Rust's wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-pack, built from crates.io (the npm package downloads a binary, which fails here).
if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (cargo install, ~2.5 min)"
  cargo install wasm-pack --locked
fi

# 3. wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (Cargo.toml pins it).
[ -f Cargo.lock ] || cargo generate-lockfile
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$want" != "$have" ]; then
  say "installing wasm-bindgen-cli $want (have '${have:-none}', ~3 min)"
  cargo install wasm-bindgen-cli --version "$want" --force
fi

# 4. Debian's Chromium and its driver: wasm-pack's test runner and playwright-core drive them.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing chromium and chromium-driver from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# 5. npm dependencies (binaryen's wasm-opt, playwright-core, esbuild, ...), when the lock changed.
stamp=node_modules/.apiscope-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# 6. The official OTLP protobuf schema (Python), which the export tests' receiver validates against.
if ! python3 -c "import opentelemetry.proto, google.protobuf" 2>/dev/null; then
  say "installing opentelemetry-proto for the OTLP receiver"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    -r tests/otlp/requirements.txt
fi

say "ready: $(rustc --version | cut -d' ' -f1-2), $(wasm-pack --version), wasm-bindgen $want, $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version)"
