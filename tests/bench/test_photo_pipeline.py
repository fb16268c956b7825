"""The photo pipeline on a camera-sized JPEG (decoded at reduced scale since issue 8).

Checks the result, not the speed: upright by its EXIF orientation, web size and thumbnail
at their limits, and nothing of the original's metadata left.
"""

from __future__ import annotations

import io

from PIL import Image

from monitor import photos


def camera_jpeg(size=(4000, 3000), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    # a red block in the top-left corner of the stored pixels, to follow the rotation
    image.paste((220, 20, 20), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    exif[0x010F] = "Testcamera"
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_large_jpeg_web_and_thumb_sizes():
    result = photos.process_upload(io.BytesIO(camera_jpeg()))
    assert (result.width, result.height) == (1600, 1200)
    with Image.open(io.BytesIO(result.web)) as web:
        assert web.size == (1600, 1200)
        assert not web.getexif()
        # the red block is still the top-left quarter
        assert web.getpixel((100, 100))[0] > 180 and web.getpixel((1500, 1100))[2] > 150
    with Image.open(io.BytesIO(result.thumb)) as thumb:
        assert thumb.size == (400, 300)
        assert not thumb.getexif()


def test_large_jpeg_turned_upright():
    # orientation 6: the camera was turned; the stored landscape shows as portrait
    result = photos.process_upload(io.BytesIO(camera_jpeg(orientation=6)))
    assert (result.width, result.height) == (1200, 1600)
    with Image.open(io.BytesIO(result.web)) as web:
        assert web.size == (1200, 1600)
        # rotated 90° clockwise: the stored top-left block is now at the top right
        assert web.getpixel((1100, 100))[0] > 180 and web.getpixel((100, 100))[2] > 150
    with Image.open(io.BytesIO(result.thumb)) as thumb:
        assert thumb.size == (300, 400)
