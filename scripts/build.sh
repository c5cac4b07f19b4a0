#!/usr/bin/env bash
# Builds both wasm packages and assembles the static site in dist/.
#
#   pkg-threads  shared memory + wasm-bindgen-rayon: GOMAXPROCS threads are Web Workers
#   pkg-single   no shared memory: runs where the page is not cross-origin isolated
#
# Same Rust source; only flags and features differ. A build whose inputs have not changed since
# the last one is skipped (a stamp of their hashes sits next to each package).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm binaryen's wasm-opt first

say() { printf '\033[1mbuild:\033[0m %s\n' "$*"; }
# `--profile wasm` (Cargo.toml): opt-level "z", fat LTO, one codegen unit, wasm-opt -Os.
PROFILE=${WASM_PROFILE:-wasm}
# Extra cargo features for both packages: `npm run bench` adds `bench` (the suite's export).
EXTRA_FEATURES=${WASM_FEATURES:+,$WASM_FEATURES}

inputs_hash() {
  { find src vendor -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock rust-toolchain.toml .cargo/config.toml scripts/build.sh
    echo "$PROFILE $EXTRA_FEATURES"; } | sha256sum | cut -d' ' -f1
}

# The panic strategy and std rebuild are the same for both: unwinding, so a panicking goroutine
# is recovered (Go's `recover`) instead of killing its Web Worker.
BUILD_STD=(-Z build-std=panic_unwind,std -Z build-std-features=optimize_for_size)
# Size, not speed, for what every visitor downloads: no file/line/column in panic locations
# (the Report never shows them) and no Debug formatting at all (`{:?}` prints nothing): no
# message the page shows uses it; the core quotes what it echoes with `escape_debug` (Display),
# as ScenarioError does. `none` instead of `shallow` saved 3.9 KB gzipped (251,546 → 247,627
# bytes, threaded, 2026-11-29). Cargo appends these to .cargo/config.toml's target flags.
SIZE_FLAGS="-Zlocation-detail=none -Zfmt-debug=none"

build_pkg() { # name, features, [RUSTFLAGS override]
  local name=$1 features=$2 flags=${3:-}
  local out=target/wasm/pkg-$name stamp=target/wasm/pkg-$name.stamp hash
  hash=$(inputs_hash)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && [ -f "$out/worker_pool_playground_bg.wasm" ]; then
    say "pkg-$name is up to date"
    return
  fi
  say "building pkg-$name (features: $features)"
  local t0=$SECONDS
  if [ -n "$flags" ]; then
    # RUSTFLAGS replaces target.wasm32-unknown-unknown.rustflags from .cargo/config.toml wholesale,
    # which is exactly what the build without shared memory needs. Its own target dir keeps the
    # two std builds from evicting each other.
    # `--no-default-features`: `threads` is a default feature (Cargo.toml).
    RUSTFLAGS="$flags $SIZE_FLAGS" CARGO_TARGET_DIR=target/single \
      wasm-pack build --target web --profile "$PROFILE" --mode no-install --no-typescript --no-pack \
      --out-dir "target/wasm/pkg-$name" --out-name worker_pool_playground -- --no-default-features --features "$features" "${BUILD_STD[@]}"
  else
    local extra
    extra=$(printf '"%s",' $SIZE_FLAGS)
    wasm-pack build --target web --profile "$PROFILE" --mode no-install --no-typescript --no-pack \
      --out-dir "target/wasm/pkg-$name" --out-name worker_pool_playground -- --features "$features" "${BUILD_STD[@]}" \
      --config "target.wasm32-unknown-unknown.rustflags=[${extra%,}]"
  fi
  echo "$hash" > "$stamp"
  say "pkg-$name built in $((SECONDS - t0)) s: $(du -h "$out/worker_pool_playground_bg.wasm" | cut -f1) of wasm, $(gzip -9c "$out/worker_pool_playground_bg.wasm" | wc -c) bytes gzipped"
}

build_pkg threads "threads,no-bundler$EXTRA_FEATURES"
build_pkg single "no-bundler$EXTRA_FEATURES" "-C target-feature=+bulk-memory,+mutable-globals,+exception-handling -C panic=unwind"

# Every visitor downloads one package, so its size is guarded at issue 11's target, 250 KB
# gzipped (read as 250,000 bytes). Measured on 2026-11-29 (gzip -9): threaded 248,150 bytes,
# single 220,108 (with the Report's measures and the sweep's spread, after -Zfmt-debug=none),
# down from 259,831 and 230,876 by dropping the B-trees from the wasm build,
# some per-channel-type copies (see the git log), wasm-opt -Os, and `#[thread_local]` statics
# instead of `thread_local!` (src/tls.rs: 1.1 KB; threaded was at 249,774 just before). Growth
# past the target fails the build. On 2026-11-30 main was at 249,977 and 221,811 bytes; handing
# JS JSON text (src/json.rs) instead of serde-wasm-bindgen's per-type serializer code, then the
# registry's batched frees (+427 threaded), brought them to 244,626 and 216,371. Session 19's
# lessons brought threaded to 249,918; wasm-opt's --low-memory-unused (Cargo.toml) to 247,459
# and 219,576; sessions 20-22 back to 249,995 and 222,404; session 23's patched rayon-core
# (Cargo.toml) to 248,687 and 222,431 with the browser's longer spin; session 25's one-sentence
# lessons (src/scenario/report.rs, DETAILS) to 249,935 and 223,409: 65 bytes of room. (The `bench`
# feature adds the benchmark suite, about 20 KB, for `npm run bench` only, and is not guarded.)
if [ -z "$EXTRA_FEATURES" ]; then
  for name in threads single; do
    gz=$(gzip -9c "target/wasm/pkg-$name/worker_pool_playground_bg.wasm" | wc -c)
    if [ "$gz" -gt 250000 ]; then
      echo "build: pkg-$name is $gz bytes gzipped, over the 250 KB target (issue 11)" >&2
      exit 1
    fi
  done
fi

say "assembling dist/"
rm -rf dist.tmp && mkdir -p dist.tmp/vendor
cp -R www/. dist.tmp/
# The embed page is the same page with minimal chrome (`body.embed` in style.css).
sed -e 's|<body>|<body class="embed">|' -e 's|<title>Worker Pool Playground</title>|<title>Worker Pool Playground (embedded)</title>|' \
  www/index.html > dist.tmp/embed.html
for name in threads single; do
  mkdir -p "dist.tmp/pkg-$name"
  cp -R "target/wasm/pkg-$name/worker_pool_playground.js" "target/wasm/pkg-$name/worker_pool_playground_bg.wasm" "dist.tmp/pkg-$name/"
  [ -d "target/wasm/pkg-$name/snippets" ] && cp -R "target/wasm/pkg-$name/snippets" "dist.tmp/pkg-$name/"
done
cp node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css dist.tmp/vendor/
cp node_modules/coi-serviceworker/coi-serviceworker.min.js dist.tmp/coi-serviceworker.js
cp THIRD-PARTY-NOTICES.md dist.tmp/

# Code on the page: marked regions of go/*.go and src/scenario/*.rs for every scenario and variant
# of the schema (the CLI's `list --json`); a missing marker fails the build.
say "extracting snippets (scripts/snippets.mjs)"
cargo run --release --quiet -- list --json > target/schema.json
node scripts/snippets.mjs target/schema.json dist.tmp/snippets.json

# Real Go in the tab: go/ compiled for js/wasm, with the wasm_exec.js of the Go that compiled it
# (the two must match). Without Go, dist/ has no go/ and the page says the Go engine was not built.
if command -v go >/dev/null; then
  t0=$SECONDS
  mkdir -p dist.tmp/go
  (cd go && GOOS=js GOARCH=wasm go build -trimpath -o ../dist.tmp/go/playground.wasm .)
  # misc/wasm until Go 1.23 (Debian's 1.19 included), lib/wasm since 1.24.
  for glue in "$(go env GOROOT)/misc/wasm/wasm_exec.js" "$(go env GOROOT)/lib/wasm/wasm_exec.js"; do
    [ -f "$glue" ] && cp "$glue" dist.tmp/go/ && break
  done
  [ -f dist.tmp/go/wasm_exec.js ] || { echo "build: no wasm_exec.js in $(go env GOROOT)" >&2; exit 1; }
  say "Go engine built with $(go env GOVERSION) in $((SECONDS - t0)) s: $(du -h dist.tmp/go/playground.wasm | cut -f1) of wasm"
else
  say "Go is not installed: no Go engine in dist/ (scripts/setup.sh --browser installs golang-go)"
fi
rm -rf dist && mv dist.tmp dist
say "dist/ is ready ($(du -sh dist | cut -f1))"
