"""Decide what an upload is from its bytes, never from its name or the client's header.

Allowed: PNG, JPEG, WebP and GIF images (recognised by Pillow, and only by those four
plugins, so no exotic decoder, such as EPS through Ghostscript, is ever reached), PDF
(by its header only; it is never parsed) and plain UTF-8 text.
"""

from __future__ import annotations

import codecs
import enum
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath, PureWindowsPath

from PIL import Image, UnidentifiedImageError

from supportdesk.errors import InvalidInput, UnsupportedMedia

# Below Pillow's own warning threshold (~89 Mpx), so that everything Pillow would call a
# decompression bomb is refused by our check too. 50 Mpx covers a 48 Mpx phone photo and a
# very long full-page screenshot; decoded as RGBA it is at most ~200 MB.
MAX_PIXELS = 50_000_000
MAX_FRAMES = 1_000

IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
MAX_FILENAME_CHARS = 255
# The PDF specification (ISO 32000, annex H, "implementation notes") lets readers accept
# the header anywhere in the first 1024 bytes; Acrobat does, so we do too.
PDF_HEADER_WINDOW = 1024
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
# Text starting with a tag, a comment, a doctype or an XML declaration is markup (HTML,
# SVG, XML): a browser that ignored our Content-Type would run it, so it is refused.
_MARKUP_START = re.compile(r"^\s*<[A-Za-z!?/]")
# Unicode category Cc except tab, line feed, form feed and carriage return.
_DISALLOWED_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}")


class Kind(enum.StrEnum):
    IMAGE = "image"
    PDF = "pdf"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class FileType:
    kind: Kind
    content_type: str
    extension: str
    image_format: str | None = None  # Pillow's format name, for images


TYPES: dict[str, FileType] = {
    "PNG": FileType(Kind.IMAGE, "image/png", ".png", "PNG"),
    "JPEG": FileType(Kind.IMAGE, "image/jpeg", ".jpg", "JPEG"),
    "WEBP": FileType(Kind.IMAGE, "image/webp", ".webp", "WEBP"),
    "GIF": FileType(Kind.IMAGE, "image/gif", ".gif", "GIF"),
    "PDF": FileType(Kind.PDF, "application/pdf", ".pdf"),
    "TEXT": FileType(Kind.TEXT, "text/plain; charset=utf-8", ".txt"),
}
ALLOWED_DESCRIPTION = "PNG, JPEG, WebP or GIF images, PDF documents, or plain UTF-8 text"


def sniff(data: bytes) -> FileType:
    """The type of ``data``; raises UnsupportedMedia (415) or InvalidInput (422).

    CPU-bound for large images (Pillow verifies them): call it in a worker thread.
    """
    image_type = _sniff_image(data)
    if image_type is not None:
        return image_type
    if _PDF_HEADER.search(data, 0, PDF_HEADER_WINDOW + len(b"%PDF-1.0")):
        return TYPES["PDF"]
    if _is_plain_text(data):
        return TYPES["TEXT"]
    raise UnsupportedMedia(
        f"this file type is not allowed; send {ALLOWED_DESCRIPTION}", code="unsupported_type"
    )


@contextmanager
def image_guard() -> Iterator[None]:
    """Turn Pillow's decompression-bomb warning and error into a clear 422.

    ``catch_warnings`` swaps a process-wide filter list and is not thread-safe before
    Python 3.14: when two uploads race, a warning may escape the filter. That is why callers
    also check the pixel count themselves (:func:`check_pixels`); this guard only makes
    the common case an error instead of a log line.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None


def check_pixels(width: int, height: int, frames: int = 1) -> None:
    if frames > MAX_FRAMES:
        raise InvalidInput(
            f"the animation has more than {MAX_FRAMES} frames", code="image_too_large"
        )
    if width * height * frames > MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> InvalidInput:
    return InvalidInput(
        f"the image is too large once decoded (limit: {MAX_PIXELS // 1_000_000} megapixels "
        "over all frames)",
        code="image_too_large",
    )


def _sniff_image(data: bytes) -> FileType | None:
    with image_guard():
        try:
            image = Image.open(BytesIO(data), formats=IMAGE_FORMATS)
        except UnidentifiedImageError:
            return None  # no allowed image plugin accepted these bytes: not an image
        with image:
            check_pixels(*image.size)
            file_type = TYPES[str(image.format)]
            try:
                image.verify()
            except Exception as exc:  # Pillow raises many types for broken files
                raise InvalidInput(
                    f"the {image.format} image is damaged or truncated", code="corrupt_image"
                ) from exc
    return file_type


def _is_plain_text(data: bytes) -> bool:
    """Valid UTF-8 (a BOM is allowed), no NUL, no control characters but tab and newlines."""
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return False
    if _MARKUP_START.match(text):
        return False
    return _DISALLOWED_CONTROLS.search(text) is None


def safe_filename(name: str | None, file_type: FileType) -> str:
    """The user's name, reduced to something safe to store and show, with the right extension.

    Basename only (both ``/`` and ``\\`` separators), no control or format characters
    (which hide or reorder text, such as U+202E), NFC-normalised, at most 255 characters,
    and the extension always that of the sniffed type, so ``invoice.pdf`` holding a PNG
    becomes ``invoice.png``.
    """
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf"))
    stem = base.strip().strip(".").strip()
    suffix = PurePosixPath(stem).suffix
    if _EXTENSION.fullmatch(suffix):  # a real extension, not the ".00" of "at 10.00"
        stem = stem[: -len(suffix)].rstrip(" .")
    stem = stem or _default_stem(file_type)
    return stem[: MAX_FILENAME_CHARS - len(file_type.extension)] + file_type.extension


def _default_stem(file_type: FileType) -> str:
    return {Kind.IMAGE: "image", Kind.PDF: "document", Kind.TEXT: "text"}[file_type.kind]
