#!/usr/bin/python3
"""Golden JPEG decodes for the train loader: Pillow's Image.open(...).convert("RGB") of small JPEGs (Pillow decodes with
libjpeg-turbo, default settings), and one whole loader step: decode, crop, resize(BILINEAR) to 24x24, flip.
Run with Debian's /usr/bin/python3 (python3-pil). The JPEGs are made here by Pillow's encoder in several layouts."""
import base64, io, json, os
import numpy as np
from PIL import Image


def jpeg(image, **options):
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


rng = np.random.default_rng(20261207)
y, x = np.mgrid[0:45, 0:61]
smooth = np.stack([(x * 4 + y * 2) % 256, (y * 5 + 40) % 256, (x * y) % 256], axis=-1).astype(np.uint8)
noisy = np.clip(smooth.astype(int) + rng.integers(-40, 41, size=smooth.shape), 0, 255).astype(np.uint8)
rgb = Image.fromarray(noisy, "RGB")

encoded = {
    "q95 4:2:0 (ingest's layout)": jpeg(rgb, quality=95, subsampling=2),
    "q75 4:2:2": jpeg(rgb, quality=75, subsampling=1),
    "q90 4:4:4": jpeg(rgb, quality=90, subsampling=0),
    "progressive q85 4:2:0": jpeg(rgb, quality=85, subsampling=2, progressive=True),
    "grayscale q90": jpeg(rgb.convert("L"), quality=90),
    "odd size 1x7": jpeg(Image.fromarray(noisy[:7, :1], "RGB"), quality=95),
}
cases = []
for name, data in encoded.items():
    decoded = Image.open(io.BytesIO(data)).convert("RGB")
    cases.append({"name": name, "jpeg": base64.b64encode(data).decode(), "width": decoded.width, "height": decoded.height,
                  "rgb": base64.b64encode(decoded.tobytes()).decode()})

# One loader step on the first JPEG: torchvision's RandomResizedCrop + RandomHorizontalFlip on a PIL image.
left, top, width, height = 7, 4, 38, 33
step = Image.open(io.BytesIO(encoded["q95 4:2:0 (ingest's layout)"])).convert("RGB")
step = step.crop((left, top, left + width, top + height)).resize((24, 24), Image.BILINEAR).transpose(Image.FLIP_LEFT_RIGHT)
loader = {"case": 0, "left": left, "top": top, "width": width, "height": height, "size": 24, "flip": True,
          "rgb": base64.b64encode(step.tobytes()).decode()}

cmyk = jpeg(Image.new("CMYK", (9, 6), (10, 200, 30, 0)), quality=90)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "jpeg_decode_golden.json")
with open(path, "w") as f:
    json.dump({"pillow": Image.__version__, "cases": cases, "loader": loader,
               "cmyk": {"jpeg": base64.b64encode(cmyk).decode(), "width": 9, "height": 6}}, f, indent=1)
print(f"wrote {path}: {len(cases)} decodes")
