#!/usr/bin/env bash
# Builds the wasm package into pkg/ (release, wasm-opt from npm's binaryen on PATH).
# Usage: scripts/build.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
profile=--release
[ "${1:-}" = "--dev" ] && profile=--dev
wasm-pack build --target web "$profile" --out-dir pkg --out-name apiscope --no-pack
# wasm-pack writes pkg/.gitignore ("*"); npm pack honours nested ignore files, and an ignored
# directory cannot be re-included by package.json "files", so pkg/snippets/ (the fetch/XHR hooks
# the glue imports) would be left out of the tarball. The root .gitignore already ignores /pkg.
rm -f pkg/.gitignore
