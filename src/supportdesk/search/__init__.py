"""One retrieval engine for help-center search, the answer bot and agents' suggestions."""

from __future__ import annotations

from supportdesk.search.engine import Hit, Ranking, rank, search
from supportdesk.search.index import index_articles

__all__ = ["Hit", "Ranking", "index_articles", "rank", "search"]
