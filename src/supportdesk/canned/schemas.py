from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from supportdesk.canned.render import PLACEHOLDERS, unknown_placeholders
from supportdesk.schemas_common import Id, Locale, Name, RequestModel

Shortcut = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$"),
]
BODY_CHARS = 5000
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BODY_CHARS)]
Bodies = Annotated[dict[Locale, Body], Field(min_length=1, max_length=30)]


def _check_placeholders(bodies: dict[str, str] | None) -> dict[str, str] | None:
    for locale, text in (bodies or {}).items():
        unknown = unknown_placeholders(text)
        if unknown:
            raise ValueError(
                f"{locale}: unknown placeholder {{{{{unknown[0]}}}}}; "
                f"known: {', '.join('{{' + p + '}}' for p in PLACEHOLDERS)}"
            )
    return bodies


class CannedReplyCreate(RequestModel):
    shortcut: Shortcut
    title: Name
    bodies: Bodies

    _placeholders = field_validator("bodies")(_check_placeholders)


class CannedReplyUpdate(RequestModel):
    shortcut: Shortcut | None = None
    title: Name | None = None
    bodies: Bodies | None = None

    _placeholders = field_validator("bodies")(_check_placeholders)


class CannedReplyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    shortcut: str
    title: str
    bodies: dict[str, str]
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


class RenderRequest(RequestModel):
    conversation_id: Id


class RenderedReply(BaseModel):
    body: str
    locale: str
