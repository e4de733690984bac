"""Frames a client may send (docs/realtime.md).

Unknown fields are refused, not ignored, and types are strict (``"5"`` is not an id, ``"yes"``
is not a boolean): a client bug shows up as an error frame instead of a surprising write.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Ref = Annotated[str, Field(min_length=1, max_length=64)]
# Ids are 32-bit integer columns; a larger number must be refused here, not by the database.
DbId = Annotated[int, Field(ge=1, le=2**31 - 1)]
ClientId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Hello(_Frame):
    type: Literal["hello"]
    token: str | None = Field(default=None, max_length=500)
    last_seq: int | None = Field(default=None, ge=0, le=2**63 - 1)


class Send(_Frame):
    type: Literal["send"]
    conversation_id: DbId | None = None
    client_id: ClientId
    body: str = Field(default="", max_length=1_000_000)
    internal: bool = False
    attachment_ids: list[DbId] = Field(default_factory=list, max_length=10)


class Typing(_Frame):
    type: Literal["typing"]
    conversation_id: DbId
    state: Literal["start", "stop"] = "start"


class Read(_Frame):
    type: Literal["read"]
    conversation_id: DbId
    message_id: int = Field(ge=0, le=2**31 - 1)
    ref: Ref | None = None


class SetPresence(_Frame):
    type: Literal["presence"]
    status: Literal["online", "away"]
    ref: Ref | None = None


class Ping(_Frame):
    type: Literal["ping"]
    ref: Ref | None = None


ClientFrame = Annotated[Send | Typing | Read | SetPresence | Ping, Field(discriminator="type")]
client_frame = TypeAdapter[Send | Typing | Read | SetPresence | Ping](ClientFrame)
