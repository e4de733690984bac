from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from supportdesk.accounts.models import DEFAULT_MAX_CHATS, Presence, Role
from supportdesk.schemas_common import Email, Id, Locale, Name, RequestModel, TimeZone


class LoginRequest(RequestModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class AgentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    locale: str
    created_at: datetime
    max_chats: int = DEFAULT_MAX_CHATS


class AgentWithPresence(AgentPublic):
    presence: Presence = Presence.OFFLINE


class LoginResponse(BaseModel):
    agent: AgentPublic
    csrf_token: str


class MeResponse(BaseModel):
    agent: AgentPublic
    csrf_token: str | None
    auth: str


class AgentCreate(RequestModel):
    email: Email
    name: Name
    role: Role = Role.AGENT
    password: str = Field(min_length=10, max_length=1024)


class AgentUpdate(RequestModel):
    name: Name | None = None
    role: Role | None = None
    password: str | None = Field(default=None, min_length=10, max_length=1024)


class PresenceUpdate(RequestModel):
    status: Presence


class ApiTokenCreate(RequestModel):
    name: Name = Field(max_length=100)


class ApiTokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    agent_id: int
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="Shown once; store it now.")


# A topic slug such as "payments" or "tier-2": what routing matches a conversation against.
Skill = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=50,
        pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$",
    ),
]


class TeamCreate(RequestModel):
    name: Name = Field(max_length=100)
    region: str = Field(default="", max_length=100)
    timezone: TimeZone = "UTC"
    languages: list[Locale] = Field(default_factory=list, max_length=50)
    skills: list[Skill] = Field(default_factory=list, max_length=50)


class TeamPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    region: str
    timezone: str
    languages: list[str]
    skills: list[str] = Field(default_factory=list)
    member_ids: list[int] = Field(default_factory=list)


class TeamMembers(RequestModel):
    agent_ids: list[Id] = Field(max_length=1000)


class TeamSkills(RequestModel):
    skills: list[Skill] = Field(max_length=50, description="The whole new list of topic slugs")


class AgentCapacity(RequestModel):
    max_chats: int = Field(ge=1, le=100, description="Most chats routing gives at once")
