from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.db.base import Base, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"


class Presence(enum.StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


DEFAULT_MAX_CHATS = 5


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e])


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.AGENT)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(35), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(default=None)
    # The most chats routing may give this agent at once (docs/routing.md).
    max_chats: Mapped[int] = mapped_column(default=DEFAULT_MAX_CHATS, server_default=text("5"))

    teams: Mapped[list[Team]] = relationship(
        secondary="team_members", back_populates="members", lazy="raise"
    )

    @property
    def is_staff_manager(self) -> bool:
        return self.role in (Role.ADMIN, Role.SUPERVISOR)


class AuthSession(Base):
    """A console login. Only a hash of the cookie value is stored."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    agent: Mapped[Agent] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for integrations; acts with the rights of the agent who made it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    agent: Mapped[Agent] = relationship(lazy="joined")


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region: Mapped[str] = mapped_column(String(100), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    languages: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Topics this team handles ("payments", "tier-2"): slugs that routing matches.
    skills: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))
    # The weekly schedule as [{"day": "mon", "start": "09:00", "end": "18:00"}, ...] in the
    # team's timezone; None means the default week (routing/hours.py, docs/routing.md).
    weekly_hours: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)

    members: Mapped[list[Agent]] = relationship(
        secondary="team_members", back_populates="teams", lazy="raise"
    )


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "agent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)


class AgentPresence(Base):
    """What an agent chose (online/away) and when a node last heard from them.

    Kept in the database so every node sees the same presence; an agent whose heartbeat is
    older than the presence timeout counts as offline whatever the stored status says.
    """

    __tablename__ = "agent_presence"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[Presence] = mapped_column(_enum(Presence, "presence"), default=Presence.OFFLINE)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    # Open console sockets over all nodes; a crashed node's count is stale, but its
    # heartbeats stop too, so the timeout still turns the agent offline.
    connections: Mapped[int] = mapped_column(default=0)
