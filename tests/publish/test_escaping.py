"""A title built to break out of HTML, attributes, JSON-LD and XML arrives everywhere as text."""

from __future__ import annotations

import json

import feedparser
import lxml.etree as etree
import yaml
from publishing import BASE, HOSTILE, build_into, files, tree

DEK = 'A dek with "double" and \'single\' quotes & </script> too'


def hostile_story() -> str:
    front = {"title": HOSTILE, "dek": DEK, "date": "2026-03-01", "tags": [HOSTILE, "AI Act"],
             "authors": [HOSTILE], "aliases": ["/old/hostile/"],
             "faq": [{"q": HOSTILE, "a": "An answer."}],
             "sources": [{"id": "src", "title": HOSTILE, "url": "https://example.org/a?b=1&c=2"}],
             "methodology": {"generated": "assisted", "human_review": True, "note": HOSTILE}}
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n## Part\n\nText.[^src]\n"


def test_hostile_title_is_text_in_html_attributes_json_ld_and_feeds(make_site):
    root = make_site({"content/stories/x.md": hostile_story()})
    _, out = build_into(root)
    for rel in files(out):
        if rel.endswith(".html"):  # quoted attribute values may hold a bare '<' (the minifier's choice): parse
            page = tree(out, rel)
            assert [s.get("type") for s in page.xpath("//script")] in ([], ["application/ld+json"]), rel
            assert not page.xpath("//b"), rel
        elif not rel.startswith("static/"):
            assert b"<script>" not in (out / rel).read_bytes(), rel

    page = tree(out, "stories/x/index.html")
    assert page.xpath("//h1")[0].text_content() == HOSTILE
    assert HOSTILE in page.xpath("//title")[0].text_content()
    assert page.xpath("//meta[@property='og:title']/@content") == [HOSTILE]
    assert page.xpath("//meta[@name='twitter:title']/@content") == [HOSTILE]
    assert page.xpath("//meta[@property='og:description']/@content") == [DEK]
    assert HOSTILE in page.xpath("//meta[@property='article:tag']/@content")
    scripts = page.xpath("//script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert "</" not in scripts[0].text
    data = json.loads(scripts[0].text)["@graph"]
    assert data[0]["headline"] == HOSTILE and data[0]["description"] == DEK
    assert data[0]["author"][0]["name"] == HOSTILE and data[0]["citation"][0]["name"] == HOSTILE
    assert data[1]["mainEntity"][0]["name"] == HOSTILE
    assert data[2]["itemListElement"][-1]["name"] == HOSTILE

    for rel in ("feed.xml", "tags/ai-act/feed.xml"):
        parsed = feedparser.parse((out / rel).read_bytes())
        assert not parsed.bozo and parsed.entries[0].title == HOSTILE
        assert parsed.entries[0].summary == DEK
        assert HOSTILE in [a.name for a in parsed.entries[0].authors]
        assert HOSTILE in [t.label for t in parsed.entries[0].tags]
        xml = etree.fromstring((out / rel).read_bytes())
        assert xml.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title") == HOSTILE

    stub = tree(out, "old/hostile/index.html")
    assert HOSTILE in stub.xpath("//title")[0].text_content() and stub.xpath("//a")[0].text_content() == HOSTILE
    assert not stub.xpath("//script")
    etree.parse(str(out / "sitemap.xml"))
    assert BASE + "stories/x/" in (out / "sitemap.xml").read_text(encoding="utf-8")
