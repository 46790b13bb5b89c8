"""Writes the inputs of the edit-payload comparison into a folder (argument 1):

- photo.jpg / photo.png: a 2048 x 2048 photograph-like picture (smooth lighting, shapes
  with soft edges, sensor noise; not a flat colour, which any encoder squeezes to nothing);
- mask.png: an 8-bit grayscale mask with ten painted blobs, white = change.
"""

import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SIDE = 2048


def photo(rng: random.Random) -> Image.Image:
    # lighting: two gradients at right angles, one per channel pair
    gx = Image.linear_gradient("L").rotate(90).resize((SIDE, SIDE))
    gy = Image.linear_gradient("L").resize((SIDE, SIDE))
    base = Image.merge("RGB", (gx, gy, ImageChops.add(gx, gy, scale=2.0)))
    # objects: soft-edged ellipses and bars in many colours
    shapes = Image.new("RGB", (SIDE, SIDE))
    draw = ImageDraw.Draw(shapes)
    for _ in range(80):
        x, y = rng.randrange(SIDE), rng.randrange(SIDE)
        w, h = rng.randrange(40, 500), rng.randrange(40, 500)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        else:
            draw.rectangle((x, y, x + w, y + h // 4), fill=colour)
    shapes = shapes.filter(ImageFilter.GaussianBlur(6))
    img = Image.blend(base, shapes, 0.6)
    # fine texture and sensor noise
    noise = Image.effect_noise((SIDE, SIDE), 18).convert("RGB")
    return ImageChops.add(img, noise, scale=1.0, offset=-60).filter(ImageFilter.SMOOTH)


def mask(rng: random.Random) -> Image.Image:
    m = Image.new("L", (SIDE, SIDE), 0)
    draw = ImageDraw.Draw(m)
    for i in range(10):
        x, y = rng.randrange(200, SIDE - 200), rng.randrange(200, SIDE - 200)
        r = rng.randrange(60, 160)
        if i % 2 == 0:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        else:
            dx, dy = rng.randrange(-200, 200), rng.randrange(-200, 200)
            draw.line((x, y, x + dx, y + dy), fill=255, width=r // 2)
    return m


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(8)
    img = photo(rng)
    img.save(out / "photo.jpg", quality=90)
    img.save(out / "photo.png")
    mask(rng).save(out / "mask.png")


if __name__ == "__main__":
    main()
