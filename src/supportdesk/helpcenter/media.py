"""Images and videos uploaded for articles, and how they are served to everyone.

The bytes are checked by content, never by name or the client's header: images go through
the attachments' checks (Pillow sniffing, then re-encoding, which drops metadata such as
GPS positions), and a video must be an MP4 file, recognised by its leading ``ftyp`` box
(ISO/IEC 14496-12 §4.3). Anything else is refused with 415.

Files are public (an article's readers need no account), under a random 256-bit key.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.attachments.actions import check_file, check_size, describe_bytes
from supportdesk.attachments.sniff import Kind
from supportdesk.attachments.storage import Storage
from supportdesk.db.engine import Database
from supportdesk.errors import NotFound, TooLarge, UnsupportedMedia
from supportdesk.helpcenter.models import HelpMedia

# A video is read into memory like any upload: 100 MB is a few minutes of 1080p H.264.
MAX_VIDEO_BYTES = 100 * 1024 * 1024
MP4_TYPE = "video/mp4"
ALLOWED_DESCRIPTION = "PNG, JPEG, WebP or GIF images, or MP4 videos"
# Major brands of the ISO base media file format that browsers play as video/mp4;
# QuickTime ("qt  ") and 3GPP files are refused.
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V "}
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
MAX_NAME_CHARS = 80


@dataclass(frozen=True, slots=True)
class CleanMedia:
    data: bytes
    filename: str  # safe in a URL path: ASCII letters, digits, - and _, then the extension
    content_type: str
    width: int | None = None
    height: int | None = None


def is_mp4(data: bytes) -> bool:
    """An ISO base media file whose first box is ``ftyp`` with an MP4 major brand."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    size = int.from_bytes(data[0:4], "big")
    return 16 <= size <= len(data) and data[8:12] in MP4_BRANDS


def media_name(name: str | None, extension: str, default: str) -> str:
    """``Screen Shot 2026.PNG`` → ``Screen-Shot-2026.png``: the stem in URL-safe ASCII."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    stem = PurePosixPath(base).stem if PurePosixPath(base).suffix else base
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean = _UNSAFE_NAME.sub("-", ascii_stem).strip("-_")[:MAX_NAME_CHARS]
    return (clean or default) + extension


async def check_media(data: bytes, filename: str | None, *, max_image_bytes: int) -> CleanMedia:
    """An image (re-encoded) or an MP4 video; raises 413, 415 or 422."""
    if is_mp4(data):
        check_size(len(data), MAX_VIDEO_BYTES)
        return CleanMedia(data, media_name(filename, ".mp4", "video"), MP4_TYPE)
    if len(data) > max_image_bytes:
        raise TooLarge(f"the image is larger than the limit of {describe_bytes(max_image_bytes)}")
    try:
        clean = await check_file(data, filename, max_bytes=max_image_bytes)
    except UnsupportedMedia:
        raise _unsupported() from None
    if not clean.content_type.startswith("image/"):
        raise _unsupported()
    extension = PurePosixPath(clean.filename).suffix
    return CleanMedia(
        clean.data,
        media_name(filename, extension, "image"),
        clean.content_type,
        clean.width,
        clean.height,
    )


def _unsupported() -> UnsupportedMedia:
    return UnsupportedMedia(
        f"this file type is not allowed in articles; send {ALLOWED_DESCRIPTION}",
        code="unsupported_type",
    )


async def do_upload_media(
    db: Database, storage: Storage, clean: CleanMedia, *, agent_id: int
) -> HelpMedia:
    """Store the file, then record it; if recording fails the file is deleted again."""
    key = secrets.token_urlsafe(32)
    await storage.put(key, clean.data)
    try:
        async with db.transaction() as session:
            media = HelpMedia(
                key=key,
                filename=clean.filename,
                content_type=clean.content_type,
                size=len(clean.data),
                width=clean.width,
                height=clean.height,
                uploaded_by_id=agent_id,
            )
            session.add(media)
            await session.flush()
    except BaseException:
        await storage.delete(key)
        raise
    return media


async def access_media(session: AsyncSession, key: str, name: str) -> HelpMedia:
    """The file of this URL; the name must match too, so old links to a renamed file 404."""
    media = await session.scalar(select(HelpMedia).where(HelpMedia.key == key))
    if media is None or media.filename != name:
        raise NotFound("no such file", code="media_not_found")
    return media


def media_url(media: HelpMedia) -> str:
    return f"/help/media/{media.key}/{media.filename}"


def media_markdown(media: HelpMedia, alt: str = "") -> str:
    """What the editor inserts: an image, or a link to the video (render.py makes it a
    ``<video>``; the editor wraps it around a poster image when there is one)."""
    label = alt or PurePosixPath(media.filename).stem
    if media.content_type == MP4_TYPE:
        return f"[{label}]({media_url(media)})"
    return f"![{label}]({media_url(media)})"


def is_video(media: HelpMedia) -> bool:
    return media.content_type == MP4_TYPE


__all__ = ["MAX_VIDEO_BYTES", "Kind", "check_media", "do_upload_media", "media_markdown"]
