"""A linear classifier over articles' example questions, trained when a snapshot is built.

Intent-style help centers give each article many example questions ("what are the fees
for a card top-up?", "top-up card charge", ...). Nearest-neighbour retrieval over them
takes the single closest example; a classifier weighs all of an article's examples at once
and learns which directions in the embedding separate it from its neighbours. It is ridge
regression (one-vs-rest least squares onto one-hot targets, closed form) over the
concatenated [e5, mUSE] vectors: one linear solve of ~900 unknowns, milliseconds for a few
thousand examples, and one matrix-vector product per question.

Only articles with at least :data:`MIN_EXAMPLES` example questions (with both vectors) are
classes; with fewer than two classes there is no classifier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
MIN_EXAMPLES = 5
RIDGE = 1.0  # L2 penalty, in units of examples (features are unit vectors)


@dataclass(frozen=True, slots=True)
class IntentClassifier:
    weights: FloatArray  # (features + 1, classes)
    classes: IntArray  # the article code of each class

    def scores(self, e5: npt.NDArray[np.float32], use: npt.NDArray[np.float32]) -> FloatArray:
        """Per class, the least-squares estimate of "this question is that article's"."""
        features = np.concatenate([e5, use, [1.0]])
        scores: FloatArray = features @ self.weights
        return scores


def train(
    e5: npt.NDArray[np.float32], use: npt.NDArray[np.float32], owners: IntArray
) -> IntentClassifier | None:
    """``e5``/``use``: one row per example question; ``owners``: its article code."""
    counts = np.bincount(owners) if len(owners) else np.zeros(0, np.int64)
    classes = np.flatnonzero(counts >= MIN_EXAMPLES)
    if len(classes) < 2:
        return None
    keep = np.isin(owners, classes)
    features = np.hstack([e5[keep], use[keep], np.ones((int(keep.sum()), 1), np.float32)])
    x = features.astype(np.float64)
    targets = np.zeros((len(x), len(classes)))
    targets[np.arange(len(x)), np.searchsorted(classes, owners[keep])] = 1.0
    gram = x.T @ x
    gram[np.diag_indices_from(gram)] += RIDGE
    weights: FloatArray = np.linalg.solve(gram, x.T @ targets).astype(np.float64)
    return IntentClassifier(weights, classes.astype(np.int64))
