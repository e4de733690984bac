"""Request and response models of the help-center API, and the field rules the importer shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from supportdesk.helpcenter.models import TranslationStatus
from supportdesk.schemas_common import Locale, Name, RequestModel, check_storable_text

# One rule for the API and the importer, so a file that imports can also be edited online.
KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,99}$"
CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
TITLE_CHARS = 300  # the width of article_translations.title
BODY_CHARS = 200_000
MAX_QUESTIONS = 50
QUESTION_CHARS = 500
MAX_TAGS = 50
TAG_CHARS = 64
SOURCE_LOCALE = "en"  # translations are made from, and checked against, the English text

State = Literal["missing", "outdated", "draft", "published"]


def canonical_locale(tag: str) -> str:
    """BCP 47 tags are case-insensitive; store the conventional case (RFC 5646 §2.1.1).

    ``ZH-hans`` → ``zh-Hans``, ``es-419`` stays, ``en-us`` → ``en-US``.
    """
    language, *rest = tag.strip().split("-")
    parts = [language.lower()]
    for subtag in rest:
        if len(subtag) == 4 and subtag.isalpha():
            parts.append(subtag.title())
        elif (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
            parts.append(subtag.upper())
        else:
            parts.append(subtag.lower())
    return "-".join(parts)


_LOCALE = TypeAdapter(Locale)


def is_locale(value: str) -> bool:
    """Whether ``value`` is a BCP 47 tag by the rule of every other API field."""
    try:
        _LOCALE.validate_python(value)
    except ValidationError:
        return False
    return True


ArticleKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
CategorySlug = Annotated[str, StringConstraints(pattern=CATEGORY_PATTERN)]
ArticleLocale = Annotated[Locale, AfterValidator(canonical_locale)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_CHARS),
    AfterValidator(check_storable_text),
]
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=BODY_CHARS),
    AfterValidator(check_storable_text),
]
Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=QUESTION_CHARS)
]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TAG_CHARS)]


# --- categories --------------------------------------------------------------------------


class CategoryCreate(RequestModel):
    slug: CategorySlug
    # Display names per locale; a category without one is shown by its slug.
    names: Annotated[dict[ArticleLocale, Name], Field(default_factory=dict, max_length=50)]
    position: Annotated[int, Field(ge=0, le=10_000)] | None = None


class CategoryUpdate(RequestModel):
    slug: CategorySlug | None = None
    names: Annotated[dict[ArticleLocale, Name], Field(max_length=50)] | None = None


class CategoryOrder(RequestModel):
    """Slugs in their new order; categories left out keep their order, after these."""

    slugs: Annotated[list[CategorySlug], Field(min_length=1, max_length=1000)]


class SectionCreate(CategoryCreate):
    """A section inside a category: the slug is unique within that category."""


class SectionUpdate(CategoryUpdate):
    pass


class SectionOrder(RequestModel):
    """Slugs in their new order; sections left out keep their order, after these."""

    slugs: Annotated[list[CategorySlug], Field(min_length=1, max_length=1000)]


class SectionPublic(BaseModel):
    slug: str
    position: int
    names: dict[str, str]
    articles: int


class CategoryPublic(BaseModel):
    slug: str
    position: int
    names: dict[str, str]
    articles: int
    # In their order; the console's editor offers them as the article's section.
    sections: list[SectionPublic] = []


# --- articles and translations -----------------------------------------------------------


class TranslationWrite(RequestModel):
    """The body of ``PUT /help/articles/{key}/translations/{locale}``.

    ``tags``, ``category`` and ``related_keys`` belong to the article (every locale shares
    them): left out, they keep their value; ``category: null`` takes the article out of
    its category.
    """

    title: Title
    body: Body
    questions: Annotated[list[Question], Field(default_factory=list, max_length=MAX_QUESTIONS)]
    status: TranslationStatus = TranslationStatus.PUBLISHED
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None
    category: CategorySlug | None = None
    # A slug within the category (created when missing); null: no section. Left out: kept,
    # unless the category changes (a section belongs to one category).
    section: CategorySlug | None = None
    related_keys: Annotated[list[ArticleKey], Field(max_length=50)] | None = None


class TranslationPublic(BaseModel):
    locale: str
    title: str
    body: str
    questions: list[str]
    status: TranslationStatus
    # missing never appears here: this translation exists.
    state: State
    content_hash: str
    source_hash: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class TranslationSummary(BaseModel):
    locale: str
    title: str
    status: TranslationStatus
    state: State
    updated_at: datetime


class ArticleSummary(BaseModel):
    key: str
    category: str | None
    section: str | None
    tags: list[str]
    updated_at: datetime
    translations: list[TranslationSummary]
    # Every locale of the help center: the state of this article's translation in it.
    states: dict[str, State]


class ArticleList(BaseModel):
    total: int
    locales: list[str]
    articles: list[ArticleSummary]


class ArticleDetail(BaseModel):
    key: str
    category: str | None
    section: str | None
    tags: list[str]
    related_keys: list[str]
    views: int
    created_at: datetime
    updated_at: datetime
    translations: list[TranslationPublic]
    states: dict[str, State]


# --- media ------------------------------------------------------------------------------


class MediaPublic(BaseModel):
    """An uploaded image or video: where it is served and the Markdown to show it."""

    url: str
    markdown: str
    content_type: str
    filename: str
    size: int
    width: int | None
    height: int | None


# --- preview -----------------------------------------------------------------------------


class PreviewRequest(RequestModel):
    """Markdown to render as the public pages would; empty is allowed (an empty editor)."""

    markdown: Annotated[str, StringConstraints(max_length=BODY_CHARS)]
    title: Annotated[str, StringConstraints(max_length=TITLE_CHARS)] = ""
    locale: ArticleLocale = SOURCE_LOCALE


class PreviewPublic(BaseModel):
    # The sanitised body, exactly what the public article page puts in its ``.body``.
    html: str
    # A whole page around it (the help center's stylesheet, the title, ``lang``) for a
    # sandboxed frame's ``srcdoc``: the console inserts it as one value and builds no HTML.
    document: str


class PublicArticle(BaseModel):
    """A published translation, in the requested language or the best one available."""

    key: str
    locale: str
    title: str
    body: str
    category: str | None
    section: str | None
    tags: list[str]
    updated_at: datetime
    available_locales: list[str]
    # True when the text is in another language than the one asked for.
    fallback: bool
