"""A plain-text rendering of an HTML mail body, for HTML-only mail, previews and trimming.

Built on the standard library's ``html.parser`` (entities and broken markup handled there).
Blocks become lines, ``<br>`` a line break, list items ``- ``, links keep their address,
and ``<blockquote>`` lines get the ``> `` prefix, so quoted history in HTML-only replies is
trimmed by the same text rules as in plain-text mail (see trim.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
# Blocks that a reader sees separated by an empty line; the other blocks start a new line.
_PARAGRAPHS = frozenset(
    {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p", "pre", "table", "ul"}
)
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
_SPACES = re.compile(r"[ \t\r\n\f\u200b]+")


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._quote_depth = 0
        self._href: list[str | None] = []
        self._link_text: list[str] = []

    def _break(self, paragraph: bool = False) -> None:
        joined = "".join(self._line)
        text = joined.rstrip() if self._pre_depth else joined.strip()
        self._line = []
        prefix = "> " * self._quote_depth
        if text:
            self.lines.append(prefix + text)
        if paragraph and self.lines and self.lines[-1].strip("> "):
            self.lines.append(prefix.rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag == "br":
            if "".join(self._line).strip():
                self._break()
            else:  # an empty line: "<br><br>" or Gmail's "<div><br></div>"
                self.lines.append(("> " * self._quote_depth).rstrip())
        elif tag in _BLOCKS:
            self._break(tag in _PARAGRAPHS)
            if tag == "li":
                self._line.append("- ")
            elif tag == "pre":
                self._pre_depth += 1
            elif tag == "blockquote":
                self._quote_depth += 1
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))
            self._link_text.append("")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._line.append(f"[{alt}]")
        elif tag in {"td", "th"} and self._line:
            self._line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS:
            self._break(tag in _PARAGRAPHS)
            if tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)
            elif tag == "blockquote":
                self._quote_depth = max(0, self._quote_depth - 1)
        elif tag == "a" and self._href:
            href = self._href.pop()
            text = self._link_text.pop().strip()
            # Show where a link goes unless its text already says it: phishing links
            # ("Verify your account") must stay visible to agents.
            if href and href.startswith(("http://", "https://")) and href not in text:
                self._line.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            first, *rest = data.split("\n")
            self._line.append(first)
            for line in rest:
                self._break()
                self._line.append(line)
        else:
            self._line.append(_SPACES.sub(" ", data))
        if self._link_text:
            self._link_text[-1] += data

    def result(self) -> str:
        self._break()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text for ``html``; never raises on malformed markup."""
    renderer = _TextRenderer()
    renderer.feed(html)
    renderer.close()
    return renderer.result()
