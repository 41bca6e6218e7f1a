#!/usr/bin/python3
"""PNG label fixtures written by Pillow/OpenCV, with the raw values they hold, for the IndexedPng reader.

Run with Debian's /usr/bin/python3 (pillow, numpy, opencv). Writes png_*.png and png_values.json here.
"""
import json
import os

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def voc_palette():
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= (c & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


def main():
    rng = np.random.RandomState(3)
    values = {}
    # VOC-style 8-bit palette PNG: smooth regions + 255 boundary pixels
    h, w = 23, 37
    idx = (np.arange(w)[None, :] // 5 + np.arange(h)[:, None] // 4) % 21
    idx[rng.rand(h, w) < 0.08] = 255
    im = Image.fromarray(idx.astype(np.uint8), mode="P")
    im.putpalette(voc_palette())
    im.save(os.path.join(HERE, "png_palette8.png"))
    values["png_palette8.png"] = {"width": w, "height": h, "channels": 1, "values": idx.ravel().tolist()}
    # 4-bit palette (Pillow picks the bit depth from the palette size)
    idx4 = rng.randint(0, 16, size=(9, 11)).astype(np.uint8)
    im4 = Image.fromarray(idx4, mode="P")
    im4.putpalette(voc_palette()[: 16 * 3])
    im4.save(os.path.join(HERE, "png_palette4.png"), bits=4)
    values["png_palette4.png"] = {"width": 11, "height": 9, "channels": 1, "values": idx4.ravel().tolist()}
    # 8-bit grayscale written by OpenCV (uses PNG row filters)
    gray = (np.arange(19)[None, :] * 7 + np.arange(13)[:, None] * 11 + rng.randint(0, 3, size=(13, 19))) % 256
    cv2.imwrite(os.path.join(HERE, "png_gray8.png"), gray.astype(np.uint8))
    values["png_gray8.png"] = {"width": 19, "height": 13, "channels": 1, "values": gray.ravel().tolist()}
    # 16-bit grayscale (large-vocabulary label ids)
    g16 = rng.randint(0, 1300, size=(7, 10)).astype(np.uint16)
    cv2.imwrite(os.path.join(HERE, "png_gray16.png"), g16)
    values["png_gray16.png"] = {"width": 10, "height": 7, "channels": 1, "values": g16.ravel().tolist()}
    # RGB with Pillow's adaptive filters (ImageNet-S style id = R + 256 G)
    rgb = rng.randint(0, 256, size=(6, 8, 3)).astype(np.uint8)
    rgb[:, :4] = rgb[0, 0]
    Image.fromarray(rgb, mode="RGB").save(os.path.join(HERE, "png_rgb.png"), optimize=True)
    values["png_rgb.png"] = {"width": 8, "height": 6, "channels": 3, "values": rgb.ravel().tolist()}
    with open(os.path.join(HERE, "png_values.json"), "w") as f:
        json.dump(values, f, separators=(",", ":"))
    print("wrote", sorted(values))


if __name__ == "__main__":
    main()
