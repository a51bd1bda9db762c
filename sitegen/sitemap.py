"""sitemap.xml (sitemaps.org 0.9) and robots.txt, which points crawlers at it.

The sitemap lists the public HTML pages the build plans, so a page kind added later is
listed without a change here. Left out: the 404 page, alias stubs (they redirect), drafts
(even under --drafts) and tag pages whose only stories are drafts. lastmod is the page's
own `updated` or `date`; for a listing, the newest such date among the stories it shows.

Past MAX_URLS URLs or MAX_BYTES bytes, sitemap.xml is a sitemapindex naming sitemap-1.xml,
sitemap-2.xml, ..., urlsets of consecutive entries in plan order. Entries depend only on
the site graph (URLs, dates, drafts, listings), so an edit of story text alone, the one
a build plans few pages for, changes no sitemap file (`updated:` is in the graph)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterable
from urllib.parse import quote

from .model import Site, Story

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_PATH = "/sitemap.xml"
SITEMAP_DEST = SITEMAP_PATH[1:]  # the urlset, or the index of the parts
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
UNLISTED_KINDS = frozenset({"not_found", "alias", "redirects", "sitemap", "sitemap_index", "sitemap_part", "robots",
                            "feed", "tag_feed"})
# Per file, sitemaps.org 0.9 (an index too, but 50,000 parts is 2.5 billion URLs).
# Module constants, so that tests can make them small.
MAX_URLS = 50_000
MAX_BYTES = 52_428_800  # "50MB (52,428,800 bytes)", uncompressed
_PART_NAME = re.compile(r"sitemap-[1-9][0-9]*\.xml")

Entries = tuple[tuple[str, str], ...]  # (absolute loc, lastmod or "") per URL


def page_url(dest: str) -> str:
    """Output file -> the URL it is served at: stories/a/index.html -> /stories/a/."""
    if dest == "index.html":
        return "/"
    if dest.endswith("/index.html"):
        return "/" + dest[: -len("index.html")]
    return "/" + dest


def sitemap_entries(site: Site, plans: Iterable) -> Entries:
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


def part_dest(number: int) -> str:
    return f"sitemap-{number}.xml"


def is_sitemap_file(dest: str) -> bool:
    """sitemap.xml or one of the parts an index names."""
    return dest == SITEMAP_DEST or _PART_NAME.fullmatch(dest) is not None


def sitemap_files(site: Site, entries: Entries) -> list[tuple[str, str, int, tuple]]:
    """(output path, kind, number, inputs) of every sitemap file: the single urlset when
    all entries fit one file, else the index followed by its parts. Each file's inputs
    are exactly what its bytes show, so a changed date re-renders only the files listing it."""
    parts = split_entries(entries)
    if len(parts) == 1:
        return [(SITEMAP_DEST, "sitemap", 1, entries)]
    listed = tuple((site.config.absolute_url("/" + part_dest(n)), _newest(part)) for n, part in enumerate(parts, 1))
    return [(SITEMAP_DEST, "sitemap_index", 1, listed)] + [
        (part_dest(n), "sitemap_part", n, part) for n, part in enumerate(parts, 1)]


def split_entries(entries: Entries) -> list[Entries]:
    """Consecutive runs of entries, each within MAX_URLS and MAX_BYTES as rendered; one
    run (maybe empty) when everything fits. An entry too big for any file alone (only
    when a test makes MAX_BYTES tiny: a loc is at most 2,048 characters) gets a file alone."""
    frame = len(_open("urlset")) + len(_close("urlset"))
    parts: list[Entries] = []
    start, size = 0, frame
    for i, (loc, lastmod) in enumerate(entries):
        length = len(_item("url", loc, lastmod))
        if i > start and (i - start == MAX_URLS or size + length > MAX_BYTES):
            parts.append(entries[start:i])
            start, size = i, frame
        size += length
    parts.append(entries[start:])
    return parts


def render_sitemap(entries: Entries) -> bytes:
    return _render("urlset", "url", entries)


def render_sitemap_index(parts: Entries) -> bytes:  # (absolute loc, newest lastmod or "") per part
    return _render("sitemapindex", "sitemap", parts)


# The text ElementTree wrote with ET.indent(space="  ") (sitemaps of earlier versions),
# byte for byte, written directly so that split_entries can measure one entry at a time.
def _render(root: str, item: str, entries: Entries) -> bytes:
    if not entries:
        return XML_DECLARATION + f'<{root} xmlns="{SITEMAP_NS}" />\n'.encode("utf-8")
    return _open(root) + b"".join(_item(item, loc, lastmod) for loc, lastmod in entries) + _close(root)


def _open(root: str) -> bytes:
    return XML_DECLARATION + f'<{root} xmlns="{SITEMAP_NS}">\n'.encode("utf-8")


def _close(root: str) -> bytes:
    return f"</{root}>\n".encode("utf-8")


def _item(item: str, loc: str, lastmod: str) -> bytes:
    dated = f"    <lastmod>{_escape(lastmod)}</lastmod>\n" if lastmod else ""
    return f"  <{item}>\n    <loc>{_escape(loc)}</loc>\n{dated}  </{item}>\n".encode("utf-8")


def _newest(entries: Entries) -> str:
    """The latest lastmod, compared as instants: dates keep their authors' UTC offsets."""
    dated = [lastmod for _, lastmod in entries if lastmod]
    return max(dated, key=datetime.fromisoformat, default="")


def render_robots(site: Site) -> bytes:
    title = " ".join(site.config.title.split())  # one line, whatever the config holds
    return (f"# {title}: every page may be crawled.\n"
            "User-agent: *\nAllow: /\n\n"
            f"Sitemap: {site.config.absolute_url(SITEMAP_PATH)}\n").encode("utf-8")


def _w3c(when: datetime | None) -> str:
    return when.isoformat().replace("+00:00", "Z") if when else ""


def _escape(text: str) -> str:
    """XML text: &, < and > escaped, as xml.sax.saxutils.escape does (that module imports
    urllib.request, 20 ms of every start)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
