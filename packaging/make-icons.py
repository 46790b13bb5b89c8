#!/usr/bin/env python3
"""Draws mjdesk's icon (a 2x2 grid of results on a violet tile, one picked, with a brush
ring) as PNGs at the hicolor sizes, into assets/icons/. Standard library only, so anyone
can redraw it: python3 packaging/make-icons.py"""

import os
import struct
import zlib

SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
SS = 4  # samples per pixel side


def rounded(x, y, x0, y0, x1, y1, r):
    """True when (x, y) lies in the rounded rectangle."""
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def mix(a, b, t):
    return tuple(a[i] + (b[i] - a[i]) * t for i in range(3))


def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))


TOP, BOTTOM = hexrgb("#4b36a8"), hexrgb("#17123d")
TILES = [  # (top colour, bottom colour) of each result in the grid
    (hexrgb("#ffcf7a"), hexrgb("#f0786a")),
    (hexrgb("#8fd3ff"), hexrgb("#4f7cf0")),
    (hexrgb("#b9f09a"), hexrgb("#3fae8c")),
    (hexrgb("#ffa3d1"), hexrgb("#a05ce0")),
]
M, GAP, TR = 0.17, 0.06, 0.07
SIDE = (1 - 2 * M - GAP) / 2
PICKED = 1  # the top-right result wears a white frame
RING = (0.72, 0.72, 0.13, 0.035)  # brush ring: centre x, y, radius, width


def sample(x, y):
    """Colour and alpha at (x, y) in the unit square."""
    if not rounded(x, y, 0.02, 0.02, 0.98, 0.98, 0.2):
        return (0, 0, 0), 0.0
    c = mix(TOP, BOTTOM, y)
    for i, (a, b) in enumerate(TILES):
        tx = M + (i % 2) * (SIDE + GAP)
        ty = M + (i // 2) * (SIDE + GAP)
        if i == PICKED and rounded(x, y, tx - 0.025, ty - 0.025, tx + SIDE + 0.025, ty + SIDE + 0.025, TR + 0.02):
            c = (1, 1, 1)
        if rounded(x, y, tx, ty, tx + SIDE, ty + SIDE, TR):
            c = mix(a, b, (y - ty) / SIDE)
    cx, cy, r, w = RING
    d = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5
    if abs(d - r) <= w / 2 + 0.012:
        c = (0.08, 0.06, 0.2)  # dark outline so the ring reads on any tile
    if abs(d - r) <= w / 2:
        c = (1, 1, 1)
    return c, 1.0


def render(size):
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc, alpha = [0.0, 0.0, 0.0], 0.0
            for sy in range(SS):
                for sx in range(SS):
                    c, a = sample((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size)
                    for k in range(3):
                        acc[k] += c[k] * a
                    alpha += a
            n = SS * SS
            if alpha > 0:
                row += bytes(round(acc[k] / alpha * 255) for k in range(3))
            else:
                row += b"\0\0\0"
            row.append(round(alpha / n * 255))
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    head = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "icons")
    for size in SIZES:
        folder = os.path.join(out, f"{size}x{size}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "mjdesk.png"), "wb") as f:
            f.write(png(size, render(size)))


if __name__ == "__main__":
    main()
