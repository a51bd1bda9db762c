"""Atom 1.0 feeds (RFC 4287): /feed.xml for the whole site, /tags/<tag>/feed.xml per tag.

Built with ElementTree, so every piece of front-matter text is escaped; characters XML 1.0
cannot carry at all are dropped first. Every URL is absolute (feed readers have no page to
resolve relative links against), and drafts stay out even when --drafts shows them on the
site: a feed reader keeps whatever it fetched once."""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from itertools import islice
from urllib.parse import urljoin, urlsplit

from . import __version__
from .model import Site, Story
from .views import disclosure, iso

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
SITE_FEED = "/feed.xml"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
# Atom requires <updated>; a feed with no entries gets a fixed date so builds stay identical.
EMPTY_FEED_UPDATED = "1970-01-01T00:00:00Z"
# Everything XML 1.0 forbids: C0 controls but tab, newline and return; lone surrogates; U+FFFE/FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_URL_ATTR = re.compile(r"""(\s(?:href|src)=)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def tag_feed_url(tag_slug: str) -> str:
    return f"/tags/{tag_slug}/feed.xml"


def feed_stories(site: Site, tag_slug: str = "") -> list[Story]:
    """Newest first, at most feed_entries, never a draft."""
    stories = (site.by_slug[slug] for slug in site.tag_by_slug[tag_slug].stories) if tag_slug else iter(site.stories)
    return list(islice((story for story in stories if not story.draft), site.config.feed_entries))


def feed_inputs(site: Site, tag_slug: str = "") -> tuple:
    """What the feed's bytes depend on besides config: each entry's source and the display
    names of its tags, which other stories' spelling can change."""
    name = site.tag_by_slug[tag_slug].tag.name if tag_slug else ""
    entries = tuple((s.slug, s.digest, tuple(_tag_name(site, t.slug, t.name) for t in s.tags)) for s in feed_stories(site, tag_slug))
    return (name, entries)


@functools.lru_cache(maxsize=4096)
def absolute_links(fragment: str, base: str) -> str:
    """Resolve every href/src in an HTML fragment against the page's absolute URL.
    Remembered: one story's body appears in the site feed and in each of its tags' feeds."""
    root = urljoin(base, "/")

    def fix(match: re.Match) -> str:
        target = html.unescape(match.group(3))
        # A URL with a host, or a path from the root, resolves the same against any page of
        # the site, so it is joined (and remembered) against the site's root.
        if not _ALREADY_ABSOLUTE.match(target):
            target = _join(root if _FROM_ROOT.match(target) else base, target)
        return f"{match.group(1)}{match.group(2)}{html.escape(target, quote=True)}{match.group(2)}"

    return _URL_ATTR.sub(fix, fragment)


# http(s)://host/path with no query, fragment or parameters: urljoin gives it back as it is.
_ALREADY_ABSOLUTE = re.compile(r"https?://[^/?#;\\\s]+(?:/[^?#;\\\s]*)?\Z")
_FROM_ROOT = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#]|/(?!/)")  # scheme://host, //host or /path


@functools.lru_cache(maxsize=16384)
def _join(base: str, target: str) -> str:
    try:
        return urljoin(base, target)
    except ValueError:  # e.g. "http://[" (a broken IPv6 host): left as written, like in the page
        return target


def render_feed(site: Site, tag_slug: str = "") -> bytes:
    config = site.config
    stories = feed_stories(site, tag_slug)
    if tag_slug:
        name = site.tag_by_slug[tag_slug].tag.name
        title, self_path, page_path = f"{config.title}: {name}", tag_feed_url(tag_slug), f"/tags/{tag_slug}/"
    else:
        title, self_path, page_path = config.title, SITE_FEED, "/"
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": xml_text(config.language)})
    _text(feed, "id", config.absolute_url(self_path))
    _text(feed, "title", title)
    if config.description:
        _text(feed, "subtitle", config.description)
    _text(feed, "updated", max((iso(s.modified) for s in stories), default=EMPTY_FEED_UPDATED, key=_instant))
    ET.SubElement(feed, "link", {"rel": "self", "type": ATOM_TYPE, "href": config.absolute_url(self_path)})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": config.absolute_url(page_path)})
    author = ET.SubElement(feed, "author")
    _text(author, "name", config.site_publisher)
    _text(author, "uri", config.base_url)
    _text(feed, "generator", "sitegen").set("version", __version__)
    ET.indent(feed, space="  ")
    head = ET.tostring(feed, encoding="unicode")
    # What ET.indent and ET.tostring would make of the whole feed, entries included: each
    # entry on its own line after the head's elements, indented one level.
    assert head.endswith(_FEED_END)
    entries = "".join("\n  " + entry_xml(site, story) for story in stories)
    return XML_DECLARATION + (head[:-len(_FEED_END)] + entries + _FEED_END).encode("utf-8") + b"\n"


_FEED_END = "\n</feed>"
_ENTRY_MEMO: dict[tuple, str] = {}  # what entry_xml made, by everything an entry depends on
_ENTRY_MEMO_SIZE = 4096


def entry_xml(site: Site, story: Story) -> str:
    """One story's <entry>, serialised and indented for its place in a feed. A story sits
    in the site feed and in each of its tags' feeds, so each entry is made once (per
    process) and reused. Its key is all it depends on: the config, the source file (a
    story is a function of its path and bytes, as in the parse cache) and the display
    names of its tags, which other stories' spelling can change."""
    key = (site.config, story.rel_path, story.digest, tuple(_tag_name(site, t.slug, t.name) for t in story.tags))
    made = _ENTRY_MEMO.get(key)
    if made is None:
        if len(_ENTRY_MEMO) >= _ENTRY_MEMO_SIZE:
            _ENTRY_MEMO.clear()
        entry = _entry(site, story)
        ET.indent(entry, space="  ", level=1)
        made = _ENTRY_MEMO[key] = ET.tostring(entry, encoding="unicode")
    return made


def _entry(site: Site, story: Story) -> ET.Element:
    config = site.config
    url = config.absolute_url(story.url)
    entry = ET.Element("entry")
    _text(entry, "id", entry_id(url, story))
    _text(entry, "title", story.title)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    _text(entry, "published", iso(story.date))
    _text(entry, "updated", iso(story.modified))
    # The byline is the responsible desk or person; without one, the publisher answers for it.
    for name in story.authors or (config.site_publisher,):
        _text(ET.SubElement(entry, "author"), "name", name)
    for tag in story.tags:
        ET.SubElement(entry, "category", {"term": tag.slug, "label": xml_text(_tag_name(site, tag.slug, tag.name)),
                                          "scheme": config.absolute_url("/tags/")})
    _text(entry, "summary", story.dek).set("type", "text")
    if config.feed_full_content:
        body = absolute_links(story.html, url)
        note = disclosure(story, config.site_publisher)
        if note:  # readers in a feed reader must learn how the story was made too
            body += f'\n<p><em>{html.escape(note)}</em> <a href="{html.escape(url)}#methodology">How this story was made</a></p>'
        _text(entry, "content", body).set("type", "html")
    return entry


def entry_id(url: str, story: Story) -> str:
    """A tag: URI (RFC 4151) from the story's host, first publication date and path: it
    survives a move between http and https and never changes when the story is updated."""
    parts = urlsplit(url)
    return f"tag:{parts.hostname or 'localhost'},{story.date.date().isoformat()}:{parts.path}"


def _tag_name(site: Site, slug: str, fallback: str) -> str:
    listing = site.tag_by_slug.get(slug)
    return listing.tag.name if listing else fallback


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = xml_text(text)
    return element


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
