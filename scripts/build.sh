#!/usr/bin/env bash
# Builds the wasm parts into pkg/<part>/ (release; wasm-bindgen and npm's wasm-opt on PATH).
# Each part is the crate built with one feature set, so a page downloads only what it uses:
#   pkg/engine/         the profiler engine behind `start()`
#   pkg/engine-export/  the same engine with OTLP export, picked when `export` is set
#   pkg/sketch/         `apiscope/sketch`: the percentile sketch alone
#   pkg/cache/          `apiscope/cache`: Cache and ResponseCache
#   pkg/history/        `Profiler.query()`'s summaries of stored history, loaded on the first query
#   dist/index.js       the loader, bundled (scripts/bundle-loader.mjs), built with any part
#   pkg/engine-test/, pkg/engine-export-test/, pkg/history-test/
#                       tests only, never shipped: those two engines with `Engine.testPanic()`
#                       and the history part with `History.testPanic()` (feature test-panic),
#                       for tests/browser-js/containment*.test.js
# Usage: scripts/build.sh [--dev] [part ...]   (default: every shipped part)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

profile=release
if [ "${1:-}" = "--dev" ]; then profile=dev; shift; fi
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(engine engine-export sketch cache history)

features_of() {
  case "$1" in
    engine) echo engine,talc ;;
    engine-export) echo export,talc ;;
    sketch) echo sketch,talc ;;
    cache) echo cache,talc ;;
    history) echo history,talc ;;
    engine-test) echo engine,test-panic ;;
    engine-export-test) echo export,test-panic ;;
    history-test) echo history,test-panic ;;
    *) echo "scripts/build.sh: unknown part '$1'" >&2; exit 2 ;;
  esac
}

# The cargo profile per part: the engine parts are built for size (Cargo.toml explains why).
cargo_profile_of() {
  case "$1" in
    engine | engine-export) echo release-engine ;;
    *) echo release ;;
  esac
}

# The engine parts are also built with LLVM's inliner held to a threshold of 35 (opt-level 2's
# default is 225): each export otherwise inlines its own copy of validation, drop glue and map
# lookups. 3.8 KB gzipped less engine wasm for 2-7 % more instructions on the record, store and
# instrumentation paths; the sketch and cache parts grow with it (+0.3, +0.6 KB gz), so they
# keep LLVM's default. LLVM's hot/cold splitting moves the blocks it judges cold without a
# profile (error returns, panics) out of line: 0.3 KB gzipped less engine wasm.
# Their own target directory: a change of RUSTFLAGS would otherwise rebuild everything else.
inlining_of() {
  case "$1" in
    engine | engine-export) echo "-Cllvm-args=-inline-threshold=35 -Cllvm-args=-hot-cold-split" ;;
  esac
}

# wasm-opt's optimisation per part: the shipped parts are worth iterating to a fixed
# point (--converge), shipping without the target-features section, and addressing memory from 0
# (--low-memory-unused: Rust's stack and data start at 1 MiB, so the first KiB is never used).
# The engine and cache parts also merge functions that differ only in constants (their many
# monomorphised collects and drops) before -Oz: 0.9 KB gzipped less engine, 0.13 KB cache.
# The engine parts inline a function that has one caller only when it is small (-ocimfs=60
# bytes; binaryen's default is any size, which folds whole method bodies into the export
# shims): 2.1 KB more raw wasm but 1.9 KB less gzipped, which is what a page downloads, and no
# slower beyond the runs' scatter on the instrumentation and store paths, alternating old and
# new builds (BENCHMARKS.md). The sketch
# and cache parts keep the default: 0.27 and 0.65 KB less there cost 7-9 % on quantile
# queries and 4 % on an evicting set.
wasm_opt_of() {
  local fixed_point="--converge --strip-target-features --low-memory-unused"
  case "$1" in
    sketch | history) echo "-Oz $fixed_point" ;;
    engine | engine-export) echo "--merge-similar-functions -Oz -ocimfs=60 $fixed_point" ;;
    cache) echo "--merge-similar-functions -Oz $fixed_point" ;;
    *) echo "-Oz" ;;
  esac
}

# The wasm features every target we support has (Chromium, Firefox, Safari 15+, Node 18+);
# rustc emits them by default for wasm32-unknown-unknown, wasm-opt must be told.
WASM_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

# The package's browser entry: the loader bundled into one file (the script says why).
node scripts/bundle-loader.mjs

for part in "${parts[@]}"; do
  features=$(features_of "$part")
  if [ "$profile" = dev ]; then
    cargo_profile=() target_dir=target/wasm32-unknown-unknown/debug
  else
    p=$(cargo_profile_of "$part")
    cargo_profile=(--profile "$p") target_dir=target/wasm32-unknown-unknown/$p
  fi
  rustflags=$(inlining_of "$part")
  if [ "$profile" = release ] && [ -n "$rustflags" ]; then
    target_root=target/inlining target_dir=target/inlining/${target_dir#target/}
  else
    target_root=target rustflags=${RUSTFLAGS:-}
  fi
  RUSTFLAGS=$rustflags CARGO_TARGET_DIR=$target_root cargo build "${cargo_profile[@]}" --quiet \
    --target wasm32-unknown-unknown --no-default-features --features "$features"
  out=pkg/$part name=apiscope_${part//-/_}
  mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name "$name" "$target_dir/apiscope.wasm"
  # The glue is an ES module; without this, Node (the `node` entries) reads it as CommonJS.
  printf '{ "type": "module" }\n' > "$out/package.json"
  if [ "$profile" = release ]; then
    # shellcheck disable=SC2046 # the flags are words
    wasm-opt $(wasm_opt_of "$part") "${WASM_FEATURES[@]}" --strip-debug --strip-producers \
      "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  fi
  printf 'build: %-14s %7d bytes wasm, %6d gzipped\n' "$part" \
    "$(wc -c < "$out/${name}_bg.wasm")" "$(gzip -9 -c "$out/${name}_bg.wasm" | wc -c)"
done
