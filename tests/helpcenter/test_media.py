"""Images and videos uploaded for articles, served to everyone (both databases)."""

from __future__ import annotations

import io
import struct

from PIL import Image

HELP = "/api/v1/help"


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: metadata that must not reach readers
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


def mp4(payload: bytes = b"\x00" * 2000) -> bytes:
    """An ISO base media file: an ``ftyp`` box (brand isom) then an ``mdat`` box."""
    ftyp = struct.pack(">I4s4sI8s", 24, b"ftyp", b"isom", 0x200, b"isomiso2")
    return ftyp + struct.pack(">I4s", 8 + len(payload), b"mdat") + payload


async def upload(staff, name: str, data: bytes, content_type: str = "application/octet-stream"):
    return await staff.client.post(f"{HELP}/media", files={"file": (name, data, content_type)})


async def test_an_uploaded_png_is_served_publicly_with_safe_headers(agent_carol, client):
    response = await upload(agent_carol, "Screen Shot ©2026.PNG", png(), "image/png")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (40, 30)
    assert body["url"].startswith("/help/media/") and body["url"].endswith("/Screen-Shot-2026.png")
    assert body["markdown"] == f"![Screen-Shot-2026]({body['url']})"

    served = await client.get(body["url"])  # anyone: no credentials
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "max-age=31536000" in served.headers["cache-control"]
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (40, 30)
    assert b"PhoneMaker" in png() and b"PhoneMaker" not in served.content
    # The wrong name for the id, or an unknown id: 404.
    wrong = body["url"].rsplit("/", 1)[0] + "/other.png"
    assert (await client.get(wrong)).status_code == 404
    assert (await client.get("/help/media/nope/x.png")).status_code == 404


async def test_an_uploaded_mp4_is_served_with_ranges(agent_carol, client):
    data = mp4()
    response = await upload(agent_carol, "clip.mp4", data, "video/mp4")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["content_type"], body["size"]) == ("video/mp4", len(data))
    assert body["markdown"] == f"[clip]({body['url']})"

    served = await client.get(body["url"])
    assert served.headers["content-type"] == "video/mp4"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == data
    part = await client.get(body["url"], headers={"Range": "bytes=4-11"})
    assert part.status_code == 206
    assert part.content == b"ftypisom"
    assert part.headers["content-range"] == f"bytes 4-11/{len(data)}"


async def test_disguised_files_are_refused(agent_carol):
    html = b"<!doctype html><script>alert(document.cookie)</script>"
    as_png = await upload(agent_carol, "cat.png", html, "image/png")
    assert as_png.status_code == 415
    assert "MP4 videos" in as_png.json()["error"]["message"]
    exe = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200
    as_mp4 = await upload(agent_carol, "clip.mp4", exe, "video/mp4")
    assert as_mp4.status_code == 415
    # A PDF is a fine attachment but not article media.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert (await upload(agent_carol, "doc.pdf", pdf)).status_code == 415
    # QuickTime has an ftyp box too, but is not MP4.
    quicktime = mp4().replace(b"isom", b"qt  ", 1)
    assert (await upload(agent_carol, "clip.mp4", quicktime)).status_code == 415


async def test_only_staff_upload_media(client, visitor_alice):
    assert (await client.post(f"{HELP}/media", files={"file": ("a.png", png())})).status_code == 401
    visitor = await visitor_alice.client.post(f"{HELP}/media", files={"file": ("a.png", png())})
    assert visitor.status_code in (401, 403)


async def test_help_pages_allow_same_origin_media(client):
    response = await client.get("/help/en/")
    csp = response.headers["content-security-policy"]
    assert "img-src 'self'" in csp and "media-src 'self'" in csp
