#!/usr/bin/env bash
# Builds the standard library of the threaded wasm build once (atomics for shared memory,
# unwinding panics) as a sysroot in target/wasm-sysroot/, and writes
# target/wasm-sysroot/cargo.toml, which .cargo/config.toml includes: it adds `--sysroot` to the
# wasm32 rustflags. With it, a wasm32 build needs no `-Z build-std`, so
# `wasm-pack test --headless --chrome`, typed as is, builds and runs the browser tests, and the
# wasm clippy and browser-test steps of scripts/test.sh (which runs this first) need no std
# build of their own. A build that still passes `-Z build-std` (scripts/build.sh) works as
# before: cargo then links the std it built. Idempotent: a stamp of the toolchain and the flags.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

ROOT="$PWD/target/wasm-sysroot"
TARGET=wasm32-unknown-unknown
# What std must be compiled with to link into the threaded build, read from .cargo/config.toml
# (the rest of its flags are link arguments, which do not touch an rlib).
features=$(sed -n 's/^ *"-C", "target-feature=\([^"]*\)",*$/\1/p' .cargo/config.toml)
[ -n "$features" ] || { echo "wasm-sysroot: no target-feature line in .cargo/config.toml" >&2; exit 1; }
FLAGS="-C target-feature=$features -C panic=unwind"
# libtest too: `wasm-pack test` builds every test target, the libtest harnesses included.
CRATES=panic_unwind,std,test
stamp=$( { rustc -vV; echo "$FLAGS $CRATES"; } | sha256sum | cut -d' ' -f1)
# Written on every run, so a sysroot built before a change here gets the new settings.
# rustdocflags too: since Rust 1.89 cargo cross-compiles a wasm32 test run's doctests, and
# rustdoc, given none of the rustflags, read the crate's rlibs against the prebuilt std ("can't
# find crate for `serde`", E0463), so `wasm-pack test --headless --chrome` as typed failed after
# its browser tests had passed. The examples themselves are native (`ignore-wasm32`).
write_config() {
  cat > "$ROOT/cargo.toml" <<EOF
# Written by scripts/wasm-sysroot.sh; included by .cargo/config.toml.
[target.$TARGET]
rustflags = ["--sysroot=$ROOT"]
rustdocflags = ["--sysroot=$ROOT"]
EOF
}
if [ -f "$ROOT/stamp" ] && [ "$(cat "$ROOT/stamp")" = "$stamp" ] && [ -f "$ROOT/cargo.toml" ]; then
  write_config
  echo "wasm-sysroot: up to date"
  exit 0
fi

echo "wasm-sysroot: building $CRATES for $TARGET with $FLAGS"
t0=$SECONDS
rm -rf "$ROOT"
mkdir -p "$ROOT/crate/src"
# An empty crate: building it with -Z build-std leaves exactly those crates next to it.
printf '[package]\nname = "wasm-sysroot-std"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n' \
  > "$ROOT/crate/Cargo.toml"
: > "$ROOT/crate/src/lib.rs"
# RUSTFLAGS replaces the config's wasm32 rustflags, the `--sysroot` of an earlier run included.
(cd "$ROOT/crate" && RUSTFLAGS="$FLAGS" CARGO_TARGET_DIR="$ROOT/build" \
  cargo build --release --quiet -Z build-std="$CRATES" --target "$TARGET")
lib="$ROOT/lib/rustlib/$TARGET/lib"
mkdir -p "$lib"
find "$ROOT/build/$TARGET/release/deps" -name '*.rlib' ! -name 'libwasm_sysroot_std*' -exec cp {} "$lib/" \;
# rustc finds its linker (rust-lld) under the sysroot's host directory: the toolchain's own.
host=$(rustc -vV | sed -n 's/^host: //p')
ln -s "$(rustc --print sysroot)/lib/rustlib/$host" "$ROOT/lib/rustlib/$host"
rm -rf "$ROOT/build" "$ROOT/crate"
write_config
echo "$stamp" > "$ROOT/stamp"
echo "wasm-sysroot: built in $((SECONDS - t0)) s ($(du -sh "$lib" | cut -f1))"
