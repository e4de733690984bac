"""Field types shared by request models: trimmed, bounded strings and BCP 47 locales."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

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


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields: a typo is an error, not a silently ignored value."""

    model_config = ConfigDict(extra="forbid")
