"""Every write to agents, sessions, tokens, teams and presence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import (
    Agent,
    AgentPresence,
    ApiToken,
    AuthSession,
    Presence,
    Role,
    Team,
    TeamMember,
)
from supportdesk.accounts.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from supportdesk.db.base import utcnow
from supportdesk.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from supportdesk.realtime.events import STAFF_STREAM, agent_topic, emit, emit_ephemeral
from supportdesk.tokens import hash_secret, new_secret


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise InvalidInput("password must have at most 1024 characters")


def check_name(name: str) -> None:
    if not name.strip() or len(name.strip()) > 200:
        raise InvalidInput("name must have 1 to 200 characters", code="bad_name")


async def do_create_agent(
    session: AsyncSession, *, email: str, name: str, role: Role, password: str
) -> Agent:
    check_password_strength(password)
    check_name(name)
    email = email.strip().lower()
    if await session.scalar(select(Agent.id).where(Agent.email == email)) is not None:
        raise Conflict(f"an agent with email {email} already exists", code="email_taken")
    agent = Agent(email=email, name=name.strip(), role=role, password_hash=hash_password(password))
    session.add(agent)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"an agent with email {email} already exists", code="email_taken") from None
    session.add(AgentPresence(agent_id=agent.id, status=Presence.OFFLINE, changed_at=utcnow()))
    await emit(session, STAFF_STREAM, "agent.created", {"agent_id": agent.id, "name": agent.name})
    return agent


async def authenticate(session: AsyncSession, email: str, password: str) -> Agent:
    agent = await session.scalar(select(Agent).where(Agent.email == email.strip().lower()))
    ok = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not ok:
        raise Unauthorized("wrong email or password", code="bad_credentials")
    if not agent.is_active:
        raise Forbidden("this account is deactivated", code="account_deactivated")
    if needs_rehash(agent.password_hash):
        agent.password_hash = hash_password(password)
    return agent


@dataclass(frozen=True, slots=True)
class NewSession:
    cookie_value: str
    csrf_token: str
    record: AuthSession


async def do_start_session(
    session: AsyncSession, agent: Agent, *, max_age: int, user_agent: str = ""
) -> NewSession:
    cookie_value = new_secret()
    record = AuthSession(
        token_hash=hash_secret(cookie_value),
        csrf_token=new_secret(),
        agent_id=agent.id,
        expires_at=utcnow() + timedelta(seconds=max_age),
        user_agent=user_agent[:300],
    )
    session.add(record)
    await session.flush()
    return NewSession(cookie_value, record.csrf_token, record)


async def do_end_session(session: AsyncSession, record: AuthSession) -> None:
    record.revoked_at = utcnow()
    session.add(record)


async def find_session(session: AsyncSession, cookie_value: str) -> AuthSession:
    record = await session.scalar(
        select(AuthSession).where(AuthSession.token_hash == hash_secret(cookie_value))
    )
    if record is None or record.revoked_at is not None or record.expires_at <= utcnow():
        raise Unauthorized("session expired; log in again", code="session_expired")
    check_active(record.agent)
    return record


def check_active(agent: Agent) -> None:
    if not agent.is_active:
        raise Unauthorized("this account is deactivated", code="account_deactivated")


@dataclass(frozen=True, slots=True)
class NewToken:
    secret: str
    record: ApiToken


async def do_create_api_token(session: AsyncSession, agent: Agent, name: str) -> NewToken:
    secret = new_secret("sd_")
    record = ApiToken(
        name=name.strip(), prefix=secret[:10], token_hash=hash_secret(secret), agent_id=agent.id
    )
    session.add(record)
    await session.flush()
    return NewToken(secret, record)


async def do_revoke_api_token(session: AsyncSession, agent: Agent, token_id: int) -> None:
    record = await session.get(ApiToken, token_id)
    if record is None or record.revoked_at is not None:
        raise NotFound(f"API token {token_id} not found")
    if record.agent_id != agent.id and agent.role != Role.ADMIN:
        raise NotFound(f"API token {token_id} not found")
    record.revoked_at = utcnow()


async def find_api_token(session: AsyncSession, secret: str) -> ApiToken:
    record = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
    )
    if record is None or record.revoked_at is not None:
        raise Unauthorized("API token is invalid or revoked", code="token_invalid")
    check_active(record.agent)
    return record


async def do_update_agent(
    session: AsyncSession,
    agent: Agent,
    *,
    name: str | None = None,
    role: Role | None = None,
    password: str | None = None,
) -> Agent:
    if name is not None:
        check_name(name)
        agent.name = name.strip()
    if role is not None:
        agent.role = role
    if password is not None:
        check_password_strength(password)
        agent.password_hash = hash_password(password)
    await emit(session, STAFF_STREAM, "agent.updated", {"agent_id": agent.id, "name": agent.name})
    return agent


async def do_deactivate_agent(session: AsyncSession, actor: Agent | None, agent: Agent) -> Agent:
    """Deactivation ends every session and token of the agent and closes their sockets.

    ``actor`` is None for the operator at the command line.
    """
    if actor is not None and agent.id == actor.id:
        raise InvalidInput("you cannot deactivate your own account", code="cannot_deactivate_self")
    if not agent.is_active:
        return agent
    now = utcnow()
    agent.is_active = False
    agent.deactivated_at = now
    await session.execute(
        update(AuthSession)
        .where(AuthSession.agent_id == agent.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await session.execute(
        update(ApiToken)
        .where(ApiToken.agent_id == agent.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    await _set_presence(session, agent.id, Presence.OFFLINE, heartbeat=False)
    record = await _presence_record(session, agent.id)
    record.connections = 0
    await _route_after_presence(session, agent.id, Presence.OFFLINE)
    await emit(session, STAFF_STREAM, "agent.deactivated", {"agent_id": agent.id})
    emit_ephemeral(
        session,
        agent_topic(agent.id),
        {"type": "_disconnect", "code": 4003, "reason": "account deactivated"},
    )
    return agent


async def do_reactivate_agent(session: AsyncSession, agent: Agent) -> Agent:
    agent.is_active = True
    agent.deactivated_at = None
    await emit(session, STAFF_STREAM, "agent.updated", {"agent_id": agent.id, "name": agent.name})
    return agent


async def do_set_presence(session: AsyncSession, agent: Agent, status: Presence) -> None:
    changed = await _set_presence(session, agent.id, status, heartbeat=True)
    if changed:
        emit_ephemeral(session, STAFF_STREAM, presence_frame(agent.id, status))
        await _route_after_presence(session, agent.id, status)


async def _route_after_presence(session: AsyncSession, agent_id: int, status: Presence) -> None:
    """Online: the agent can take waiting chats. Offline by choice: their chats go back to
    the queue now (a closed console is left a grace period: the routing sweep)."""
    from supportdesk.routing.queue import request_capacity
    from supportdesk.routing.reroute import do_requeue_agent

    if status == Presence.ONLINE:
        request_capacity(session, agent_id=agent_id)
    elif status == Presence.OFFLINE:
        await do_requeue_agent(session, agent_id, reason="offline")


async def do_heartbeat(session: AsyncSession, agent_id: int) -> None:
    await session.execute(
        update(AgentPresence)
        .where(AgentPresence.agent_id == agent_id)
        .values(heartbeat_at=utcnow())
    )


async def _set_presence(
    session: AsyncSession, agent_id: int, status: Presence, *, heartbeat: bool
) -> bool:
    now = utcnow()
    record = await _presence_record(session, agent_id)
    changed = record.status != status
    if changed:
        record.status = status
        record.changed_at = now
    if heartbeat:
        record.heartbeat_at = now
    await session.flush()
    return changed


def presence_frame(agent_id: int, status: Presence) -> dict[str, object]:
    return {"type": "presence", "agent_id": agent_id, "status": status.value}


async def do_create_team(
    session: AsyncSession,
    *,
    name: str,
    region: str,
    timezone: str,
    languages: list[str],
    skills: list[str] | None = None,
) -> Team:
    if await session.scalar(select(Team.id).where(Team.name == name.strip())) is not None:
        raise Conflict(f"a team named {name!r} already exists", code="team_exists")
    team = Team(
        name=name.strip(),
        region=region,
        timezone=timezone,
        languages=languages,
        skills=_unique(skills or []),
    )
    session.add(team)
    await session.flush()
    await emit(session, STAFF_STREAM, "team.created", {"team_id": team.id, "name": team.name})
    return team


async def do_set_team_members(session: AsyncSession, team: Team, agent_ids: list[int]) -> None:
    unique_ids = sorted(set(agent_ids))
    found = set(await session.scalars(select(Agent.id).where(Agent.id.in_(unique_ids))))
    missing = [agent_id for agent_id in unique_ids if agent_id not in found]
    if missing:
        raise InvalidInput(f"unknown agent ids: {missing}", code="unknown_agent")
    current = set(
        await session.scalars(select(TeamMember.agent_id).where(TeamMember.team_id == team.id))
    )
    for agent_id in found - current:
        session.add(TeamMember(team_id=team.id, agent_id=agent_id))
    for agent_id in current - found:
        member = await session.scalar(
            select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.agent_id == agent_id)
        )
        await session.delete(member)
    await session.flush()
    await emit(session, STAFF_STREAM, "team.updated", {"team_id": team.id, "members": unique_ids})


async def do_set_team_skills(session: AsyncSession, team: Team, skills: list[str]) -> None:
    team.skills = _unique(skills)
    await session.flush()
    await emit(session, STAFF_STREAM, "team.updated", {"team_id": team.id, "skills": team.skills})


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


async def do_set_agent_capacity(session: AsyncSession, agent: Agent, max_chats: int) -> Agent:
    if not 1 <= max_chats <= 100:
        raise InvalidInput("max_chats must be from 1 to 100", code="bad_capacity")
    agent.max_chats = max_chats
    await session.flush()
    await emit(session, STAFF_STREAM, "agent.updated", {"agent_id": agent.id, "name": agent.name})
    return agent


async def do_console_connected(session: AsyncSession, agent: Agent) -> Presence:
    """A console socket opened: count it; an agent who was offline comes online."""
    record = await _presence_record(session, agent.id)
    record.connections = max(record.connections, 0) + 1
    record.heartbeat_at = utcnow()
    changed = record.connections == 1
    if record.status == Presence.OFFLINE:
        record.status = Presence.ONLINE
        record.changed_at = record.heartbeat_at
        changed = True
    await session.flush()
    # A second tab of an agent already online tells the other consoles nothing new.
    if changed:
        emit_ephemeral(session, STAFF_STREAM, presence_frame(agent.id, record.status))
        await _route_after_presence(session, agent.id, record.status)
    return record.status


async def do_console_disconnected(session: AsyncSession, agent_id: int) -> None:
    record = await _presence_record(session, agent_id)
    record.connections = max(record.connections - 1, 0)
    await session.flush()
    if record.connections == 0:
        emit_ephemeral(session, STAFF_STREAM, presence_frame(agent_id, Presence.OFFLINE))


async def _presence_record(session: AsyncSession, agent_id: int) -> AgentPresence:
    record = await session.get(AgentPresence, agent_id, with_for_update=True)
    if record is None:
        record = AgentPresence(agent_id=agent_id, status=Presence.OFFLINE, changed_at=utcnow())
        session.add(record)
        await session.flush()
    return record
