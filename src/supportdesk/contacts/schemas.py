from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from supportdesk.schemas_common import Email, Locale, RequestModel, TimeZone

AttributeValue = Annotated[str, StringConstraints(max_length=1000)] | int | float | bool | None
MAX_ATTRIBUTES = 50


def _check_attributes(value: dict[str, AttributeValue] | None) -> dict[str, AttributeValue] | None:
    if value is None:
        return None
    if len(value) > MAX_ATTRIBUTES:
        raise ValueError(f"at most {MAX_ATTRIBUTES} custom attributes")
    for key in value:
        if not key or len(key) > 64 or not key.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"attribute name {key!r} must be 1-64 letters, digits, _ or -")
    return value


class VisitorSessionRequest(RequestModel):
    """What the widget sends when it loads: its stored token and, for logged-in users, identity."""

    visitor_token: str | None = Field(default=None, max_length=500)
    user_id: str | None = Field(default=None, min_length=1, max_length=200)
    user_hash: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=200)
    email: Email | None = None
    locale: Locale | None = None
    timezone: TimeZone | None = None
    attributes: dict[str, AttributeValue] | None = None

    _attrs = field_validator("attributes")(_check_attributes)


class ContactUpdate(RequestModel):
    name: str | None = Field(default=None, max_length=200)
    email: Email | None = None
    locale: Locale | None = None
    timezone: TimeZone | None = None
    attributes: dict[str, AttributeValue] | None = None

    _attrs = field_validator("attributes")(_check_attributes)


class VisitorUpdate(RequestModel):
    name: str | None = Field(default=None, max_length=200)
    email: Email | None = None
    locale: Locale | None = None
    timezone: TimeZone | None = None


class ContactPublic(BaseModel):
    """The visitor's own view of their contact."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    locale: str
    timezone: str
    is_verified: bool


class ContactStaff(ContactPublic):
    external_id: str | None
    attributes: dict[str, AttributeValue]
    created_at: datetime
    last_seen_at: datetime | None
    email_bounced_at: datetime | None = None
    email_bounce_reason: str = ""


class VisitorSession(BaseModel):
    visitor_token: str
    contact: ContactPublic


class WidgetStatus(BaseModel):
    agents_online: int
    humans_available: bool
    # The upload limit, so the widget refuses a too-large file before sending it.
    max_upload_bytes: int
    # When nobody can answer now: the first instant (UTC) a team opens; null otherwise.
    next_opening: datetime | None = None
