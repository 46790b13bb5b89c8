#!/usr/bin/env bash
# Issue 8: the TTAPI edit payload of a 2048 x 2048 photo as whole processes, mjdesk against
# a Pillow script doing the same work (decode, masked area transparent, PNG, base64, JSON).
#
# Needs: a release build (`cargo build --release --bin mjdesk`), python3 with Pillow, and
# hyperfine (apt-get install hyperfine). Usage:
#   MJDESK=target/release/mjdesk benches/edit_payload/compare.sh [RUNS]
# Inputs are generated once into $INPUTS (default /tmp/mjdesk-edit-inputs); the store and
# the key file of mjdesk go to a temporary folder, never the real ones.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mjdesk="${MJDESK:-${CARGO_TARGET_DIR:-target}/release/mjdesk}"
inputs="${INPUTS:-/tmp/mjdesk-edit-inputs}"
runs="${1:-10}"
[ -x "$mjdesk" ] || { echo "no mjdesk binary at $mjdesk: cargo build --release --bin mjdesk" >&2; exit 1; }
[ -f "$inputs/photo.jpg" ] || python3 "$here/make_inputs.py" "$inputs"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export MJDESK_DATA_DIR="$scratch/data" MJDESK_CONFIG_DIR="$scratch/config"

edit() { # IMAGE: one mjdesk dry run, the whole payload printed
    echo "'$mjdesk' edit '$1' --mask '$inputs/mask.png' --prompt 'a red fox' --provider ttapi --api-key x --dry-run --json"
}
pillow() { # IMAGE [LEVEL]
    echo "python3 '$here/pillow_edit_payload.py' '$1' '$inputs/mask.png' 'a red fox' ${2:-}"
}

# the outputs agree: the same pixels (alpha 0 exactly on the mask) from both
eval "$(edit "$inputs/photo.jpg")" > "$scratch/mjdesk.json"
eval "$(pillow "$inputs/photo.jpg")" > "$scratch/pillow.json"
python3 - "$scratch/mjdesk.json" "$scratch/pillow.json" <<'PY'
import base64, io, json, sys
from PIL import Image, ImageChops
imgs = []
for path in sys.argv[1:3]:
    req = json.load(open(path))
    png = base64.b64decode(req["body"]["image"])
    img = Image.open(io.BytesIO(png))
    img.load()
    print(f"{path.rsplit('/', 1)[1]}: {img.size} {img.mode}, PNG {len(png) / 1e6:.2f} MB, base64 {len(req['body']['image']) / 1e6:.2f} MB")
    imgs.append(img)
alpha = [i.getchannel("A") for i in imgs]
assert ImageChops.difference(*alpha).getbbox() is None, "the transparent areas differ"
# JPEG decoders may round a few values differently: report, do not fail
diff = ImageChops.difference(imgs[0].convert("RGB"), imgs[1].convert("RGB")).getextrema()
print("same transparent area; largest colour difference per channel (JPEG decoders):", [d[1] for d in diff])
PY

hyperfine --warmup 2 --runs "$runs" -N --export-markdown "$scratch/jpeg.md" \
    -n "mjdesk (JPEG in)" "$(edit "$inputs/photo.jpg")" \
    -n "Pillow, default PNG level 6 (JPEG in)" "$(pillow "$inputs/photo.jpg")" \
    -n "Pillow, PNG level 1 (JPEG in)" "$(pillow "$inputs/photo.jpg" 1)"
hyperfine --warmup 2 --runs "$runs" -N --export-markdown "$scratch/png.md" \
    -n "mjdesk (PNG in)" "$(edit "$inputs/photo.png")" \
    -n "Pillow, default PNG level 6 (PNG in)" "$(pillow "$inputs/photo.png")"
cat "$scratch/jpeg.md" "$scratch/png.md"
