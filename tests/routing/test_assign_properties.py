"""Routing invariants that must hold for any teams, agents and queue (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from supportdesk.routing.assign import (
    OVERFLOW_ENGLISH,
    OVERFLOW_WAIT,
    AgentView,
    Need,
    TeamView,
    pick_agent,
    speaks,
    target_team,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
LANGUAGES = ["en", "es", "zh-Hans", "zh", "fr", "es-MX"]

agents = st.lists(
    st.builds(
        AgentView,
        id=st.integers(1, 40),
        online=st.booleans(),
        load=st.integers(0, 6),
        capacity=st.integers(1, 5),
        last_assigned_at=st.none() | st.integers(0, 600).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=12,
    unique_by=lambda a: a.id,
)
teams = st.lists(
    st.builds(
        TeamView,
        id=st.integers(1, 30),
        languages=st.lists(st.sampled_from(LANGUAGES), max_size=3).map(tuple),
        skills=st.lists(st.sampled_from(["payments", "futures", "tier-2"]), max_size=2).map(tuple),
        is_open=st.booleans(),
        staffed=st.booleans(),
    ),
    max_size=8,
    unique_by=lambda t: t.id,
)
needs = st.builds(
    Need,
    language=st.sampled_from(LANGUAGES),
    topic=st.none() | st.sampled_from(["payments", "futures", "tier-2"]),
)


@given(agents, st.frozensets(st.integers(1, 40)))
def test_the_pick_is_online_below_capacity_not_excluded_and_the_least_loaded(pool, excluded):
    pick = pick_agent(pool, excluded)
    eligible = [a for a in pool if a.online and a.load < a.capacity and a.id not in excluded]
    if not eligible:
        assert pick is None
        return
    assert pick in eligible
    assert pick.spare == max(a.spare for a in eligible)


@given(agents, st.lists(st.frozensets(st.integers(1, 40), max_size=3), max_size=60))
def test_serving_a_queue_never_exceeds_capacity_nor_assigns_a_conversation_twice(pool, exclusions):
    """Serve a queue one conversation at a time, as routing/queue.py does."""
    state = {a.id: a for a in pool}
    owner: dict[int, int] = {}
    for conversation, excluded in enumerate(exclusions):
        pick = pick_agent(state.values(), excluded)
        if pick is None:
            continue
        assert conversation not in owner
        assert pick.id not in excluded and pick.online
        owner[conversation] = pick.id
        state[pick.id] = replace(pick, load=pick.load + 1, last_assigned_at=T0)
    for agent in pool:
        given_now = sum(1 for a in owner.values() if a == agent.id)
        assert given_now == 0 or state[agent.id].load <= agent.capacity
        assert agent.online or given_now == 0


@given(st.integers(2, 8), st.integers(1, 30))
def test_equal_agents_take_turns(n, rounds):
    """Round robin among ties: with the same spare seats, the least recently assigned."""
    state = {i: AgentView(id=i, online=True, load=0, capacity=1000) for i in range(1, n + 1)}
    order = []
    for step in range(rounds * n):
        pick = pick_agent(state.values())
        assert pick is not None
        order.append(pick.id)
        # Everyone's load equal again after each round: give one to each in turn.
        state[pick.id] = replace(pick, last_assigned_at=T0 + timedelta(seconds=step))
    assert order == list(range(1, n + 1)) * rounds


@given(teams, needs, st.sampled_from([OVERFLOW_ENGLISH, OVERFLOW_WAIT]))
def test_follow_the_sun_prefers_an_open_team_that_speaks_the_language(pool, need, overflow):
    chosen = target_team(pool, need, overflow)
    staffed = [t for t in pool if t.staffed]
    if not staffed:
        assert chosen is None
        return
    assert chosen is not None and chosen.staffed
    open_speakers = [t for t in staffed if t.is_open and speaks(t, need.language)]
    if open_speakers:
        # Someone open speaks it: it is never left waiting, and never sent elsewhere.
        assert chosen.is_open and speaks(chosen, need.language)
    if not speaks(chosen, need.language):
        # Sent to a team that does not speak it: only when no team speaks it at all, or
        # by the admin's English rule to an open English team.
        nobody_speaks = not any(speaks(t, need.language) for t in staffed)
        by_english_rule = overflow == OVERFLOW_ENGLISH and chosen.is_open and speaks(chosen, "en")
        assert nobody_speaks or by_english_rule
    if not any(t.is_open for t in staffed):
        assert not chosen.is_open  # nobody open: it waits for its preferred team


@given(teams, needs)
def test_the_wait_rule_never_sends_a_conversation_to_a_team_that_does_not_speak_it(pool, need):
    chosen = target_team(pool, need, OVERFLOW_WAIT)
    if chosen is not None and chosen.is_open and not speaks(chosen, need.language):
        # Only when it is the preferred team itself (nobody speaks the language at all).
        assert not any(speaks(t, need.language) for t in pool if t.staffed)


def test_language_tags_match_on_their_primary_subtag():
    team = TeamView(id=1, languages=("zh",))
    assert speaks(team, "zh-Hans") and speaks(team, "ZH") and not speaks(team, "en")
