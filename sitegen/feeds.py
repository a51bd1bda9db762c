"""Atom 1.0 feeds (RFC 4287): /feed.xml for the whole site, /tags/<tag>/feed.xml per tag.

Written as text, byte for byte what ElementTree wrote when it built them (tests keep that
version to compare against): every piece of front-matter text is escaped as XML, after
the characters XML 1.0 cannot carry at all are dropped. Every URL is absolute (feed readers
have no page to resolve relative links against), and drafts stay out even when --drafts
shows them on the site: a feed reader keeps whatever it fetched once."""

from __future__ import annotations

import functools
import html
import re
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
    pieces: list[str] = []
    end = 0
    # What _URL_ATTR.sub(fix, fragment) makes, found faster: every match has an '=' right
    # before a quote, which a plain search finds ten times faster than the pattern can be
    # tried at every character. The pattern is tried where it could start before such an
    # '=' (' href=' or ' src='), left to right and never inside an earlier match, as sub does.
    for equals in _EQUALS_QUOTE.finditer(fragment):
        at = equals.start()
        if fragment[at - 1] not in _LAST_LETTERS:  # class=, id=, ...
            continue
        for start in (at - 5, at - 4):
            match = _URL_ATTR.match(fragment, start) if start >= end else None
            if match is not None:
                pieces.append(fragment[end:start])
                pieces.append(_fixed_url(match, base, root))
                end = match.end()
                break
    if not pieces:
        return fragment
    pieces.append(fragment[end:])
    return "".join(pieces)


def _fixed_url(match: re.Match, base: str, root: str) -> str:
    target = html.unescape(match.group(3))
    if _ALREADY_ABSOLUTE.match(target):
        pass
    elif target[:1] == "#" and not _DROPPED_BY_URLSPLIT.search(target) and _page_url(base) is not None:
        # A footnote's or heading's #fragment: the page's own URL and it, without a join
        # per link (they are most links of a story, and each page has its own).
        target = _page_url(base) + target if target != "#" else _page_url(base)
    else:
        # A URL with a host, or a path from the root, resolves the same against any page of
        # the site, so it is joined (and remembered) against the site's root.
        target = _join(root if _FROM_ROOT.match(target) else base, target)
    return f"{match.group(1)}{match.group(2)}{html.escape(target, quote=True)}{match.group(2)}"


_DROPPED_BY_URLSPLIT = re.compile("[\t\r\n]")  # removed anywhere in a URL before it is split


@functools.lru_cache(maxsize=4096)
def _page_url(base: str) -> str | None:
    """What urljoin(base, "#") gives, when urljoin(base, "#" + f) is that and "#" + f for
    every fragment f that urlsplit keeps as written: then the fragment never changes how
    the base is read. That holds for every base urljoin resolves fragments against, which
    one fragment shows; for any other base (no scheme, or one urljoin leaves alone), None."""
    try:
        bare = urljoin(base, "#")
        return bare if urljoin(base, "#f") == bare + "#f" else None
    except ValueError:
        return None


_EQUALS_QUOTE = re.compile("=[\"']")
_LAST_LETTERS = "fFcC"  # of href and src, in every case _URL_ATTR matches (no other letter folds to f or c)


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
    head = [
        _start("feed", ("xmlns", ATOM_NS), ("xml:lang", xml_text(config.language))),
        _element("id", config.absolute_url(self_path)),
        _element("title", title),
    ]
    if config.description:
        head.append(_element("subtitle", config.description))
    head += [
        _element("updated", max((iso(s.modified) for s in stories), default=EMPTY_FEED_UPDATED, key=_instant)),
        _empty("link", ("rel", "self"), ("type", ATOM_TYPE), ("href", config.absolute_url(self_path))),
        _empty("link", ("rel", "alternate"), ("type", "text/html"), ("href", config.absolute_url(page_path))),
        _parent("author", 1, _element("name", config.site_publisher), _element("uri", config.base_url)),
        _element("generator", "sitegen", ("version", __version__)),
    ]
    # Indented as ElementTree's indent() does: a child per line, two spaces a level. The
    # entries are most of the bytes (a tag's feed is mostly other feeds' entries), so they
    # are copied once, into the feed.
    parts = [XML_DECLARATION, "\n  ".join(head).encode("utf-8")]
    for story in stories:
        parts += (b"\n  ", entry_xml(site, story))
    parts.append(b"\n</feed>\n")
    return b"".join(parts)


_ENTRY_MEMO: dict[tuple, bytes] = {}  # what entry_xml made, by everything an entry depends on
# One worker makes every feed (build.py), and 400 tags' feeds of 20 entries show some 4,700
# stories at 10,000 stories: room for all, about 12 KB each, so none is made twice.
_ENTRY_MEMO_SIZE = 8192


def entry_xml(site: Site, story: Story) -> bytes:
    """One story's <entry>, indented for its place in a feed, as UTF-8. A story sits in
    the site feed and in each of its tags' feeds, so each entry is made once (per
    process) and reused. Its key is all it depends on: the config, the source file (a
    story is a function of its path and bytes, as in the parse cache) and the display
    names of its tags, which other stories' spelling can change."""
    key = (site.config, story.rel_path, story.digest, tuple(_tag_name(site, t.slug, t.name) for t in story.tags))
    made = _ENTRY_MEMO.get(key)
    if made is None:
        if len(_ENTRY_MEMO) >= _ENTRY_MEMO_SIZE:
            _ENTRY_MEMO.clear()
        made = _ENTRY_MEMO[key] = _entry(site, story).encode("utf-8")
    return made


def _entry(site: Site, story: Story) -> str:
    config = site.config
    url = config.absolute_url(story.url)
    children = [
        _element("id", entry_id(url, story)),
        _element("title", story.title),
        _empty("link", ("rel", "alternate"), ("type", "text/html"), ("href", url)),
        _element("published", iso(story.date)),
        _element("updated", iso(story.modified)),
    ]
    # The byline is the responsible desk or person; without one, the publisher answers for it.
    for name in story.authors or (config.site_publisher,):
        children.append(_parent("author", 2, _element("name", name)))
    scheme = config.absolute_url("/tags/")
    for tag in story.tags:
        children.append(_empty("category", ("term", tag.slug), ("label", xml_text(_tag_name(site, tag.slug, tag.name))),
                               ("scheme", scheme)))
    children.append(_element("summary", story.dek, ("type", "text")))
    if config.feed_full_content:
        body = absolute_links(story.html, url)
        note = disclosure(story, config.site_publisher)
        if note:  # readers in a feed reader must learn how the story was made too
            body += f'\n<p><em>{html.escape(note)}</em> <a href="{html.escape(url)}#methodology">How this story was made</a></p>'
        children.append(_element("content", body, ("type", "html")))
    return _parent("entry", 1, *children)


def entry_id(url: str, story: Story) -> str:
    """A tag: URI (RFC 4151) from the story's host, first publication date and path: it
    survives a move between http and https and never changes when the story is updated."""
    parts = urlsplit(url)
    return f"tag:{parts.hostname or 'localhost'},{story.date.date().isoformat()}:{parts.path}"


def _tag_name(site: Site, slug: str, fallback: str) -> str:
    listing = site.tag_by_slug.get(slug)
    return listing.tag.name if listing else fallback


# XML as ElementTree writes it: text escapes &, < and >; attribute values also escape the
# double quote they sit in, and tab, newline and return as character references, which
# an XML parser would otherwise read back as spaces. str.replace, which finds nothing to
# replace fastest, because a story body is long and has none of them, usually.
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE_ESCAPES = _TEXT_ESCAPES + (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _escaped(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for char, reference in escapes:
        if char in text:
            text = text.replace(char, reference)
    return text


def _start(name: str, *attributes: tuple[str, str]) -> str:
    return "<" + name + "".join(f' {key}="{_escaped(value, _ATTRIBUTE_ESCAPES)}"' for key, value in attributes) + ">"


def _element(name: str, text: str, *attributes: tuple[str, str]) -> str:
    """An element holding text, with the characters XML cannot carry dropped; an empty
    one closes itself."""
    text = xml_text(text)
    if not text:
        return _empty(name, *attributes)
    return _start(name, *attributes) + _escaped(text, _TEXT_ESCAPES) + "</" + name + ">"


def _empty(name: str, *attributes: tuple[str, str]) -> str:
    return _start(name, *attributes)[:-1] + " />"


def _parent(name: str, level: int, *children: str) -> str:
    """An element of child elements, one per line, indented for its level in the feed."""
    inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
    return "<" + name + ">" + inner + inner.join(children) + outer + "</" + name + ">"


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
