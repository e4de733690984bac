"""Type detection and filenames: pure functions, no database."""

from __future__ import annotations

import codecs
import io

import pytest
from PIL import Image

from supportdesk.attachments.images import reencode_sync
from supportdesk.attachments.sniff import MAX_PIXELS, TYPES, safe_filename, sniff
from supportdesk.errors import InvalidInput, UnsupportedMedia

from . import files


def bilevel_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (files.png(), "PNG"),
        (files.image_bytes("JPEG"), "JPEG"),
        (files.image_bytes("WEBP"), "WEBP"),
        (files.image_bytes("GIF"), "GIF"),
        (files.pdf(), "PDF"),
        (b"\n" * 500 + files.pdf(), "PDF"),
        (files.text(), "TEXT"),
        (codecs.BOM_UTF8 + b"tab\tseparated\fpage", "TEXT"),
        (b"<3 thanks for the help", "TEXT"),
    ],
)
def test_sniff_recognises_allowed_types(data, expected):
    assert sniff(data) == TYPES[expected]


@pytest.mark.parametrize(
    "data",
    [
        b"\x00" * 100,
        files.exe(),
        files.html(),
        b"  \n<html><p>hi</p></html>",
        files.svg(),
        b'<?xml version="1.0"?><svg/>',
        files.zip_archive(),
        b"hello\x00world",
        b"bell\x07",
        "c1 control \x85 here".encode(),
        b"\xff\xfe not utf-8",
        "UTF-16 text".encode("utf-16"),
        b"\x00" * 1100 + files.pdf(),  # the header is too far in
        b"%PDF-x.y\x00\x01",
        b"BM" + b"\x00" * 60,  # BMP: Pillow reads it, but it is not on the list
        files.image_bytes("TIFF"),
    ],
)
def test_sniff_refuses_everything_else(data):
    with pytest.raises(UnsupportedMedia, match="PNG, JPEG, WebP or GIF images, PDF"):
        sniff(data)


def test_an_image_above_pillows_bomb_threshold_is_a_clear_422():
    data = bilevel_png(10_000, 10_000)  # 100 Mpx: Pillow warns (pytest makes it an error)

    with pytest.raises(InvalidInput) as caught:
        sniff(data)

    assert caught.value.code == "image_too_large"


def test_an_image_above_twice_pillows_threshold_is_a_clear_422():
    with pytest.raises(InvalidInput) as caught:
        sniff(bilevel_png(14_000, 14_000))  # 196 Mpx: Pillow raises DecompressionBombError

    assert caught.value.code == "image_too_large"


def test_an_image_above_our_own_limit_is_a_clear_422():
    side = int(MAX_PIXELS**0.5) + 10

    with pytest.raises(InvalidInput) as caught:
        sniff(bilevel_png(side, side))

    assert caught.value.code == "image_too_large"


def test_an_animation_with_too_many_pixels_over_its_frames_is_refused():
    frames = [Image.new("L", (4100, 4100), shade) for shade in (0, 100, 200)]  # 50.4 Mpx
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])

    with pytest.raises(InvalidInput) as caught:
        reencode_sync(out.getvalue(), "GIF")

    assert caught.value.code == "image_too_large"


def test_reencoded_png_has_no_text_chunks_but_keeps_transparency():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Alice Example, 12 Main St")
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(out, "PNG", pnginfo=info)

    result = reencode_sync(out.getvalue(), "PNG")

    assert b"Alice" not in result.data
    image = Image.open(io.BytesIO(result.data))
    assert image.mode == "RGBA" and image.getpixel((0, 0)) == (255, 0, 0, 0)


def test_reencoding_keeps_the_icc_profile():
    profile = b"\x00" * 128 + b"fake-but-opaque-icc-profile"
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG", icc_profile=profile)

    result = reencode_sync(out.getvalue(), "JPEG")

    assert Image.open(io.BytesIO(result.data)).info["icc_profile"] == profile


def test_lossless_webp_stays_lossless():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 30)).save(out, "WEBP", lossless=True)

    result = reencode_sync(out.getvalue(), "WEBP")

    assert result.data[12:16] == b"VP8L"
    assert Image.open(io.BytesIO(result.data)).getpixel((3, 3)) == (10, 200, 30)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("invoice.pdf", "PNG", "invoice.png"),
        ("../../etc/passwd", "TEXT", "passwd.txt"),
        ("C:\\Users\\alice\\Desktop\\scan.JPG", "JPEG", "scan.jpg"),
        ("evil\u202egnp.exe", "PNG", "evilgnp.png"),
        ("line\nbreak\r.txt", "TEXT", "linebreak.txt"),
        ("Screen Shot at 10.00", "PNG", "Screen Shot at 10.00.png"),
        ("...", "PDF", "document.pdf"),
        ("", "GIF", "image.gif"),
        (None, "TEXT", "text.txt"),
        ("报告.txt", "TEXT", "报告.txt"),
    ],
)
def test_safe_filename(name, kind, expected):
    assert safe_filename(name, TYPES[kind]) == expected


def test_safe_filename_is_at_most_255_characters_and_keeps_the_extension():
    name = safe_filename("a" * 1000 + ".pdf", TYPES["PNG"])

    assert len(name) == 255
    assert name.endswith("a.png")
