"""End to end: build the bundled sample site and read the pages back with an HTML parser."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
import yaml

from conftest import REPO
from sitegen.build import build

STORY = "eu-ai-act-august-milestone"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "public"
    result = build(REPO, out)
    assert [p.format() for p in result.problems] == [], "the sample site must build without warnings"
    return out


@pytest.fixture(scope="module")
def front() -> dict:
    text = (REPO / "content" / "stories" / f"{STORY}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def page(out: Path, rel: str):
    return lxml.html.fromstring((out / rel).read_bytes())


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


def test_every_story_tag_and_page_is_written(built):
    stories = sorted(p.stem for p in (REPO / "content" / "stories").rglob("*.md"))
    assert len(stories) >= 14
    written = {p.parent.name for p in (built / "stories").glob("*/index.html")}
    assert len(written) == len(stories)
    for name in ("index.html", "tags/index.html", "404.html", "about/index.html", "static/css"):
        assert (built / name).exists(), name


def test_story_page_has_every_part_in_order(built, front):
    tree = page(built, f"stories/{STORY}/index.html")
    assert texts(tree, "//h1") == [front["title"]]
    assert texts(tree, "//p[contains(@class,'story__dek')]") == [front["dek"]]
    assert tree.xpath("//time[contains(@class,'story__date')]/@datetime") == ["2026-08-03T07:00:00Z"]
    assert "Updated" in texts(tree, "//*[contains(@class,'story__updated')]")[0]
    assert texts(tree, "//*[contains(@class,'story__authors')]") == ["By " + ", ".join(front["authors"])]
    assert texts(tree, "//ul[contains(@class,'tag-list')]//a") == front["tags"]
    # Body sections, then the four parts in the anatomy's order, each with an h2.
    part_headings = [h for h in texts(tree, "//article//h2") if h in ("The story so far", "Frequently asked", "Continue reading", "Methodology")]
    assert part_headings == ["The story so far", "Frequently asked", "Continue reading", "Methodology"]
    body_h2 = tree.xpath("//div[contains(@class,'story__body')]//h2")
    assert len(body_h2) >= 3 and all(h.get("id") for h in body_h2)


def test_story_so_far_and_timeline(built):
    tree = page(built, f"stories/{STORY}/index.html")
    section = tree.xpath("//section[@id='story-so-far']")[0]
    assert "entered into force" in section.text_content()
    items = section.xpath(".//li[contains(@class,'timeline__item')]")
    assert len(items) == 5
    assert len(section.xpath(".//li[contains(@class,'timeline__item--current')]")) == 1
    assert section.xpath(".//a[@href='/storylines/eu-ai-act-rollout/']")


def test_faq_is_native_details(built, front):
    tree = page(built, f"stories/{STORY}/index.html")
    assert texts(tree, "//section[@id='faq']//details/summary") == [item["q"] for item in front["faq"]]
    assert tree.xpath("//section[@id='faq']//details/div//p")


def test_continue_reading_cards(built, front):
    tree = page(built, f"stories/{STORY}/index.html")
    cards = tree.xpath("//section[@id='continue-reading']//article[contains(@class,'card')]")
    assert len(cards) == 5
    hrefs = [c.xpath(".//h3/a/@href")[0] for c in cards]
    assert hrefs[:2] == [f"/stories/{slug}/" for slug in front["continue_reading"]]
    assert f"/stories/{STORY}/" not in hrefs
    for index, card in enumerate(cards):
        similar = card.xpath(".//*[contains(@class,'card__similar')]")
        assert bool(similar) == (index >= 2), "computed cards say similar, curated ones don't"
        assert card.xpath(".//p[contains(@class,'card__dek')]") and card.xpath(".//time/@datetime")
        assert card.xpath(".//*[contains(@class,'card__why')]//a"), "each card names the shared tags"


def test_methodology_and_sources(built, front):
    tree = page(built, f"stories/{STORY}/index.html")
    section = tree.xpath("//section[@id='methodology']")[0]
    text = " ".join(section.text_content().split())
    assert "from 8 source records" in text
    assert "Reviewed by a person" in text
    assert front["methodology"]["note"] in text
    links = section.xpath(".//ol[contains(@class,'sources')]/li/a/@href")
    assert links == [s["url"] for s in front["sources"]]


def test_json_ld(built, front):
    tree = page(built, f"stories/{STORY}/index.html")
    blocks = [json.loads(s.text) for s in tree.xpath("//script[@type='application/ld+json']")]
    assert len(blocks) == 1
    graph = {node["@type"]: node for node in blocks[0]["@graph"]}
    article = graph["NewsArticle"]
    assert article["headline"] == front["title"]
    assert article["description"] == front["dek"]
    assert article["datePublished"] == "2026-08-03T07:00:00Z"
    assert article["dateModified"] == "2026-08-05T16:40:00Z"
    assert [a["name"] for a in article["author"]] == front["authors"]
    assert article["keywords"] == front["tags"]
    assert [q["name"] for q in graph["FAQPage"]["mainEntity"]] == [item["q"] for item in front["faq"]]


def test_home_page_latest_first(built):
    tree = page(built, "index.html")
    dates = tree.xpath("//div[contains(@class,'card-list')]//time/@datetime")
    assert 1 <= len(dates) <= 12 and dates == sorted(dates, reverse=True)
    for href in tree.xpath("//div[contains(@class,'card-list')]//h3/a/@href"):
        assert (built / href.strip("/") / "index.html").is_file()


def test_tag_page_and_tag_index(built):
    tree = page(built, "tags/eu-ai-act/index.html")
    assert texts(tree, "//h1") == ["EU AI Act"]
    dates = tree.xpath("//div[contains(@class,'card-list')]//time/@datetime")
    assert dates and dates == sorted(dates, reverse=True)
    index = page(built, "tags/index.html")
    rows = {a.text_content(): a.getparent().xpath(".//*[contains(@class,'tag-index__count')]")[0].text_content()
            for a in index.xpath("//ul[contains(@class,'tag-index')]/li/a")}
    assert rows["EU AI Act"] == str(len(dates)) or int(rows["EU AI Act"]) >= len(dates)


def test_pages_are_minified(built):
    html = (built / f"stories/{STORY}/index.html").read_text(encoding="utf-8")
    assert "\n  " not in html and html.startswith("<!doctype html>")
