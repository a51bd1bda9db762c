"""Old addresses redirect (a _redirects rule and a no-script HTML page); listings paginate."""

from __future__ import annotations

import pytest
from conftest import story_text
from publishing import BASE, build_into, tree

from sitegen.build import BuildCache, render_site
from sitegen.config import load_config
from sitegen.model import BuildOptions


@pytest.fixture
def site(make_site):
    stories = {f"content/stories/s{n:02d}.md": story_text(f"Story {n}", date=f"2026-03-{n:02d}", tags="[AI Act]" if n % 2 else "[AI Act, Audits]")
               for n in range(1, 8)}
    return make_site({
        **stories,
        "content/stories/moved.md": story_text("Moved story", date="2026-02-01", tags="[Audits]",
                                               extra="aliases: [/2025/old-url/, /legacy/moved.html, /news/with space/]\n"),
        "pyproject.toml": "[tool.sitegen]\npage_size = 3\n",
    })


def test_each_alias_is_a_forced_301_rule_and_a_stub_page(site):
    _, out = build_into(site)
    rules = [line.split() for line in (out / "_redirects").read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert rules == [["/2025/old-url/", "/stories/moved/", "301!"], ["/legacy/moved.html", "/stories/moved/", "301!"],
                     ["/news/with%20space/", "/stories/moved/", "301!"]]
    for rel in ("2025/old-url/index.html", "legacy/moved.html", "news/with space/index.html"):
        stub = tree(out, rel)
        assert stub.xpath("//link[@rel='canonical']/@href") == [BASE + "stories/moved/"]
        assert stub.xpath("//meta[@http-equiv='refresh']/@content") == ["0; url=/stories/moved/"]
        assert stub.xpath("//meta[@name='robots']/@content") == ["noindex"]
        assert stub.xpath("//a/@href") == ["/stories/moved/"] and not stub.xpath("//script")


def test_a_site_without_aliases_still_writes_an_empty_rules_file(make_site):
    _, out = build_into(make_site({"content/stories/a.md": story_text("A")}))
    assert [line for line in (out / "_redirects").read_text().splitlines() if not line.startswith("#")] == []


def cards(out, rel) -> list[str]:
    return [a.text_content() for a in tree(out, rel).xpath("//div[contains(@class,'card-list')]//h3//a")]


def test_home_and_tag_listings_paginate_with_prev_and_next_links(site):
    _, out = build_into(site)
    assert cards(out, "index.html") == ["Story 7", "Story 6", "Story 5"]
    assert cards(out, "page/2/index.html") == ["Story 4", "Story 3", "Story 2"]
    assert cards(out, "page/3/index.html") == ["Story 1", "Moved story"]
    assert not (out / "page/1").exists() and not (out / "page/4").exists()
    first, middle, last = (tree(out, rel) for rel in ("index.html", "page/2/index.html", "page/3/index.html"))
    assert first.xpath("//a[@rel='prev']") == [] and first.xpath("//a[@rel='next']/@href") == ["/page/2/"]
    assert middle.xpath("//a[@rel='prev']/@href") == ["/"] and middle.xpath("//a[@rel='next']/@href") == ["/page/3/"]
    assert last.xpath("//a[@rel='prev']/@href") == ["/page/2/"] and last.xpath("//a[@rel='next']") == []
    assert middle.xpath("//link[@rel='canonical']/@href") == [BASE + "page/2/"]
    assert middle.xpath("//link[@rel='prev']/@href") == [BASE] and middle.xpath("//link[@rel='next']/@href") == [BASE + "page/3/"]

    # Audits: stories 6, 4, 2 and the moved one -> two pages.
    assert cards(out, "tags/audits/index.html") == ["Story 6", "Story 4", "Story 2"]
    assert cards(out, "tags/audits/page/2/index.html") == ["Moved story"]
    assert not (out / "tags/audits/page/1").exists() and not (out / "tags/audits/page/3").exists()
    tag2 = tree(out, "tags/audits/page/2/index.html")
    assert tag2.xpath("//a[@rel='prev']/@href") == ["/tags/audits/"] and tag2.xpath("//a[@rel='next']") == []
    assert tag2.xpath("//link[@rel='canonical']/@href") == [BASE + "tags/audits/page/2/"]
    assert not tree(out, "tags/audits/index.html").xpath("//a[@rel='prev']")


def test_the_default_page_size_is_twelve(make_site):
    root = make_site({f"content/stories/s{n:02d}.md": story_text(f"Story {n}", date=f"2026-03-{n:02d}") for n in range(1, 14)})
    _, out = build_into(root)
    assert len(cards(out, "index.html")) == 12 and cards(out, "page/2/index.html") == ["Story 1"]


def test_feeds_sitemap_and_redirects_are_cached_like_pages(site):
    config, options, cache = load_config(site), BuildOptions(), BuildCache()
    first = render_site(site, config, options, cache)
    assert {"feed.xml", "sitemap.xml", "robots.txt", "_redirects", "tags/audits/feed.xml"} <= set(first.rendered)
    assert render_site(site, config, options, cache).rendered == []
    path = site / "content/stories/s07.md"
    path.write_text(path.read_text().replace("Text.", "New text."))
    again = render_site(site, config, options, cache)
    assert {"feed.xml", "tags/ai-act/feed.xml"} <= set(again.rendered)
    assert not {"robots.txt", "_redirects", "sitemap.xml", "tags/audits/feed.xml"} & set(again.rendered)
    fresh = {o.dest: o.content for o in render_site(site, config, options).outputs}
    assert {o.dest: o.content for o in again.outputs} == fresh
