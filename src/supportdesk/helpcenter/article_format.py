"""The help-center article format: YAML front matter, then the Markdown body.

One file per article per locale (SPEC, "Help-center import format")::

    ---
    key: withdrawal-pending
    locale: en
    title: Why is my withdrawal still pending?
    category: deposits-withdrawals
    section: withdrawals
    tags: [withdrawal, pending]
    questions:
      - my withdrawal is stuck
    ---
    Body in Markdown.

:func:`parse_article_text` reads one file's text and raises :class:`ArticleError` with the
line at fault; :func:`check_document` applies the same rules to a document a program built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs in the dependencies

from supportdesk.helpcenter import schemas
from supportdesk.helpcenter.models import TranslationStatus
from supportdesk.helpcenter.schemas import canonical_locale, is_locale
from supportdesk.schemas_common import check_storable_text

FIELDS = (
    "key",
    "locale",
    "title",
    "category",
    "section",
    "tags",
    "questions",
    "status",
    "related",
)
REQUIRED = ("key", "locale", "title")
# libyaml when available: the same documents and marks, several times faster.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class ParsedArticle:
    """One translation of one article, as a file holds it (or as a program builds it)."""

    key: str
    locale: str
    title: str
    body: str
    category: str | None = None
    section: str | None = None  # a slug within ``category``
    tags: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    status: str = "published"
    related: list[str] | None = None  # keys of related articles; None: leave them as they are
    path: str | None = None  # where it was read, for reports


@dataclass(frozen=True, slots=True)
class Rejection:
    path: str
    line: int  # 1-based; 0 when the document did not come from a file
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.reason}"
            if self.line
            else f"{self.path}: {self.reason}"
        )


class ArticleError(Exception):
    """A file that breaks a rule: the line at fault (1-based) and the reason."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.reason = line, reason


def parse_article_text(text: str, *, path: str | None = None) -> ParsedArticle:
    """Parse one file's text; raises :class:`ArticleError` with the line at fault."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[0].rstrip() != "---":
        raise ArticleError(1, "the file must start with a '---' line that opens the front matter")
    end = next((n for n in range(1, len(lines)) if lines[n].rstrip() == "---"), None)
    if end is None:
        raise ArticleError(1, "the front matter opened on line 1 is never closed by a '---' line")
    node, data = _load_yaml("\n".join(lines[1:end]), end + 1)
    body = "\n".join(lines[end + 1 :]).rstrip()
    body = re.sub(r"\A(?:[ \t]*\n)+", "", body)
    lines_of = _FieldLines(node)
    fields = _check_field_names(data, lines_of)
    try:
        fields["body"] = check_body(body)
    except ValueError as exc:
        raise ArticleError(end + 2 if body else end + 1, str(exc)) from None
    return _build(fields, lines_of, path)


def _load_yaml(front: str, closing_line: int) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(front)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 2
        raise ArticleError(min(line, closing_line), f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ArticleError(2, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return node, data


class _FieldLines:
    """The line of each field of the front matter (and of each item of a list field)."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = str(key_node.value)
                self.keys.setdefault(name, key_node.start_mark.line + 2)
                if isinstance(value_node, yaml.SequenceNode):
                    self.items[name] = [item.start_mark.line + 2 for item in value_node.value]
        self.duplicates = self._duplicates(node)

    @staticmethod
    def _duplicates(node: yaml.Node | None) -> list[tuple[str, int]]:
        seen: set[str] = set()
        found = []
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                name = str(key_node.value)
                if name in seen:
                    found.append((name, key_node.start_mark.line + 2))
                seen.add(name)
        return found

    def line(self, name: str, item: int | None = None) -> int:
        if item is not None and item < len(self.items.get(name, [])):
            return self.items[name][item]
        return self.keys.get(name, 1)


def _check_field_names(data: Any, lines: _FieldLines) -> dict[str, Any]:
    if data is None:
        raise ArticleError(1, "the front matter is empty: it needs at least key, locale and title")
    if not isinstance(data, dict):
        raise ArticleError(
            2, "the front matter must be a mapping of fields, like 'key: my-article'"
        )
    for name, line in lines.duplicates:
        raise ArticleError(line, f"the field {name!r} is given twice")
    for name in data:
        if not isinstance(name, str) or name not in FIELDS:
            raise ArticleError(
                lines.line(str(name)),
                f"unknown field {name!r}; the fields are: {', '.join(FIELDS)}",
            )
    for name in REQUIRED:
        if data.get(name) is None:
            raise ArticleError(1, f"the required field {name!r} is missing")
    return dict(data)


# --- the rules for each field ------------------------------------------------------------


def _build(fields: Mapping[str, Any], lines: _FieldLines, path: str | None) -> ParsedArticle:
    def check(name: str, rule: Callable[[Any], Any]) -> Any:
        try:
            return rule(fields.get(name))
        except _ItemError as exc:
            raise ArticleError(lines.line(name, exc.index), f"{name}: {exc.reason}") from None
        except ValueError as exc:
            raise ArticleError(lines.line(name), f"{name}: {exc}") from None

    category = check("category", check_category)
    section = check("section", check_section)
    if section is not None and category is None:
        raise ArticleError(
            lines.line("section"), "section: a section belongs to a category; add 'category:'"
        )
    return ParsedArticle(
        key=check("key", check_key),
        locale=check("locale", check_locale),
        title=check("title", check_title),
        body=fields["body"],
        category=category,
        section=section,
        tags=check("tags", check_tags),
        questions=check("questions", check_questions),
        status=check("status", check_status),
        related=check("related", check_related),
        path=path,
    )


class _ItemError(ValueError):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index, self.reason = index, reason


def check_key(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(schemas.KEY_PATTERN, value):
        raise ValueError(
            "must be lowercase letters, digits and hyphens, at most 100 characters, "
            f"starting with a letter or digit (like withdrawal-pending), not {value!r}"
        )
    return value


def check_locale(value: Any) -> str:
    if not isinstance(value, str) or not is_locale(value.strip()):
        raise ValueError(
            f"must be a BCP 47 language tag such as en, zh-Hans or es-419, not {value!r}"
        )
    return canonical_locale(value)


def check_title(value: Any) -> str:
    text = _text(value, "the title")
    if len(text) > schemas.TITLE_CHARS:
        raise ValueError(f"must have at most {schemas.TITLE_CHARS} characters, not {len(text)}")
    return text


def check_body(value: str) -> str:
    if not value.strip():
        raise ValueError("the body (the Markdown after the front matter) is empty")
    if len(value) > schemas.BODY_CHARS:
        raise ValueError(f"the body must have at most {schemas.BODY_CHARS} characters")
    check_storable_text(value)
    return value


def check_category(value: Any) -> str | None:
    """A category's or a section's slug (both follow the same pattern), or None."""
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(schemas.CATEGORY_PATTERN, value):
        raise ValueError(
            "must be a slug of lowercase letters, digits and hyphens, at most 64 characters, "
            f"not {value!r}"
        )
    return value


check_section = check_category


def check_status(value: Any) -> str:
    statuses = [s.value for s in TranslationStatus]
    if value is None:
        return TranslationStatus.PUBLISHED.value
    if value not in statuses:
        raise ValueError(f"must be one of {', '.join(statuses)}, not {value!r}")
    return str(value)


def check_tags(value: Any) -> list[str]:
    return _text_list(value, "tags", schemas.MAX_TAGS, schemas.TAG_CHARS)


def check_questions(value: Any) -> list[str]:
    return _text_list(value, "questions", schemas.MAX_QUESTIONS, schemas.QUESTION_CHARS)


def check_related(value: Any) -> list[str] | None:
    if value is None:
        return None
    keys = _text_list(value, "related", 50, 100)
    for n, key in enumerate(keys):
        try:
            check_key(key)
        except ValueError as exc:
            raise _ItemError(n, str(exc)) from None
    return keys


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {value!r}; put it in quotes")
    text = value.strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    check_storable_text(text)
    return text


def _text_list(value: Any, what: str, most: int, chars: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"must be a list, like [a, b] or lines starting with '- ', not {value!r}")
    if len(value) > most:
        raise _ItemError(most, f"at most {most} items, not {len(value)}")
    items = []
    for n, item in enumerate(value):
        try:
            text = _text(item, f"item {n + 1}")
        except ValueError as exc:
            raise _ItemError(n, str(exc)) from None
        if len(text) > chars:
            raise _ItemError(n, f"item {n + 1} has more than {chars} characters")
        items.append(text)
    return items


def check_document(doc: ParsedArticle) -> ParsedArticle:
    """The same rules for a document built by a program; raises ValueError naming the field."""
    names = ("key", "locale", "title", "category", "section", "tags")
    fields = {f: getattr(doc, f) for f in names}
    fields |= {"questions": doc.questions, "status": doc.status, "related": doc.related}
    try:
        fields["body"] = check_body(doc.body if isinstance(doc.body, str) else "")
        return _build(fields, _FieldLines(None), doc.path)
    except ArticleError as exc:
        raise ValueError(exc.reason) from None
