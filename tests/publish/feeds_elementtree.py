"""The feeds as sitegen wrote them with ElementTree (sitegen/feeds.py before it wrote them as
text), kept as the reference the text version must match byte for byte. Only the XML and
the link rewriting are here; what goes into a feed comes from sitegen.feeds as it is."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

from sitegen import __version__
from sitegen.feeds import (_ALREADY_ABSOLUTE, _FROM_ROOT, _URL_ATTR, ATOM_NS, ATOM_TYPE, EMPTY_FEED_UPDATED, SITE_FEED,
                           XML_DECLARATION, _instant, _join, _tag_name, entry_id, feed_stories, tag_feed_url, xml_text)
from sitegen.model import Site, Story
from sitegen.views import disclosure, iso


def absolute_links(fragment: str, base: str) -> str:
    root = urljoin(base, "/")

    def fix(match: re.Match) -> str:
        target = html.unescape(match.group(3))
        if not _ALREADY_ABSOLUTE.match(target):
            target = _join(root if _FROM_ROOT.match(target) else base, target)
        return f"{match.group(1)}{match.group(2)}{html.escape(target, quote=True)}{match.group(2)}"

    return _URL_ATTR.sub(fix, fragment)


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
    for story in stories:
        feed.append(entry_element(site, story))
    ET.indent(feed, space="  ")
    return XML_DECLARATION + ET.tostring(feed, encoding="unicode").encode("utf-8") + b"\n"


def entry_element(site: Site, story: Story) -> ET.Element:
    config = site.config
    url = config.absolute_url(story.url)
    entry = ET.Element("entry")
    _text(entry, "id", entry_id(url, story))
    _text(entry, "title", story.title)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    _text(entry, "published", iso(story.date))
    _text(entry, "updated", iso(story.modified))
    for name in story.authors or (config.site_publisher,):
        _text(ET.SubElement(entry, "author"), "name", name)
    for tag in story.tags:
        ET.SubElement(entry, "category", {"term": tag.slug, "label": xml_text(_tag_name(site, tag.slug, tag.name)),
                                          "scheme": config.absolute_url("/tags/")})
    _text(entry, "summary", story.dek).set("type", "text")
    if config.feed_full_content:
        body = absolute_links(story.html, url)
        note = disclosure(story, config.site_publisher)
        if note:
            body += f'\n<p><em>{html.escape(note)}</em> <a href="{html.escape(url)}#methodology">How this story was made</a></p>'
        _text(entry, "content", body).set("type", "html")
    return entry


def _text(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = xml_text(text)
    return element
