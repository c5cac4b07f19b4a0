#!/usr/bin/env bash
# Installs what building and testing need, and nothing that is already there. Idempotent: every
# step checks before it acts, so a second run takes a second or two.
#
#   bash scripts/setup.sh            toolchain, wasm-pack, wasm-bindgen-cli, npm packages
#   bash scripts/setup.sh --browser  also Chromium, ChromeDriver and Go (tests need them)
#
# Versions are pinned here, in rust-toolchain.toml, Cargo.lock and package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

NIGHTLY=nightly-2026-05-20        # keep in sync with rust-toolchain.toml
WASM_PACK_VERSION=0.15.1
WASM_BINDGEN_VERSION=0.2.130      # keep in sync with `wasm-bindgen = "=…"` in Cargo.toml

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf '\033[31msetup: %s\033[0m\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"
command -v rustup >/dev/null || die "rustup is missing: install Rust with rustup first (https://rustup.rs)"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are missing: install Node.js 20 or newer (Debian: apt-get install nodejs npm)"

# 1. The pinned nightly with rust-src (for -Z build-std) and the wasm32 target.
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
  || ! rustup +"$NIGHTLY" target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || ! rustup +"$NIGHTLY" component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing Rust $NIGHTLY with rust-src, rustfmt, clippy and wasm32-unknown-unknown"
  rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src,rustfmt,clippy --target wasm32-unknown-unknown
fi

# 2. wasm-pack and wasm-bindgen-cli from crates.io (their own binary downloads fail here).
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION from crates.io (about 2 minutes)"
  cargo +"$NIGHTLY" install wasm-pack --locked --version "$WASM_PACK_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lockfile pins a webpki-roots version this registry does not have.
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (about 2 minutes)"
  cargo +"$NIGHTLY" install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 3. npm packages, exactly as package-lock.json pins them.
# Not through a symlinked node_modules (a git worktree sharing another checkout's): npm ci
# empties the directory it points to, and a fresh worktree's package-lock.json is always newer
# (session 20: a helper's build emptied main's node_modules in the middle of main's build).
if [ -L node_modules ]; then
  say "node_modules is a symlink to $(readlink node_modules): not running npm ci through it"
elif [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# 4. Browser tests: Debian's Chromium and ChromeDriver (never a downloaded browser), and Debian's
#    Go (golang-go, 1.19 on bookworm) for the Go programs, the Go/Rust comparison and Go in the tab.
if [ "${1:-}" = "--browser" ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v go >/dev/null || missing+=(golang-go)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing ${missing[*]} from apt"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    else
      die "the browser tests need ${missing[*]}: run as root on Debian, or install them (apt-get install chromium chromium-driver golang-go)"
    fi
  fi
fi
say "ready"
