"""The size limit, with a small ``max_upload_bytes`` so that tests stay fast."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from supportdesk.config import Settings

from . import files
from .test_upload import stored_files, upload, upload_url

LIMIT = 4096


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_upload_bytes": LIMIT})


async def test_a_file_at_the_limit_is_accepted(visitor_alice, alice_conversation):
    response = await upload(visitor_alice.client, alice_conversation["id"], b"a" * LIMIT, "a.txt")

    assert response.status_code == 201, response.text
    assert response.json()["size"] == LIMIT


async def test_one_byte_over_the_limit_is_413(visitor_alice, alice_conversation, services):
    data = b"a" * (LIMIT + 1)

    response = await upload(visitor_alice.client, alice_conversation["id"], data, "a.txt")

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "the file is larger than the limit of 4 KB",
    }
    assert stored_files(services) == []


async def test_a_large_declared_body_is_refused_before_it_is_read(
    visitor_alice, alice_conversation
):
    response = await upload(visitor_alice.client, alice_conversation["id"], files.png() * 5000)

    assert response.status_code == 413


async def test_a_large_streamed_body_is_cut_off(visitor_alice, alice_conversation):
    boundary = "sdtestboundary"
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        for _ in range(1000):  # 64 MB if it were all read
            sent += 1
            yield b"a" * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await visitor_alice.client.post(
        upload_url(alice_conversation["id"]),
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert response.status_code == 413
    assert sent < 10  # the server stopped reading soon after the limit
