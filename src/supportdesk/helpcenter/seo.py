"""For search engines: ``sitemap.xml`` with hreflang alternates, and ``robots.txt``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.etree.ElementTree import Element, SubElement, tostring

from supportdesk import i18n
from supportdesk.helpcenter.site import Site, pick_locale, site_locales

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XHTML_NS = "http://www.w3.org/1999/xhtml"


def sitemap_xml(site: Site, rows: Sequence[tuple[str, str, datetime]]) -> bytes:
    """Every home page and published translation, each with its alternates (hreflang).

    One file holds up to 50,000 URLs (sitemaps.org); a help center that outgrows it needs
    a sitemap index.
    """
    urlset = Element("urlset", {"xmlns": _SITEMAP_NS, "xmlns:xhtml": _XHTML_NS})
    homes = {locale: site.absolute(site.home(locale)) for locale in site_locales()}
    for locale in homes:
        _sitemap_url(urlset, homes[locale], None, homes, homes[i18n.DEFAULT_LOCALE])
    by_key: dict[str, dict[str, datetime]] = {}
    for key, locale, updated_at in rows:
        by_key.setdefault(key, {})[locale] = updated_at
    for key, versions in by_key.items():
        urls = {locale: site.absolute(site.article(key, locale)) for locale in versions}
        fallback = urls[pick_locale(list(urls), i18n.DEFAULT_LOCALE)]
        for locale, updated_at in versions.items():
            _sitemap_url(urlset, urls[locale], updated_at, urls, fallback)
    return bytes(tostring(urlset, encoding="utf-8", xml_declaration=True))


def _sitemap_url(
    urlset: Element, loc: str, updated_at: datetime | None, urls: dict[str, str], fallback: str
) -> None:
    url = SubElement(urlset, "url")
    SubElement(url, "loc").text = loc
    if updated_at is not None:
        SubElement(url, "lastmod").text = updated_at.date().isoformat()
    for locale, href in [*urls.items(), ("x-default", fallback)]:
        SubElement(url, "xhtml:link", {"rel": "alternate", "hreflang": locale, "href": href})


def robots_txt(base: str) -> str:
    return (
        "User-agent: *\n"
        "Allow: /help/\n"
        "Disallow: /help/*/search\n"
        "Disallow: /api/\n"
        "Disallow: /console\n"
        "Disallow: /widget/\n"
        "Disallow: /demo\n"
        f"\nSitemap: {base}/sitemap.xml\n"
    )
