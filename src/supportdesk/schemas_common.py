"""Field types shared by request models: trimmed, bounded strings and BCP 47 locales."""

from __future__ import annotations

import re
from typing import Annotated, Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

# Row ids are 32-bit INTEGER columns on PostgreSQL (and 64-bit on SQLite): a larger id in a
# path, a query or a body is refused here, before the database driver fails on it with a 500.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=300)]
ClientId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
]
Locale = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=35,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    ),
]

_ZONES = available_timezones()


def _check_timezone(value: str) -> str:
    if value and value not in _ZONES:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Madrid)")
    return value


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_check_timezone)]


def _check_email(value: str) -> str:
    # Self-hosted desks use internal domains (.local, .internal, .test): syntax only, no DNS.
    try:
        result = validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {exc}") from None
    return result.normalized.lower()


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_check_email)
]


# PostgreSQL text cannot hold NUL, and no database can store an unpaired UTF-16 surrogate
# (JSON allows "\ud800"; json.loads keeps it). Refused in every request, on every backend.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def check_storable_text(value: str) -> str:
    if _UNSTORABLE.search(value):
        raise ValueError("text must not contain NUL characters or unpaired surrogates")
    return value


def _check_storable(data: Any, where: str = "") -> None:
    if isinstance(data, str):
        if _UNSTORABLE.search(data):
            what = where or "text"
            raise ValueError(f"{what} must not contain NUL characters or unpaired surrogates")
    elif isinstance(data, dict):
        for key, value in data.items():
            _check_storable(key, where)
            _check_storable(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list | tuple):
        for item in data:
            _check_storable(item, where)


SearchText = Annotated[str, StringConstraints(max_length=200), AfterValidator(check_storable_text)]


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields: a typo is an error, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_unstorable_text(cls, data: Any) -> Any:
        _check_storable(data)
        return data
