"""sitemap.xml (sitemaps.org 0.9) and robots.txt, which points crawlers at it.

The sitemap lists the public HTML pages the build plans, so a page kind added later is
listed without a change here. Left out: the 404 page, alias stubs (they redirect), drafts
(even under --drafts) and tag pages whose only stories are drafts. lastmod is the page's
own `updated` or `date`; for a listing, the newest such date among the stories it shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Iterable
from urllib.parse import quote

from .model import Site, Story

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_PATH = "/sitemap.xml"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
UNLISTED_KINDS = frozenset({"not_found", "alias", "redirects", "sitemap", "robots", "feed", "tag_feed"})


def page_url(dest: str) -> str:
    """Output file -> the URL it is served at: stories/a/index.html -> /stories/a/."""
    if dest == "index.html":
        return "/"
    if dest.endswith("/index.html"):
        return "/" + dest[: -len("index.html")]
    return "/" + dest


def sitemap_entries(site: Site, plans: Iterable) -> tuple[tuple[str, str], ...]:
    """(absolute loc, lastmod or "") for every public page among `plans` (views.PagePlan)."""
    entries = []
    for plan in plans:
        if getattr(plan, "media_type", "text/html") != "text/html" or plan.kind in UNLISTED_KINDS:
            continue
        stories = _stories_shown(site, plan)
        if stories is None:
            continue
        newest = max((s.modified for s in stories), default=None)
        loc = site.config.absolute_url(quote(page_url(plan.dest), safe="/-._~%!$&'()*+,;=:@"))
        entries.append((loc, _w3c(newest)))
    return tuple(entries)


def _stories_shown(site: Site, plan) -> list[Story] | None:
    """The published stories a page shows (for lastmod); None when the page is not public."""
    size = site.config.page_size
    window = slice((plan.number - 1) * size, plan.number * size)
    if plan.kind == "story":
        story = site.by_slug[plan.subject]
        return None if story.draft else [story]
    if plan.kind == "home":
        return [s for s in site.stories[window] if not s.draft]
    if plan.kind == "tag":
        listing = site.tag_by_slug[plan.subject]
        if all(site.by_slug[slug].draft for slug in listing.stories):
            return None
        return [site.by_slug[slug] for slug in listing.stories[window] if not site.by_slug[slug].draft]
    if plan.kind == "tags":
        return [s for s in site.stories if not s.draft]
    if plan.kind == "storyline":
        shown = [site.by_slug[slug] for slug in site.storylines[plan.subject].stories if not site.by_slug[slug].draft]
        return shown or None
    return []  # standalone pages and kinds added later: listed, without a date


def render_sitemap(entries: tuple[tuple[str, str], ...]) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for loc, lastmod in entries:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = loc
        if lastmod:
            ET.SubElement(url, "lastmod").text = lastmod
    ET.indent(urlset, space="  ")
    return XML_DECLARATION + ET.tostring(urlset, encoding="unicode").encode("utf-8") + b"\n"


def render_robots(site: Site) -> bytes:
    title = " ".join(site.config.title.split())  # one line, whatever the config holds
    return (f"# {title}: every page may be crawled.\n"
            "User-agent: *\nAllow: /\n\n"
            f"Sitemap: {site.config.absolute_url(SITEMAP_PATH)}\n").encode("utf-8")


def _w3c(when: datetime | None) -> str:
    return when.isoformat().replace("+00:00", "Z") if when else ""
