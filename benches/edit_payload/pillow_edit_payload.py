"""What `mjdesk edit IMAGE --mask MASK --prompt P --provider ttapi --dry-run --json` does,
written the way a designer's Pillow script would: decode the photo, make the masked area
transparent (white or transparent in the mask = change), encode PNG, base64, print the
request as JSON. The yardstick of issue 8's "a seventh of a Pillow script".

Usage: python3 pillow_edit_payload.py IMAGE MASK PROMPT [COMPRESS_LEVEL]
(COMPRESS_LEVEL: zlib level 0-9 for the PNG; Pillow's default, 6, when left out.)
"""

import base64
import io
import json
import sys

from PIL import Image


def main() -> None:
    image_path, mask_path, prompt = sys.argv[1:4]
    level = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    image = Image.open(image_path).convert("RGBA")
    mask = Image.open(mask_path)
    # white (from half intensity up) or transparent marks the area to change
    if mask.mode in ("RGBA", "LA", "P"):
        rgba = mask.convert("RGBA")
        change = Image.eval(rgba.getchannel("A"), lambda a: 255 if a < 128 else 0)
        luma = rgba.convert("L").point(lambda v: 255 if v >= 128 else 0)
        change = Image.composite(change, luma, change)
    else:
        change = mask.convert("L").point(lambda v: 255 if v >= 128 else 0)
    if change.size != image.size:
        sys.exit(f"the mask is {change.size} but the image is {image.size}")
    image.putalpha(change.point(lambda v: 255 - v))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=level)
    body = {"image": base64.b64encode(out.getvalue()).decode("ascii"), "prompt": prompt, "type": "edit"}
    request = {
        "method": "POST",
        "url": "https://api.ttapi.io/midjourney/image-edits/submit",
        "headers": [["TT-API-KEY", "***"], ["Content-Type", "application/json"]],
        "body": body,
    }
    print(json.dumps(request, indent=2))


if __name__ == "__main__":
    main()
