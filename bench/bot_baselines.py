"""Same-run baselines for bench/bot.py: an in-memory BM25 and a brute-force embedding scan.

Neither is used by Supportdesk; they tell how far the real path (SQLite, ranking, the
bot's rules) is from the bare cost of each retrieval idea on the same corpus and machine.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
import rjieba

_WORD = re.compile(r"\w+", re.UNICODE)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def tokens(text: str) -> list[str]:
    """Lower-cased words; Chinese is cut into words by jieba first."""
    if _HAN.search(text):
        text = " ".join(rjieba.cut(text))
    return _WORD.findall(text.lower())


class BM25:
    """Okapi BM25 (k1 = 1.2, b = 0.75) over an inverted index held in dicts."""

    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for doc_id, text in enumerate(documents):
            counts = Counter(tokens(text))
            self.lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self.postings[term].append((doc_id, tf))
        self.average = sum(self.lengths) / max(1, len(self.lengths))
        n = len(self.lengths)
        self.idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self.postings.items()
        }

    def search(self, query: str, limit: int = 3) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(tokens(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc_id, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc_id] / self.average)
                scores[doc_id] += idf * tf * (self.k1 + 1) / (tf + norm)
        return sorted(scores.items(), key=lambda item: -item[1])[:limit]


class EmbeddingScan:
    """Cosine similarity of the query's embedding against every document's, in numpy."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)

    def search(self, query_vector: np.ndarray, limit: int = 3) -> list[tuple[int, float]]:
        scores = self.matrix @ query_vector
        best = np.argpartition(-scores, limit)[:limit]
        best = best[np.argsort(-scores[best])]
        return [(int(i), float(scores[i])) for i in best]
