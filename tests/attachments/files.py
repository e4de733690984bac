"""Files for upload tests, made with Pillow and the standard library: no binary fixtures."""

from __future__ import annotations

import io
import zipfile

from PIL import ExifTags, Image, ImageDraw


def image_bytes(
    fmt: str, size: tuple[int, int] = (32, 24), color: str = "red", **save: object
) -> bytes:
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def png() -> bytes:
    return image_bytes("PNG")


def jpeg_with_gps_and_rotation() -> bytes:
    """40×20, left half red, right half blue, tagged "rotate 90° clockwise to display"."""
    image = Image.new("RGB", (40, 20), "blue")
    ImageDraw.Draw(image).rectangle((0, 0, 19, 19), fill="red")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Acme Phone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 17.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home", quality=95)
    return out.getvalue()


def animated_gif(frames: int = 3) -> bytes:
    images = []
    for index in range(frames):
        frame = Image.new("P", (30, 30), 0)
        frame.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
        ImageDraw.Draw(frame).rectangle((index * 8, 0, index * 8 + 7, 7), fill=index + 1)
        images.append(frame)
    out = io.BytesIO()
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=[100, 200, 300], loop=0
    )
    return out.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def text() -> bytes:
    return "Transaction 0xabc123 is stuck, 取款一直在处理中\r\n".encode()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def html() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()
