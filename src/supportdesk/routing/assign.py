"""The routing decision, pure: which team takes a conversation, and which of its agents.

No database and no clock: the caller (routing/queue.py) reads a snapshot of teams and
agents, calls these functions and writes the result under the locks that make it safe.
The rules are in docs/routing.md ("Who gets a conversation").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

ENGLISH = "en"
OVERFLOW_ENGLISH = "english"
OVERFLOW_WAIT = "wait"
OVERFLOW_RULES = (OVERFLOW_ENGLISH, OVERFLOW_WAIT)


@dataclass(frozen=True, slots=True)
class TeamView:
    id: int
    languages: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    is_open: bool = True
    # Has active members: a team with nobody in it is chosen only by name (a transfer).
    staffed: bool = True


@dataclass(frozen=True, slots=True)
class AgentView:
    id: int
    online: bool
    load: int
    capacity: int
    last_assigned_at: datetime | None = None

    @property
    def spare(self) -> int:
        return self.capacity - self.load


@dataclass(frozen=True, slots=True)
class Need:
    """What the conversation asks of a team: a language, a topic, maybe a team already."""

    language: str
    topic: str | None = None
    team_id: int | None = None
    excluded: frozenset[int] = field(default_factory=frozenset)


def primary_language(tag: str) -> str:
    """``zh-Hans`` and ``zh`` are the same language to a team (BCP 47 primary subtag)."""
    return tag.split("-", 1)[0].split("_", 1)[0].strip().lower()


def speaks(team: TeamView, language: str) -> bool:
    wanted = primary_language(language)
    return any(primary_language(tag) == wanted for tag in team.languages)


def _rank(teams: Iterable[TeamView], need: Need, *, fallback: str | None) -> list[TeamView]:
    """Best first: speaks the language, then (for the fallback) English, then has the topic
    as a skill; ties go to the oldest team (lowest id) so every node ranks alike."""

    def key(team: TeamView) -> tuple[bool, bool, bool, int]:
        return (
            not speaks(team, need.language),
            fallback is not None and not speaks(team, fallback),
            need.topic is None or need.topic not in team.skills,
            team.id,
        )

    return sorted(teams, key=key)


def preferred_team(teams: Sequence[TeamView], need: Need, overflow: str) -> TeamView | None:
    """The team the conversation belongs to when every team is open."""
    if need.team_id is not None:
        for team in teams:
            if team.id == need.team_id:
                return team
    teams = [t for t in teams if t.staffed]
    fallback = ENGLISH if overflow == OVERFLOW_ENGLISH else None
    ranked = _rank(teams, need, fallback=fallback)
    return ranked[0] if ranked else None


def target_team(teams: Sequence[TeamView], need: Need, overflow: str) -> TeamView | None:
    """Follow the sun: the preferred team if open; else an open team that speaks the
    language; else, by the admin's rule, an open English team or the preferred team (wait).

    With no team open, the preferred team: the conversation waits in its queue offline.
    """
    home = preferred_team(teams, need, overflow)
    if home is None or home.is_open:
        return home
    open_teams = [t for t in teams if t.is_open and t.staffed]
    same_language = [t for t in open_teams if speaks(t, need.language)]
    if same_language:
        return _rank(same_language, need, fallback=None)[0]
    if overflow == OVERFLOW_ENGLISH:
        english = [t for t in open_teams if speaks(t, ENGLISH)]
        if english:
            return _rank(english, need, fallback=ENGLISH)[0]
    return home


def pick_agent(
    agents: Iterable[AgentView], excluded: frozenset[int] = frozenset()
) -> AgentView | None:
    """The online agent with the most spare capacity; ties to the one who waited longest
    since their last assignment (never assigned counts as longest), then the lowest id.

    Never an offline agent, never one at capacity, never one the customer asked to leave.
    """
    best: AgentView | None = None
    for agent in agents:
        if not agent.online or agent.spare <= 0 or agent.id in excluded:
            continue
        if best is None or _before(agent, best):
            best = agent
    return best


def _before(a: AgentView, b: AgentView) -> bool:
    if a.spare != b.spare:
        return a.spare > b.spare
    if a.last_assigned_at != b.last_assigned_at:
        if a.last_assigned_at is None:
            return True
        if b.last_assigned_at is None:
            return False
        return a.last_assigned_at < b.last_assigned_at
    return a.id < b.id
