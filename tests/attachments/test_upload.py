from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import delete, func, select

from supportdesk.attachments.actions import do_upload
from supportdesk.attachments.models import Attachment
from supportdesk.conversations.actions import Author
from supportdesk.conversations.models import Conversation, SenderType
from supportdesk.errors import NotFound
from supportdesk.services import Services

from . import files


def upload_url(conversation_id: int, *, staff: bool = False) -> str:
    side = "" if staff else "/widget"
    return f"/api/v1{side}/conversations/{conversation_id}/attachments"


async def upload(
    http: httpx.AsyncClient,
    conversation_id: int,
    data: bytes,
    filename: str = "upload.bin",
    *,
    staff: bool = False,
    claimed_type: str = "application/octet-stream",
) -> httpx.Response:
    return await http.post(
        upload_url(conversation_id, staff=staff),
        files={"file": (filename, data, claimed_type)},
    )


def stored_files(services: Services) -> list[Path]:
    root = services.settings.uploads_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def attachment_count(services: Services) -> int:
    async with services.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Attachment)) or 0)


@pytest.mark.parametrize(
    ("make", "filename", "content_type", "stored_name"),
    [
        (files.png, "shot.png", "image/png", "shot.png"),
        (lambda: files.image_bytes("JPEG"), "photo.JPEG", "image/jpeg", "photo.jpg"),
        (lambda: files.image_bytes("WEBP"), "pic.webp", "image/webp", "pic.webp"),
        (files.animated_gif, "anim.gif", "image/gif", "anim.gif"),
        (files.pdf, "statement.pdf", "application/pdf", "statement.pdf"),
        (files.text, "txid.txt", "text/plain; charset=utf-8", "txid.txt"),
    ],
)
async def test_visitor_uploads_each_allowed_type(
    visitor_alice, alice_conversation, make, filename, content_type, stored_name
):
    response = await upload(visitor_alice.client, alice_conversation["id"], make(), filename)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == content_type
    assert body["filename"] == stored_name
    served = await visitor_alice.client.get(body["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == content_type
    assert len(served.content) == body["size"]
    if content_type.startswith("image/"):
        image = Image.open(io.BytesIO(served.content))
        assert (image.width, image.height) == (body["width"], body["height"])
    else:
        assert body["width"] is None and body["height"] is None


async def test_png_named_pdf_is_stored_as_png(visitor_alice, alice_conversation):
    response = await upload(
        visitor_alice.client,
        alice_conversation["id"],
        files.png(),
        "invoice.pdf",
        claimed_type="application/pdf",
    )

    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "image/png"
    assert response.json()["filename"] == "invoice.png"


async def test_text_named_png_is_stored_as_text(visitor_alice, alice_conversation):
    response = await upload(
        visitor_alice.client,
        alice_conversation["id"],
        files.text(),
        "screenshot.png",
        claimed_type="image/png",
    )

    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "text/plain; charset=utf-8"
    assert response.json()["filename"] == "screenshot.txt"


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (files.exe, "setup.exe"),
        (files.html, "page.html"),
        (files.svg, "logo.svg"),
        (files.zip_archive, "logs.zip"),
        (files.exe, "harmless.png"),
        (files.html, "notes.txt"),
    ],
)
async def test_disallowed_types_are_refused_with_415(
    visitor_alice, alice_conversation, services, make, filename
):
    response = await upload(visitor_alice.client, alice_conversation["id"], make(), filename)

    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported_type"
    assert "PNG, JPEG, WebP or GIF" in error["message"]
    assert stored_files(services) == []
    assert await attachment_count(services) == 0


async def test_jpeg_comes_back_upright_without_exif(visitor_alice, alice_conversation):
    response = await upload(
        visitor_alice.client, alice_conversation["id"], files.jpeg_with_gps_and_rotation(), "p.jpg"
    )

    assert response.status_code == 201, response.text
    assert (response.json()["width"], response.json()["height"]) == (20, 40)
    served = await visitor_alice.client.get(response.json()["url"])
    image = Image.open(io.BytesIO(served.content))
    assert dict(image.getexif()) == {}
    assert b"taken at home" not in served.content
    assert b"Acme Phone" not in served.content
    assert image.size == (20, 40)
    red, _, blue = image.convert("RGB").getpixel((10, 5))  # type: ignore[misc]
    assert red > 200 and blue < 60  # the left (red) half is now on top
    red, _, blue = image.convert("RGB").getpixel((10, 35))  # type: ignore[misc]
    assert blue > 200 and red < 60


async def test_animated_gif_keeps_its_frames(visitor_alice, alice_conversation):
    response = await upload(visitor_alice.client, alice_conversation["id"], files.animated_gif())

    assert response.status_code == 201, response.text
    served = await visitor_alice.client.get(response.json()["url"])
    image = Image.open(io.BytesIO(served.content))
    assert image.n_frames == 3
    durations = []
    for index in range(image.n_frames):
        image.seek(index)
        durations.append(image.info["duration"])
    assert durations == [100, 200, 300]


async def test_staff_uploads_into_any_conversation(agent_carol, alice_conversation):
    response = await upload(
        agent_carol.client, alice_conversation["id"], files.pdf(), "refund.pdf", staff=True
    )

    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "application/pdf"


async def test_visitor_cannot_upload_into_another_visitors_conversation(
    visitor_bob, alice_conversation, services
):
    response = await upload(visitor_bob.client, alice_conversation["id"], files.png())

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert stored_files(services) == []


async def test_upload_into_missing_conversation_is_404(visitor_alice):
    response = await upload(visitor_alice.client, 999_999, files.png())

    assert response.status_code == 404


async def test_anonymous_upload_is_401(client, alice_conversation):
    response = await upload(client, alice_conversation["id"], files.png())

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_missing_file_field_is_422(visitor_alice, alice_conversation):
    response = await visitor_alice.client.post(
        upload_url(alice_conversation["id"]), files={"document": ("a.png", files.png())}
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "file_missing"


async def test_empty_file_is_422(visitor_alice, alice_conversation):
    response = await upload(visitor_alice.client, alice_conversation["id"], b"", "empty.txt")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "empty_file"


async def test_json_body_instead_of_multipart_is_422(visitor_alice, alice_conversation):
    response = await visitor_alice.client.post(
        upload_url(alice_conversation["id"]), json={"file": "aGVsbG8="}
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "multipart_required"


async def test_truncated_image_is_422(visitor_alice, alice_conversation, services):
    data = files.image_bytes("PNG", size=(300, 300), color="green")
    response = await upload(visitor_alice.client, alice_conversation["id"], data[: len(data) // 2])

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "corrupt_image"
    assert stored_files(services) == []


async def test_upload_into_closed_conversation_is_409(
    agent_carol, visitor_alice, alice_conversation
):
    closed = await agent_carol.client.patch(
        f"/api/v1/conversations/{alice_conversation['id']}", json={"status": "closed"}
    )
    assert closed.status_code == 200, closed.text

    response = await upload(visitor_alice.client, alice_conversation["id"], files.png())

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conversation_closed"


async def test_visitor_sends_an_upload_with_a_message(visitor_alice, alice_conversation):
    cid = alice_conversation["id"]
    uploaded = (await upload(visitor_alice.client, cid, files.png(), "tx.png")).json()

    sent = await visitor_alice.client.post(
        f"/api/v1/widget/conversations/{cid}/messages",
        json={"body": "here is the screenshot", "attachment_ids": [uploaded["id"]]},
    )

    assert sent.status_code == 201, sent.text
    assert [a["id"] for a in sent.json()["attachments"]] == [uploaded["id"]]
    history = await visitor_alice.client.get(f"/api/v1/widget/conversations/{cid}/messages")
    listed = [a for m in history.json()["messages"] for a in m["attachments"]]
    assert listed == [uploaded]


async def test_an_upload_cannot_be_sent_twice(visitor_alice, alice_conversation):
    cid = alice_conversation["id"]
    uploaded = (await upload(visitor_alice.client, cid, files.png())).json()
    url = f"/api/v1/widget/conversations/{cid}/messages"
    first = await visitor_alice.client.post(url, json={"attachment_ids": [uploaded["id"]]})
    assert first.status_code == 201, first.text

    second = await visitor_alice.client.post(url, json={"attachment_ids": [uploaded["id"]]})

    assert second.status_code == 422
    assert second.json()["error"]["code"] == "bad_attachment"


async def test_no_file_is_left_when_the_conversation_vanishes_before_the_insert(
    services, visitor_alice, alice_conversation
):
    async with services.db.session() as session:
        conversation = await session.get(Conversation, alice_conversation["id"])
        assert conversation is not None
    async with services.db.transaction() as session:
        await session.execute(delete(Conversation).where(Conversation.id == conversation.id))

    # The access check passed earlier; the row's foreign key now fails at flush.
    with pytest.raises(NotFound):
        await do_upload(
            services.db,
            services.storage,
            conversation,
            Author(SenderType.CONTACT),
            data=files.png(),
            filename="late.png",
            max_bytes=services.settings.max_upload_bytes,
        )

    assert stored_files(services) == []
    assert await attachment_count(services) == 0


async def test_no_row_is_written_when_the_file_cannot_be_stored(services, alice_conversation):
    uploads = services.settings.uploads_dir
    uploads.parent.mkdir(parents=True, exist_ok=True)
    uploads.write_text("a file where the uploads directory should be")
    async with services.db.session() as session:
        conversation = await session.get(Conversation, alice_conversation["id"])
        assert conversation is not None

    with pytest.raises(OSError):
        await do_upload(
            services.db,
            services.storage,
            conversation,
            Author(SenderType.CONTACT),
            data=files.png(),
            filename="x.png",
            max_bytes=services.settings.max_upload_bytes,
        )

    assert await attachment_count(services) == 0


async def test_decompression_bomb_is_refused_with_422(visitor_alice, alice_conversation, services):
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # ~12 KB on disk, 100 Mpx decoded

    response = await upload(visitor_alice.client, alice_conversation["id"], out.getvalue())

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "image_too_large"
    assert stored_files(services) == []
