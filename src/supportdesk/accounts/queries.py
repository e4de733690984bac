from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from supportdesk.accounts.models import Agent, AgentPresence, Presence, Team, TeamMember
from supportdesk.db.base import utcnow
from supportdesk.errors import NotFound


async def access_agent(session: AsyncSession, agent_id: int) -> Agent:
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent


async def access_team(session: AsyncSession, team_id: int) -> Team:
    team = await session.get(Team, team_id)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team


def effective(record: AgentPresence | None, presence_timeout: float) -> Presence:
    """A status counts only while heartbeats arrive: a crashed node's agents go offline."""
    if record is None or record.heartbeat_at is None or record.connections <= 0:
        return Presence.OFFLINE
    if utcnow() - record.heartbeat_at > timedelta(seconds=presence_timeout):
        return Presence.OFFLINE
    return record.status


async def presences(session: AsyncSession, presence_timeout: float) -> dict[int, Presence]:
    rows = await session.scalars(select(AgentPresence))
    return {r.agent_id: effective(r, presence_timeout) for r in rows}


async def count_online_agents(session: AsyncSession, presence_timeout: float) -> int:
    cutoff = utcnow() - timedelta(seconds=presence_timeout)
    value = await session.scalar(
        select(func.count())
        .select_from(AgentPresence)
        .join(Agent, Agent.id == AgentPresence.agent_id)
        .where(
            AgentPresence.status == Presence.ONLINE,
            AgentPresence.heartbeat_at >= cutoff,
            AgentPresence.connections > 0,
            Agent.is_active.is_(True),
        )
    )
    return int(value or 0)


async def team_member_ids(session: AsyncSession, team_ids: list[int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {team_id: [] for team_id in team_ids}
    rows = await session.execute(
        select(TeamMember.team_id, TeamMember.agent_id)
        .where(TeamMember.team_id.in_(team_ids))
        .order_by(TeamMember.agent_id)
    )
    for team_id, agent_id in rows:
        members[team_id].append(agent_id)
    return members
