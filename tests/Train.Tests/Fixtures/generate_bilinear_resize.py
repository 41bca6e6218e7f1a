#!/usr/bin/python3
"""Golden crops for BilinearResize: Pillow's Image.crop then Image.resize(size, BILINEAR), optionally followed by a
left-right flip, exactly as torchvision's RandomResizedCrop + RandomHorizontalFlip treat a PIL image.
Run with Debian's /usr/bin/python3 (python3-pil). Small images are random and stored; the larger one is a formula the
test recomputes (pattern_pixels), so the fixture stays small."""
import base64, json, os
import numpy as np
from PIL import Image


def pattern_pixels(width, height):
    # Integer formula shared with the C# test: smooth ramps plus a fine checker, so rounding and clipping both matter.
    y, x = np.mgrid[0:height, 0:width]
    channels = [(x * x * 7 + y * 13 + x * y * 3 + c * 85 + ((x + y) % 2) * 90) % 256 for c in range(3)]
    return np.stack(channels, axis=-1).astype(np.uint8)


rng = np.random.default_rng(20261206)
small = rng.integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
tiny = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
images = {"small": small, "tiny": tiny, "pattern": pattern_pixels(211, 157)}

# (image, left, top, width, height, out width, out height, flip)
cases = [
    ("small", 5, 3, 50, 41, 24, 24, False),    # downscale both axes
    ("small", 5, 3, 50, 41, 24, 24, True),     # same, flipped
    ("small", 10, 7, 9, 13, 24, 24, False),    # upscale both axes
    ("small", 0, 0, 64, 48, 17, 31, False),    # non-square output: down in x, up in y
    ("small", 0, 0, 64, 48, 3, 2, True),       # strong downscale (wide kernels)
    ("small", 8, 8, 24, 24, 24, 24, False),    # same size: Pillow copies the crop
    ("small", 2, 4, 40, 24, 24, 24, True),     # height unchanged: Pillow skips the vertical pass
    ("small", 11, 5, 1, 1, 5, 5, False),       # one source pixel
    ("small", 0, 30, 64, 1, 7, 3, False),      # one source row
    ("small", 20, 0, 1, 48, 2, 9, True),       # one source column
    ("small", 2, 2, 13, 9, 1, 1, False),       # one output pixel
    ("tiny", 0, 0, 7, 5, 33, 1, False),        # whole tiny image to one row
    ("pattern", 3, 1, 200, 150, 80, 64, True),     # rows wider than one 32-byte vector, with a remainder
    ("pattern", 50, 20, 97, 89, 104, 96, False),   # upscaled a little, as small crops are to the loader's 224
]

out = {"images": {}, "cases": []}
for name, pixels in images.items():
    h, w, _ = pixels.shape
    entry = {"width": w, "height": h}
    if name != "pattern":
        entry["rgb"] = base64.b64encode(pixels.tobytes()).decode()
    out["images"][name] = entry
for name, left, top, width, height, ow, oh, flip in cases:
    image = Image.fromarray(images[name], "RGB")
    result = image.crop((left, top, left + width, top + height)).resize((ow, oh), Image.BILINEAR)
    if flip:
        result = result.transpose(Image.FLIP_LEFT_RIGHT)
    out["cases"].append({"image": name, "left": left, "top": top, "width": width, "height": height,
                         "outWidth": ow, "outHeight": oh, "flip": flip,
                         "rgb": base64.b64encode(np.asarray(result, dtype=np.uint8).tobytes()).decode()})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bilinear_resize_golden.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print(f"{len(out['cases'])} cases, Pillow {Image.__version__} -> {path} ({os.path.getsize(path)} bytes)")
