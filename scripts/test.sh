#!/usr/bin/env bash
# Every test, in order, stopping at the first failure; ends with one summary line.
#
#   fmt · clippy (native) · wasm sysroot · clippy (wasm32, threaded) · cargo test · cargo test
#   (debug) · go vet + go test · Go/Rust comparison · loom · stress · build · wasm-pack test
#   (Chromium, threaded build) · end-to-end (Playwright + Debian's Chromium)
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

# std for the threaded wasm build comes from the sysroot of scripts/wasm-sysroot.sh (see
# .cargo/config.toml), so no `-Z build-std` here.
WASM_THREADS=(--target wasm32-unknown-unknown --features threads,no-bundler)

step "setup" bash scripts/setup.sh --browser
step "cargo fmt --check" cargo fmt --all --check
step "clippy (native)" cargo clippy --all-targets -- -D warnings
step "wasm sysroot (std with atomics and unwinding, built once)" bash scripts/wasm-sysroot.sh
step "clippy (wasm32, threaded)" cargo clippy --all-targets "${WASM_THREADS[@]}" -- -D warnings
step "cargo test (native)" cargo test --release -- --skip go_compare_
# A debug build too: overflow checks and debug assertions on, as plain `cargo test` has them (the
# pool's queue-depth race overflowed only there). The runtime, pool, Go-port and property tests;
# the scenario tests measure speedups, which a debug build does not show.
step "cargo test (native, debug build)" cargo test --test golang --test pool --test properties --test runtime
# The Go programs (Go 1.19 from apt, installed by setup): go/, the scenarios the page shows, and
# bench/go, Go's side of the benchmarks: vet, then their own tests.
step "go vet + go test (go/, bench/go)" bash -c 'cd go && go vet ./... && GOOS=js GOARCH=wasm go vet ./... && go test ./... && cd ../bench/go && go vet ./... && go test -timeout 120s ./...'
# Each scenario run in Go and in Rust with the same parameters and seed; a missing Go fails.
step "Go and Rust agree (tests/go_compare.rs)" env WPP_REQUIRE_GO=1 cargo test --release --test go_compare
# The channel, WaitGroup and context cores under loom (their own target dir: --cfg loom rebuilds
# all).
step "loom model checks" env RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release --test loom
# Randomized pools and programs, each checked for one outcome per job, no goroutine left and the
# heap back at its baseline (src/stress.rs). Prints the seed to replay on a failure.
step "stress (1,000 randomized runs)" cargo run --release --quiet -- stress --runs 1000 --seed "${STRESS_SEED:-1}"
step "build (both wasm packages, dist/)" bash scripts/build.sh
# The test runner sends COOP/COEP itself and starts Debian's chromedriver from PATH. Exactly as
# typed by hand: no features, no -Z build-std, a debug build of every test target, the doctests
# included (the default features and the sysroot above must be enough). It ran `--release --
# --test web` until session 33, about 1.5 min quicker, and so missed that the typed command had
# come to fail on the doctests after its browser tests passed (scripts/wasm-sysroot.sh).
step "wasm-pack test --headless --chrome (threaded)" wasm-pack test --headless --chrome
step "end-to-end (Playwright, Chromium)" node --test --test-concurrency=1 tests/e2e/

printf '\ntest: %d passed, %d failed (%d s)\n' "$passed" "$failed" $((SECONDS - started))
