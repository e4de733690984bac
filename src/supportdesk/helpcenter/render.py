"""Article bodies: Markdown in, HTML that is safe to put in a public page out.

markdown-it-py parses CommonMark (plus tables and strikethrough) with raw HTML turned off,
so an author's ``<script>`` is text; nh3 (ammonia) then sanitises the result against an
allow-list anyway, because the body of a public page is the one place where a mistake in
the parser would reach every visitor. The only HTML we add ourselves is the video markup
below, and it passes the same sanitiser.

Two shapes of paragraph become players:

- a paragraph that is only a YouTube or Vimeo URL: a privacy-friendly embed
  (youtube-nocookie.com, Vimeo with ``dnt=1``) in a sandboxed iframe with a title;
- a link to an ``.mp4`` file, optionally with an image as poster, written either as
  ``![poster](poster.jpg) [video](clip.mp4)`` or ``[![poster](poster.jpg)](clip.mp4)``:
  a ``<video controls poster>``.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from supportdesk import i18n

__all__ = ["EMBED_ORIGINS", "plain_text", "render_markdown", "summary"]

EMBED_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
_EMBED_PREFIXES = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")

_YOUTUBE = re.compile(
    r"https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:\S*&)?v=|embed/|shorts/|live/)"
    r"|youtu\.be/)(?P<id>[A-Za-z0-9_-]{11})(?:[?&#]\S*)?"
)
_VIMEO = re.compile(r"https?://(?:www\.|player\.)?vimeo\.com/(?:video/)?(?P<id>[0-9]{4,12})\S*")
_CLASSES = re.compile(r"align-(?:left|right|center)|embed|video|language-[\w-]{1,40}")
_MP4 = re.compile(r"\.mp4(?:[?#]\S*)?$", re.IGNORECASE)

# An embed may run its own scripts inside its frame, but may not navigate this page, open
# forms or downloads; its own origin keeps its cookies (the players need it).
_SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

_TAGS = {
    *("p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote"),
    *("ul", "ol", "li", "strong", "em", "del", "s", "code", "pre", "a", "img"),
    *("table", "thead", "tbody", "tr", "th", "td", "div", "iframe", "video"),
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "ol": {"start"},
    "th": {"class"},
    "td": {"class"},
    "div": {"class"},
    "code": {"class"},
    "iframe": {"src", "title", "allow", "allowfullscreen"},
    "video": {"src", "poster", "controls", "preload", "title"},
}
_FORCED = {
    "iframe": {
        "sandbox": _SANDBOX,
        "loading": "lazy",
        # YouTube refuses to play in a frame that sends no referrer (the page's own policy
        # is same-origin); the origin alone is enough.
        "referrerpolicy": "strict-origin-when-cross-origin",
    },
    "img": {"loading": "lazy"},
}


def render_markdown(text: str, locale: str) -> str:
    """The body as sanitised HTML; ``locale`` names the embeds' frame titles."""
    tokens = _parser.parse(text)
    _demote_headings(tokens)
    _align_cells_by_class(tokens)
    _replace_video_paragraphs(tokens, locale)
    html = _parser.renderer.render(tokens, _parser.options, {})
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_allowed_attribute,
        set_tag_attribute_values=_FORCED,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto"},
    )


def summary(text: str, limit: int = 200) -> str:
    """The first paragraph of prose, as plain text of at most ``limit`` characters."""
    tokens = _parser.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "inline" and index and tokens[index - 1].type == "paragraph_open":
            words = _inline_text(token).strip()
            if words and _video_of(token) is None and _embed_url(token) is None:
                return _shorten(words, limit)
    return ""


def plain_text(text: str) -> str:
    """Every word of the body, without markup (for search snippets)."""
    tokens = _parser.parse(text)
    return " ".join(_inline_text(t) for t in tokens if t.type == "inline").strip()


# --- token rewriting ---------------------------------------------------------------------


def _demote_headings(tokens: list[Token]) -> None:
    # The page's <h1> is the article's title: a body that uses "#" too moves down a level.
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if any(token.tag == "h1" for token in headings):
        for token in headings:
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _align_cells_by_class(tokens: list[Token]) -> None:
    # markdown-it aligns table cells with style="" which the pages' CSP refuses.
    for token in tokens:
        style = token.attrs.pop("style", None) if token.type in ("th_open", "td_open") else None
        if isinstance(style, str) and style.startswith("text-align:"):
            token.attrSet("class", f"align-{style.removeprefix('text-align:')}")


def _replace_video_paragraphs(tokens: list[Token], locale: str) -> None:
    index = 0
    while index + 2 < len(tokens):
        opening, inline, closing = tokens[index : index + 3]
        if opening.type == "paragraph_open" and closing.type == "paragraph_close":
            html = _player_html(inline, locale)
            if html is not None:
                block = Token("html_block", "", 0, content=html, block=True)
                tokens[index : index + 3] = [block]
        index += 1


def _player_html(inline: Token, locale: str) -> str | None:
    embed = _embed_url(inline)
    if embed is not None:
        src, provider = embed
        title = i18n.translate(locale, "help.video.embed_title", provider=provider)
        return (
            f'<div class="embed"><iframe src="{escape(src)}" title="{escape(title)}" '
            'allow="fullscreen; picture-in-picture; encrypted-media" allowfullscreen>'
            "</iframe></div>\n"
        )
    video = _video_of(inline)
    if video is None:
        return None
    src, poster, label = video
    label = label or i18n.translate(locale, "help.video.download")
    poster_attr = f' poster="{escape(poster)}"' if poster else ""
    return (
        f'<div class="video"><video controls preload="none" src="{escape(src)}"'
        f'{poster_attr} title="{escape(label)}"><a href="{escape(src)}">{escape(label)}</a>'
        "</video></div>\n"
    )


def _embed_url(inline: Token) -> tuple[str, str] | None:
    """The player URL and provider name when the paragraph is only a video page's URL."""
    text = inline.content.strip().removeprefix("<").removesuffix(">")
    if (match := _YOUTUBE.fullmatch(text)) is not None:
        return f"https://www.youtube-nocookie.com/embed/{match['id']}", "YouTube"
    if (match := _VIMEO.fullmatch(text)) is not None:
        return f"https://player.vimeo.com/video/{match['id']}?dnt=1", "Vimeo"
    return None


def _video_of(inline: Token) -> tuple[str, str | None, str] | None:
    """``(src, poster, label)`` when the paragraph is only an MP4 link (and its poster)."""
    parts = [
        child
        for child in inline.children or []
        if child.type not in ("softbreak", "hardbreak")
        and not (child.type == "text" and not child.content.strip())
    ]
    kinds = [child.type for child in parts]
    if kinds == ["text"] and _is_mp4(parts[0].content.strip()):
        return parts[0].content.strip(), None, ""
    if kinds == ["image", "link_open", "text", "link_close"]:
        image, link = parts[0], parts[1]
    elif kinds == ["link_open", "image", "link_close"]:
        link, image = parts[0], parts[1]
    elif kinds == ["link_open", "text", "link_close"]:
        href = str(parts[0].attrGet("href") or "")
        return (href, None, parts[1].content) if _is_mp4(href) else None
    else:
        return None
    href = str(link.attrGet("href") or "")
    if not _is_mp4(href):
        return None
    return href, str(image.attrGet("src") or "") or None, _inline_text(image)


def _is_mp4(url: str) -> bool:
    return _MP4.search(url) is not None and _local_or_https(url)


# --- sanitising --------------------------------------------------------------------------


def _allowed_attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "iframe" and attribute == "src":
        return value if value.startswith(_EMBED_PREFIXES) else None
    if attribute in ("src", "poster"):
        return value if _local_or_https(value) else None
    if attribute == "class":
        return value if _CLASSES.fullmatch(value) else None
    return value


def _local_or_https(url: str) -> bool:
    """A path on this desk (``/…``, not ``//host``) or an https URL: nothing mixed-content."""
    parts = urlsplit(url)
    if parts.scheme:
        return parts.scheme.lower() == "https" and bool(parts.netloc)
    return url.startswith("/") and not url.startswith("//")


# --- text --------------------------------------------------------------------------------


def _inline_text(token: Token) -> str:
    pieces: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
        elif child.type == "image":
            pieces.append(_inline_text(child))
    return "".join(pieces)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
