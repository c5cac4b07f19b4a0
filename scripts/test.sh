#!/usr/bin/env bash
# Every test, in order, stopping at the first failure; ends with one summary line.
#
#   fmt · clippy (native) · clippy (wasm32, threaded) · cargo test · go vet + go test · Go/Rust
#   comparison · loom · build · wasm-pack test (Chromium, threaded build) · end-to-end (Playwright
#   + Debian's Chromium)
#
# On a fresh machine it first installs what the tests need (scripts/setup.sh --browser).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Setup installs Go: from here on, a test that needs Go and does not find it fails (never skips).
export WPP_REQUIRE_GO=1

passed=0; failed=0; started=$SECONDS
step() { # name, command...
  local name=$1; shift
  local t0=$SECONDS
  printf '\n\033[1m== %s\033[0m\n' "$name"
  if "$@"; then
    passed=$((passed + 1)); printf '\033[32m== %s: ok (%d s)\033[0m\n' "$name" $((SECONDS - t0))
  else
    failed=$((failed + 1)); printf '\033[31m== %s: FAILED (%d s)\033[0m\n' "$name" $((SECONDS - t0))
    printf '\ntest: %d passed, %d failed\n' "$passed" "$failed"
    exit 1
  fi
}

WASM_THREADS=(--target wasm32-unknown-unknown --features threads,no-bundler -Z build-std=panic_unwind,std)

step "setup" bash scripts/setup.sh --browser
step "cargo fmt --check" cargo fmt --all --check
step "clippy (native)" cargo clippy --all-targets -- -D warnings
step "clippy (wasm32, threaded)" cargo clippy --all-targets "${WASM_THREADS[@]}" -- -D warnings
step "cargo test (native)" cargo test --release -- --skip go_compare_
# The Go programs of go/ (Go 1.19 from apt, installed by setup): vet, then their own tests.
step "go vet + go test (go/)" bash -c 'cd go && go vet ./... && GOOS=js GOARCH=wasm go vet ./... && go test ./...'
# Each scenario run in Go and in Rust with the same parameters and seed; a missing Go fails.
step "Go and Rust agree (tests/go_compare.rs)" env WPP_REQUIRE_GO=1 cargo test --release --test go_compare
# The channel and WaitGroup cores under loom (their own target dir: --cfg loom rebuilds all).
step "loom model checks" env RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom
step "build (both wasm packages, dist/)" bash scripts/build.sh
# The test runner sends COOP/COEP itself and starts Debian's chromedriver from PATH.
step "wasm-pack test --headless --chrome (threaded)" \
  env WASM_BINDGEN_TEST_TIMEOUT=120 wasm-pack test --headless --chrome --release --mode no-install -- \
  --test web --features threads,no-bundler -Z build-std=panic_unwind,std
step "end-to-end (Playwright, Chromium)" node --test --test-concurrency=1 tests/e2e/

printf '\ntest: %d passed, %d failed (%d s)\n' "$passed" "$failed" $((SECONDS - started))
