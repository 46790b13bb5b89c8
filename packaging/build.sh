#!/usr/bin/env bash
# Builds mjdesk's desktop packages into target/packages/:
#   - mjdesk_VERSION_ARCH.deb: the binary, its desktop entry (with "Open with mjdesk" for
#     PNG, JPEG, WebP and BMP images) and its icons at the hicolor sizes;
#   - mjdesk.AppDir, and mjdesk-VERSION-ARCH.AppImage from it, whose runtime is mjdesk
#     itself (it needs no FUSE); made when mksquashfs (squashfs-tools) is installed.
#
# Usage: packaging/build.sh [--binary PATH]
#   With no --binary, builds the release binary first (cargo build --release --locked).
#   --binary packages an already-built binary (CI packages its debug build to check the
#   package's layout without a second, optimised build).
# Environment: DEB_COMPRESSION and SQUASHFS_COMPRESSION (xz by default; CI uses none and gzip).
# Needs: dpkg-deb (dpkg), readelf and strip (binutils), mksquashfs for the AppImage, and cargo
# unless --binary is given.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) bin="${2:?--binary needs a path}"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "packaging/build.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  cargo build --release --locked --bin mjdesk
  bin=target/release/mjdesk
fi
[ -x "$bin" ] || { echo "packaging/build.sh: no executable at $bin" >&2; exit 1; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(dpkg --print-architecture)
out=target/packages
rm -rf "$out"
mkdir -p "$out"

# The files both packages hold, under a /usr prefix.
stage() {
  local root="$1"
  install -Dm755 "$bin" "$root/usr/bin/mjdesk"
  install -Dm644 assets/mjdesk.desktop "$root/usr/share/applications/mjdesk.desktop"
  for dir in assets/icons/*x*; do
    install -Dm644 "$dir/mjdesk.png" "$root/usr/share/icons/hicolor/$(basename "$dir")/apps/mjdesk.png"
  done
  install -Dm644 README.md "$root/usr/share/doc/mjdesk/README.md"
}

# .deb
deb_root="$out/deb"
stage "$deb_root"
strip --strip-unneeded "$deb_root/usr/bin/mjdesk" 2>/dev/null || true
size_kb=$(du -sk "$deb_root/usr" | cut -f1)
mkdir -p "$deb_root/DEBIAN"
cat >"$deb_root/DEBIAN/control" <<CONTROL
Package: mjdesk
Version: $version
Architecture: $arch
Maintainer: mjdesk developers <mjdesk@localhost>
Installed-Size: $size_kb
Depends: libc6, libstdc++6, libgcc-s1, ca-certificates, libgl1, libegl1, libxkbcommon-x11-0, libxcursor1, libxrandr2, libxi6, libfontconfig1
Recommends: libwayland-client0, libwayland-egl1, dbus-user-session
Section: graphics
Priority: optional
Description: native desktop client for Midjourney through its HTTP gateways
 mjdesk drives Midjourney through TTAPI, AceData or Vtrix: prompts, 2x2 grids,
 upscales and variations, Vary (Region) and image edits with a hand-painted mask,
 a history that never expires, and a built-in simulator to try it all with no key.
CONTROL
# Refresh the icon cache and MIME associations after install, where the tools exist.
cat >"$deb_root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
POSTINST
chmod 755 "$deb_root/DEBIAN/postinst"
deb="$out/mjdesk_${version}_${arch}.deb"
dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-xz}" --build "$deb_root" "$deb" >/dev/null
rm -rf "$deb_root"
echo "built $deb"

# AppImage
appdir="$out/mjdesk.AppDir"
stage "$appdir"
strip --strip-unneeded "$appdir/usr/bin/mjdesk" 2>/dev/null || true
cp assets/mjdesk.desktop "$appdir/mjdesk.desktop"
cp assets/icons/256x256/mjdesk.png "$appdir/mjdesk.png"
ln -s mjdesk.png "$appdir/.DirIcon"
cat >"$appdir/AppRun" <<'APPRUN'
#!/bin/sh
here="$(dirname "$(readlink -f "$0")")"
exec "$here/usr/bin/mjdesk" "$@"
APPRUN
chmod 755 "$appdir/AppRun"
# The AppImage: mjdesk itself is the runtime (see src/appimage.rs): a stripped copy of the
# binary, marked AI\x02 in its ELF header's padding, with the AppDir appended as SquashFS right
# where the ELF ends. Starting it starts mjdesk, with no FUSE and nothing unpacked.
if command -v mksquashfs >/dev/null; then
  image="$out/mjdesk-${version}-$(uname -m).AppImage"
  runtime="$out/runtime"
  cp "$appdir/usr/bin/mjdesk" "$runtime"
  # The ELF must end with its section header table, so the image starts at the file's end.
  read -r shoff shsize shnum < <(readelf -h "$runtime" | awk -F: '
    /Start of section headers/ {split($2, a, " "); o=a[1]}
    /Size of section headers/ {split($2, a, " "); s=a[1]}
    /Number of section headers/ {split($2, a, " "); n=a[1]}
    END {print o, s, n}')
  elf_end=$((shoff + shsize * shnum))
  [ "$elf_end" = "$(stat -c %s "$runtime")" ] || {
    echo "packaging/build.sh: the binary does not end with its section headers ($elf_end)" >&2; exit 1; }
  printf 'AI\002' | dd of="$runtime" bs=1 seek=8 conv=notrunc status=none
  mksquashfs "$appdir" "$out/image.squashfs" -root-owned -noappend -comp "${SQUASHFS_COMPRESSION:-xz}" -quiet >/dev/null
  cat "$runtime" "$out/image.squashfs" >"$image"
  chmod 755 "$image"
  rm -rf "$runtime" "$out/image.squashfs" "$appdir"
  echo "built $image"
else
  echo "AppDir ready at $appdir; mksquashfs (squashfs-tools) is not installed, so no AppImage was made"
fi
