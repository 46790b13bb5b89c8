#!/usr/bin/env bash
# Measures the real window's memory (see examples/window_memory.rs): 1,000 jobs' thumbnails
# scrolled through, then 100 full images opened, on a private Xvfb. Prints VmRSS / VmHWM at
# each stage. Usage: bash benches/window-memory.sh [--release]   (MJDESK_MEMORY_GRID=2048 for
# Midjourney-sized grids). Needs: xvfb x11-utils libgl1-mesa-dri (see the README's setup).
set -euo pipefail
cd "$(dirname "$0")/.."
profile_dir=debug
args=()
if [ "${1:-}" = "--release" ]; then profile_dir=release; args=(--release); fi
cargo build --quiet "${args[@]}" --example window_memory
bin="${CARGO_TARGET_DIR:-target}/$profile_dir/examples/window_memory"
tmp=$(mktemp -d)
xvfb=""
cleanup() {
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# A free display: no lock file, no socket, no abstract socket (another container may hold it).
n=$((100 + RANDOM % 800))
while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] || grep -q "@/tmp/.X11-unix/X$n\$" /proc/net/unix; do
  n=$((n + 1))
done
export DISPLAY=":$n" XDG_RUNTIME_DIR="$tmp"
unset WAYLAND_DISPLAY WAYLAND_SOCKET
Xvfb "$DISPLAY" -screen 0 1280x900x24 -nolisten tcp -ac >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
for _ in $(seq 1 80); do
  xdpyinfo >/dev/null 2>&1 && break
  sleep 0.25
done
xdpyinfo >/dev/null 2>&1 || { echo "Xvfb on $DISPLAY did not answer"; cat "$tmp/xvfb.log"; exit 1; }
echo "profile: $profile_dir, display $DISPLAY, grid ${MJDESK_MEMORY_GRID:-1024} px"
"$bin"
