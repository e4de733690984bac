from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.accounts.models import _enum
from supportdesk.db.base import Base, utcnow


class TranslationStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class HelpCategory(Base):
    __tablename__ = "help_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    # {locale: display name}; a category met first in an import is named after its slug.
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpSection(Base):
    """A group of articles inside one category (Zendesk's category › section › article)."""

    __tablename__ = "help_sections"
    __table_args__ = (UniqueConstraint("category_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("help_categories.id", ondelete="CASCADE"), index=True
    )
    # Unique within its category only: two categories may each have a "basics" section.
    slug: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Article(Base):
    """One help-center article; its text lives in :class:`ArticleTranslation`, per locale."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_categories.id", ondelete="SET NULL"), default=None
    )
    # Always a section of ``category_id`` (the actions keep it so), or none.
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_sections.id", ondelete="SET NULL"), default=None
    )
    tags: Mapped[list[str]] = mapped_column(default=list)
    related_keys: Mapped[list[str]] = mapped_column(default=list)
    views: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleTranslation(Base):
    __tablename__ = "article_translations"
    __table_args__ = (
        UniqueConstraint("article_id", "locale"),
        Index("ix_article_translations_locale_status", "locale", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(35))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Example questions this article answers, in this locale (search and the bot use them).
    questions: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[TranslationStatus] = mapped_column(
        _enum(TranslationStatus, "translation_status"), default=TranslationStatus.PUBLISHED
    )
    # sha256 of title + body + questions: an import that changes nothing writes nothing.
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # The source (English) translation's content_hash when this one was last written: a
    # translation whose source changed since is "outdated".
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class ArticleFeedback(Base):
    """An answer to "Was this helpful?" on an article page (or in the widget)."""

    __tablename__ = "article_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(35))
    helpful: Mapped[bool] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpMedia(Base):
    """An image or video uploaded for articles, served publicly at ``/help/media/{key}/{name}``."""

    __tablename__ = "help_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The storage key, also the URL's id: random, so the files cannot be listed by guessing.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
