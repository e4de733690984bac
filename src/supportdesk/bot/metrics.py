"""Scores of an answer-bot evaluation, computed from one :class:`Outcome` per question.

Definitions (the faq-dev README's scoring, extended to top-3 and to abstention):

- in-scope question (an expected key): *top-1* is right iff the bot's answer has that key
  (any translation counts; abstaining is wrong); *top-3* iff the key is among the first
  three suggestions, which the bot returns even when it abstains;
- *abstention recall*: the share of expected-null questions where the bot abstained
  (``answer`` null, whatever the reason, hand-offs included);
- *abstention precision*: of all the questions where the bot abstained, the share that
  expected null; ``None`` when it never abstained;
- *false hand-off rate*: the share of in-scope questions where the bot abstained;
- *ranked top-1*: the key is the first suggestion, whether or not the bot answered with
  it: the ranking alone, apart from the decision to abstain.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the bot did with one question."""

    id: str
    locale: str
    kind: str
    expected: str | None
    predicted: str | None  # the answer's key; None when the bot abstained
    suggested: tuple[str, ...]  # suggestion keys, best first
    reason: str
    latency_ms: float

    @property
    def in_scope(self) -> bool:
        return self.expected is not None

    @property
    def abstained(self) -> bool:
        return self.predicted is None

    @property
    def top1(self) -> bool:
        return self.in_scope and self.predicted == self.expected

    @property
    def ranked_top1(self) -> bool:
        return self.in_scope and self.suggested[:1] == (self.expected,)

    @property
    def top3(self) -> bool:
        return self.in_scope and self.expected in self.suggested[:3]


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The nearest-rank percentile: the smallest value with ``pct`` % at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def latency(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    values = [o.latency_ms for o in outcomes]
    figures = {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values, default=None),
        "mean": sum(values) / len(values) if values else None,
    }
    return {name: None if v is None else round(v, 2) for name, v in figures.items()}


def in_scope_scores(outcomes: Iterable[Outcome]) -> dict[str, Any]:
    scored = [o for o in outcomes if o.in_scope]
    abstained = sum(o.abstained for o in scored)
    return {
        "n": len(scored),
        "top1": ratio(sum(o.top1 for o in scored), len(scored)),
        "top3": ratio(sum(o.top3 for o in scored), len(scored)),
        "ranked_top1": ratio(sum(o.ranked_top1 for o in scored), len(scored)),
        "abstained": abstained,
        "false_handoff_rate": ratio(abstained, len(scored)),
    }


def abstention_scores(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    abstained = [o for o in outcomes if o.abstained]
    expected_null = [o for o in outcomes if not o.in_scope]
    right = sum(not o.in_scope for o in abstained)
    return {
        "expected_null": len(expected_null),
        "abstained": len(abstained),
        "precision": ratio(right, len(abstained)),
        "recall": ratio(right, len(expected_null)),
    }


def breakdown(
    outcomes: Sequence[Outcome], field: Callable[[Outcome], str]
) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[field(outcome)].append(outcome)
    return {name: group_scores(group) for name, group in sorted(groups.items())}


def group_scores(group: Sequence[Outcome]) -> dict[str, Any]:
    scores: dict[str, Any] = {"n": len(group)}
    in_scope = in_scope_scores(group)
    if in_scope["n"]:
        scores |= {k: in_scope[k] for k in ("top1", "top3", "false_handoff_rate")}
    nulls = [o for o in group if not o.in_scope]
    if nulls:
        scores["abstention_recall"] = ratio(sum(o.abstained for o in nulls), len(nulls))
    return scores


def summarise(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """The figures printed by ``supportdesk bot eval`` (documented in docs/bot-eval.md)."""
    return {
        "questions": len(outcomes),
        "in_scope": in_scope_scores(outcomes),
        "abstention": abstention_scores(outcomes),
        "by_locale": breakdown(outcomes, lambda o: o.locale),
        "by_kind": breakdown(outcomes, lambda o: o.kind),
        "reasons": dict(Counter(o.reason for o in outcomes).most_common()),
        "latency_ms": latency(outcomes),
    }
