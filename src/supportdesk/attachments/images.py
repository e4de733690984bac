"""Re-encode uploaded images so that only pixels (and what is needed to show them) are kept.

Why re-encode: a phone photo carries EXIF (GPS position, time, camera serial number), XMP
and comments; a crafted file can carry a second format after its image data (a polyglot).
Decoding to pixels and encoding afresh removes all of it.

Kept, because rendering needs it: the pixels with the EXIF orientation applied (then the
tag is gone), transparency, animation frames with their durations and loop count, and the
ICC colour profile. The profile is kept on purpose: without it a wide-gamut screenshot
(Display P3, the default on Apple devices) shows washed-out colours, and a profile
describes a colour space, not a person. Everything else is dropped: EXIF, XMP, IPTC,
comments, PNG text chunks, DPI, JPEG application segments.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import Image, ImageOps, JpegImagePlugin

from supportdesk.attachments.sniff import check_pixels, image_guard
from supportdesk.errors import InvalidInput

LOSSY_WEBP_QUALITY = 90


@dataclass(frozen=True, slots=True)
class Reencoded:
    data: bytes
    width: int
    height: int


async def reencode(data: bytes, image_format: str) -> Reencoded:
    """Decode ``data`` (already sniffed as ``image_format``) and encode it without metadata."""
    return await asyncio.to_thread(reencode_sync, data, image_format)


def reencode_sync(data: bytes, image_format: str) -> Reencoded:
    with image_guard(), Image.open(BytesIO(data), formats=[image_format]) as source:
        frame_count = getattr(source, "n_frames", 1)
        check_pixels(*source.size, frames=frame_count)
        try:
            frames, durations = _decode_frames(source, frame_count)
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InvalidInput(
                f"the {image_format} image is damaged or truncated", code="corrupt_image"
            ) from exc
        options = _save_options(source, image_format, data, durations)
    out = BytesIO()
    first = frames[0]
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:])
    first.save(out, format=image_format, **options)
    return Reencoded(out.getvalue(), first.width, first.height)


def _decode_frames(source: Image.Image, frame_count: int) -> tuple[list[Image.Image], list[int]]:
    """Every frame, fully composed, upright, and with no metadata attached."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    for index in range(frame_count):
        source.seek(index)
        # exif_transpose returns a new, loaded image (a plain copy when already upright).
        frame = ImageOps.exif_transpose(source)
        durations.append(int(source.info.get("duration", 0) or 0))
        # The savers fall back to .info for comments, EXIF and XMP: keep only the palette
        # index that is transparent, which each frame of a GIF may set differently.
        frame.info = {k: v for k, v in frame.info.items() if k == "transparency"}
        frames.append(frame)
    return frames, durations


def _save_options(
    source: Image.Image, image_format: str, data: bytes, durations: list[int]
) -> dict[str, Any]:
    """What to pass to ``save``: only the rendering information, named explicitly."""
    options: dict[str, Any] = {}
    icc_profile = source.info.get("icc_profile")
    if isinstance(icc_profile, bytes) and icc_profile:
        options["icc_profile"] = icc_profile
    if "transparency" in source.info and image_format in ("PNG", "GIF"):
        options["transparency"] = source.info["transparency"]
    if len(durations) > 1:
        options["duration"] = durations
        options["loop"] = int(source.info.get("loop", 0))
        if image_format == "GIF":
            # Frames come fully composed; clear each before the next so that transparent
            # areas show the background, not the frame before.
            options["disposal"] = 2
            options.pop("transparency", None)  # per frame, in each frame's info
    options.update(_format_options(source, image_format, data))
    return options


def _format_options(source: Image.Image, image_format: str, data: bytes) -> dict[str, Any]:
    if image_format == "JPEG":
        return _jpeg_options(source)
    if image_format == "WEBP":
        if _webp_is_lossless(data):
            return {"lossless": True}
        return {"quality": LOSSY_WEBP_QUALITY}
    return {}


def _jpeg_options(source: Image.Image) -> dict[str, Any]:
    """Reuse the source's quantisation tables and subsampling: the same quality, no new loss."""
    options: dict[str, Any] = {}
    if isinstance(source, JpegImagePlugin.JpegImageFile):
        if source.quantization:
            options["qtables"] = source.quantization
        subsampling = JpegImagePlugin.get_sampling(source)
        if subsampling != -1:
            options["subsampling"] = subsampling
    return options


def _webp_is_lossless(data: bytes) -> bool:
    """Whether the first frame is coded as VP8L (lossless), per RFC 9649's RIFF layout.

    Chunks are a FourCC, a little-endian 32-bit size and a payload padded to an even
    length; an ANMF chunk's payload is a 16-byte frame header followed by sub-chunks.
    """
    pos = 12  # after "RIFF", the file size and "WEBP"
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        if fourcc == b"ANMF":
            pos += 8 + 16
            continue
        pos += 8 + size + (size & 1)
    return False
