"""What of a translation is indexed: its passages, and which encoder reads which kind.

A translation becomes a ``title``, a ``doc`` (the head of the whole text, for e5), body
passages and its example questions. The retrieval engine scores a translation by its best
passage of each kind an encoder reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.helpcenter.models import ArticleTranslation
from supportdesk.search.text import chunk_body, plain_text

# Which encoder scores which kind of passage (measured on a multilingual FAQ set): e5 is
# best on a whole article and its title, mUSE on short passages; both on questions.
E5_KINDS = frozenset({"title", "doc", "question"})
USE_KINDS = frozenset({"title", "body", "question"})
KEYWORD_KINDS = frozenset({"title", "body", "question"})
BODY_CHUNK_CHARS = 160
DOC_CHARS = 2000  # e5 reads 512 tokens at most; the head of an article says what it is about


@dataclass(slots=True)
class Passage:
    translation: ArticleTranslation
    kind: str
    position: int
    text: str
    e5: bytes | None = None
    use: bytes | None = None


def split_translation(translation: ArticleTranslation) -> list[Passage]:
    title = " ".join(translation.title.split())
    body = plain_text(translation.body)
    found = [Passage(translation, "title", 0, title)]
    found.append(Passage(translation, "doc", 0, f"{title}\n{body}"[:DOC_CHARS]))
    chunks = chunk_body(translation.body, BODY_CHUNK_CHARS)
    found.extend(Passage(translation, "body", i, text) for i, text in enumerate(chunks))
    questions = [" ".join(str(q).split()) for q in translation.questions or []]
    found.extend(Passage(translation, "question", i, q) for i, q in enumerate(questions) if q)
    return found
