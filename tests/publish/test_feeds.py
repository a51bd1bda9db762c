"""Atom feeds: valid for feed readers, absolute everywhere, newest first, never a draft."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from urllib.parse import urljoin

import feedparser
import lxml.etree as etree
import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import story_text
from publishing import BASE, build_into, tree

from sitegen import feeds
from sitegen.feeds import xml_text

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
METHOD = "methodology:\n  generated: autonomous\n  human_review: false\n  source_count: 3\n"
BODY = ("## Part\n\nSee [the about page](/about/), [a sibling](story:older), [the tag](tag:ai-act), "
        "[a relative one](../older/) and [outside](https://example.com/x?a=1&b=2).\n\n"
        "![a chart](/static/chart.png)\n\nA claim.[^1]\n\n[^1]: A note.\n")


@pytest.fixture
def site(make_site):
    return make_site({
        "content/stories/newest.md": story_text("Newest", date="2026-05-03", tags="[AI Act, Audits]",
                                                extra="authors: [Brussels Desk, Ada Lovelace]\nupdated: 2026-05-04T10:30:00+02:00\n" + METHOD, body=BODY),
        "content/stories/older.md": story_text("Older", date="2026-05-02", tags="[AI Act]"),
        "content/stories/oldest.md": story_text("Oldest", date="2026-05-01T08:00:00Z", tags="[Audits]"),
        "content/stories/draft.md": story_text("Secret draft", date="2026-05-02", tags="[AI Act]", extra="draft: true\n"),
        "content/stories/future.md": story_text("From the future", date="2026-12-01", tags="[AI Act]"),
        "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "static/chart.png": b"\x89PNG\r\n\x1a\n",
        "pyproject.toml": '[tool.sitegen]\ntitle = "Test News"\ndescription = "Test description."\n',
    })


def parse(out, rel="feed.xml"):
    raw = (out / rel).read_bytes()
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, etree.fromstring(raw)


def test_site_feed_is_valid_atom_with_every_required_element(site):
    _, out = build_into(site, now=NOW)
    parsed, root = parse(out)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{name}") is not None, name
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Test News"
    links = {link.get("rel"): link for link in root.findall(f"{ATOM}link")}
    assert links["self"].get("href") == BASE + "feed.xml" and links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == BASE
    assert RFC3339.match(root.find(f"{ATOM}updated").text)
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated", "published", "content", "summary", "author"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert RFC3339.match(entry.find(f"{ATOM}updated").text) and RFC3339.match(entry.find(f"{ATOM}published").text)
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith(BASE + "stories/")
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    # The feed's updated is its newest entry's, and entries come newest first.
    assert [e.title for e in parsed.entries] == ["Newest", "Older", "Oldest"]
    assert parsed.feed.updated == "2026-05-04T10:30:00+02:00"


def test_drafts_and_future_stories_stay_out_even_when_the_site_shows_drafts(site):
    _, out = build_into(site, now=NOW, drafts=True)
    assert (out / "stories/draft/index.html").is_file(), "--drafts writes the draft's page"
    for rel in ("feed.xml", "tags/ai-act/feed.xml"):
        text = (out / rel).read_text(encoding="utf-8")
        assert "Secret draft" not in text and "From the future" not in text and "/stories/draft/" not in text


def test_entry_ids_are_permanent_tag_uris_and_dates_keep_their_zone(site):
    _, out = build_into(site, now=NOW)
    parsed, _ = parse(out)
    newest = parsed.entries[0]
    assert newest.id == "tag:news.example.org,2026-05-03:/stories/newest/"
    assert newest.updated == "2026-05-04T10:30:00+02:00"
    assert [a.name for a in newest.authors] == ["Brussels Desk", "Ada Lovelace"]
    assert [t.term for t in newest.tags] == ["ai-act", "audits"] and newest.tags[0].label == "AI Act"
    # A new base URL with another scheme keeps every id.
    _, other = build_into(site, site / "other", base_url="http://news.example.org/", now=NOW)
    assert parse(other)[0].entries[0].id == newest.id


def test_every_link_in_the_feed_is_absolute(site):
    _, out = build_into(site, now=NOW)
    parsed, root = parse(out)
    for link in root.iter(f"{ATOM}link"):
        assert link.get("href").startswith(BASE)
    content = parsed.entries[0].content[0].value
    fragment = lxml.html.fragment_fromstring(content, create_parent="div")
    refs = fragment.xpath("//@href | //@src")
    assert len(refs) >= 7
    for ref in refs:
        assert ref.startswith(("https://", "http://")), ref
    assert BASE + "about/" in refs and BASE + "stories/older/" in refs and BASE + "tags/ai-act/" in refs
    assert BASE + "static/chart.png" in refs and "https://example.com/x?a=1&b=2" in refs
    assert any(r.startswith(BASE + "stories/newest/#fn") for r in refs), "footnote anchors point into the story"


def test_full_content_carries_the_disclosure_and_summary_mode_only_the_dek(site):
    _, out = build_into(site, now=NOW)
    entry = parse(out)[0].entries[0]
    assert entry.summary == "Why it matters."
    assert "No person reviewed it before publication" in entry.content[0].value
    (site / "pyproject.toml").write_text('[tool.sitegen]\ntitle = "Test News"\nfeed_full_content = false\n')
    _, out = build_into(site, now=NOW)
    parsed, root = parse(out)
    assert root.find(f"{ATOM}entry/{ATOM}content") is None
    assert parsed.entries[0].summary == "Why it matters."
    assert parsed.entries[0].link == BASE + "stories/newest/"


def test_feed_entries_limits_each_feed(site):
    (site / "pyproject.toml").write_text('[tool.sitegen]\nfeed_entries = 2\n')
    _, out = build_into(site, now=NOW)
    assert [e.title for e in parse(out)[0].entries] == ["Newest", "Older"]
    assert [e.title for e in parse(out, "tags/audits/feed.xml")[0].entries] == ["Newest", "Oldest"]


def test_each_tag_has_its_own_feed(site):
    _, out = build_into(site, now=NOW)
    parsed, root = parse(out, "tags/ai-act/feed.xml")
    assert parsed.feed.title == "Test News: AI Act"
    assert [e.title for e in parsed.entries] == ["Newest", "Older"]
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": BASE + "tags/ai-act/feed.xml", "alternate": BASE + "tags/ai-act/"}
    assert sorted(p.parent.name for p in (out / "tags").glob("*/feed.xml")) == ["ai-act", "audits"]


def test_pages_link_to_the_site_feed_and_tag_pages_to_their_own(site):
    _, out = build_into(site, now=NOW)
    feed = "//link[@rel='alternate'][@type='application/atom+xml']/@href"
    for rel in ("index.html", "stories/newest/index.html", "tags/index.html", "about/index.html", "404.html"):
        assert tree(out, rel).xpath(feed) == [BASE + "feed.xml"], rel
    assert tree(out, "tags/ai-act/index.html").xpath(feed) == [BASE + "feed.xml", BASE + "tags/ai-act/feed.xml"]


def test_text_xml_cannot_carry_is_dropped_and_markup_is_escaped(make_site):
    root = make_site({
        "content/stories/a.md": story_text("Ends ]]> here & <there>", tags="[AI Act]"),
        "pyproject.toml": '[tool.sitegen]\ntitle = "Bell\\u0007 and \\ufffe site ]]>"\n',
    })
    _, out = build_into(root)
    parsed, xml = parse(out)
    assert parsed.feed.title == "Bell and  site ]]>"
    assert parsed.entries[0].title == "Ends ]]> here & <there>"
    assert xml_text("a\x00b\x1fc\td\ud800e\uffff") == "abc\tde"


BASES = ["https://ex.org/stories/a/", "http://ex.org/x/y", "https://ex.org/", "https://ex.org/a/b/c?q=1#f",
         "http://localhost:8000/stories/b/"]
TARGETS = ["/x/../y", "/", "//", "///x", "//other.org/p", "https://o.org/a/../b", "HTTP://o.org", "http://o.org/?",
           "mailto:a@b", "x", "../x", "#f", "?q", "", "/a?b#c", "tel:+1", "https:relative", "http:x", "https:/x",
           "ftp://h/../a", "https://", "http://[::1]/a", "/stories/a/#s", "a:b//c"]


@pytest.mark.parametrize("base", BASES)
def test_links_in_feed_content_resolve_exactly_as_urljoin(base):
    # Joins against the site root are shared between stories; they must equal the join
    # against the story's own URL.
    for target in TARGETS:
        expected = f'<a href="{html.escape(urljoin(base, target), quote=True)}">'
        assert feeds.absolute_links(f'<a href="{target}">', base) == expected, target


@settings(max_examples=2000, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "//", "/", ""]),
       st.text(st.sampled_from(list("ab.:/?#;%@[] \\-_~")), max_size=16))
def test_absolute_links_equal_urljoin_for_generated_urls(prefix, rest):
    base = "https://ex.org/stories/a/"
    target = prefix + rest
    try:
        joined = urljoin(base, html.unescape(target))
    except ValueError:  # a broken IPv6 host: left as written
        joined = html.unescape(target)
    expected = f'<a href="{html.escape(joined, quote=True)}">'
    assert feeds.absolute_links(f'<a href="{html.escape(target, quote=True)}">', base) == expected
