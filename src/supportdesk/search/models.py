"""The search index: passages of published translations with their vectors and tokens.

The keyword index is kept by the database (migration 0005): an FTS5 table over
``search_chunks.tokens`` on SQLite (kept in step by triggers), a generated ``tsvector``
column with a GIN index on PostgreSQL. Neither is mapped here.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.db.base import Base


class SearchChunk(Base):
    """One searchable passage of one published translation.

    ``kind``: ``title``; ``body`` (a passage of about a paragraph); ``question`` (an example
    question); ``doc`` (the whole translation, embedded once by e5 and not keyword-indexed).
    Vectors are little-endian float32, L2-normalised; a model that does not score this kind
    of passage leaves its column null.
    """

    __tablename__ = "search_chunks"
    __table_args__ = (
        Index("ix_search_chunks_translation_id", "translation_id"),
        Index("ix_search_chunks_version", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("article_translations.id", ondelete="CASCADE")
    )
    locale: Mapped[str] = mapped_column(String(35))
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)
    # Space-separated keyword tokens (see search.text.tokenize); "" for kind "doc".
    tokens: Mapped[str] = mapped_column(Text, default="")
    e5: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    use: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # The index version whose transaction wrote this row: a node that loaded version v
    # fetches rows with version > v.
    version: Mapped[int] = mapped_column(default=0)


class SearchIndexState(Base):
    """One row: the index version, bumped by every transaction that changes the index."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
