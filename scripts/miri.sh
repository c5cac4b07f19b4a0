#!/usr/bin/env bash
# `npm run miri`: the channel, sync, context, pool and runtime tests under Miri, which reports
# undefined behaviour, data races and leaks, in a debug build (overflow checks on).
#
# Outside `npm test`: it is slow. Measured on this 2-core machine (2026-11-29): tests/golang.rs
# 10 min 19 s (24 tests), tests/pool.rs 1 min 35 s (7 tests); tests/runtime.rs takes hours, its
# deadlock tests about 25 minutes each (detection waits until every runner has parked, which
# Miri's interpreted clock and threads make slow). Miri interprets every instruction, so the Go
# ports run smaller sizes under it (`miri_or` in tests/common/mod.rs), and three runtime tests
# are skipped: two measure wall time or spread CPU work over threads (Miri's clock and threads
# are simulated), one replays 100 seeds twice.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
NIGHTLY=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)

# Miri is a rustup component of the pinned nightly; installed once, checked every time.
if ! rustup +"$NIGHTLY" component list --installed 2>/dev/null | grep -q '^miri'; then
  echo "miri: installing the miri component of $NIGHTLY"
  rustup component add miri --toolchain "$NIGHTLY"
fi
# Its own target dir: Miri builds everything for its interpreter.
export CARGO_TARGET_DIR=target/miri
cargo miri setup
start=$SECONDS
cargo miri test --test golang --test pool --test runtime -- \
  --skip time_scale_keeps_ratios --skip goroutines_spread_over_threads \
  --skip deterministic_mode_replays
echo "miri: passed in $((SECONDS - start)) s"
