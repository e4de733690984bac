"""Frames a client may send (docs/realtime.md). Unknown fields are refused, not ignored."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Ref = Annotated[str, Field(min_length=1, max_length=64)]
ClientId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hello(_Frame):
    type: Literal["hello"]
    token: str | None = Field(default=None, max_length=500)
    last_seq: int | None = Field(default=None, ge=0)


class Send(_Frame):
    type: Literal["send"]
    conversation_id: int | None = Field(default=None, ge=1)
    client_id: ClientId
    body: str = Field(default="", max_length=1_000_000)
    internal: bool = False
    attachment_ids: list[int] = Field(default_factory=list, max_length=10)


class Typing(_Frame):
    type: Literal["typing"]
    conversation_id: int = Field(ge=1)
    state: Literal["start", "stop"] = "start"


class Read(_Frame):
    type: Literal["read"]
    conversation_id: int = Field(ge=1)
    message_id: int = Field(ge=0)
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
