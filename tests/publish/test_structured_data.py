"""JSON-LD on story pages: one @graph of NewsArticle, FAQPage and BreadcrumbList, complete."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import story_text
from publishing import BASE, REPO, build_into, local_target, tree

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SAMPLE_BASE = "https://policy-circuit.example.org/"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")  # with a time zone, as Google asks


def blocks(out: Path, rel: str) -> list:
    scripts = tree(out, rel).xpath("//script")
    assert all(s.get("type") == "application/ld+json" for s in scripts), "no script but JSON-LD data"
    return [json.loads(s.text) for s in scripts]


def graph(out: Path, rel: str) -> dict:
    found = blocks(out, rel)
    assert len(found) == 1
    assert found[0]["@context"] == "https://schema.org"
    nodes = {}
    for node in found[0]["@graph"]:
        assert node["@type"] not in nodes
        nodes[node["@type"]] = node
    return nodes


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "public"
    build_into(REPO, out, base_url=None)
    return out


def sample_stories() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((REPO / "content" / "stories").rglob("*.md")):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        if not front.get("draft"):
            found.append((front.get("slug") or path.stem, front))
    return found


def test_every_json_ld_block_of_the_sample_site_parses(sample):
    pages = [p.relative_to(sample).as_posix() for p in sample.rglob("*.html")]
    parsed = sum(len(blocks(sample, rel)) for rel in pages)
    assert parsed >= len(sample_stories())


@pytest.mark.parametrize("slug,front", sample_stories(), ids=[slug for slug, _ in sample_stories()])
def test_each_sample_story_has_a_complete_graph(sample, slug, front):
    nodes = graph(sample, f"stories/{slug}/index.html")
    url = f"{SAMPLE_BASE}stories/{slug}/"
    article = nodes["NewsArticle"]
    assert article["headline"] == front["title"] and article["description"] == front["dek"]
    assert article["url"] == url and article["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert article["isAccessibleForFree"] is True
    assert ISO.match(article["datePublished"]) and ISO.match(article["dateModified"])
    if not front.get("updated"):
        assert article["dateModified"] == article["datePublished"]
    for image in article["image"]:
        assert local_target(sample, image.removeprefix(SAMPLE_BASE[:-1])), image
    publisher = article["publisher"]
    assert publisher["@type"] == "Organization" and publisher["name"] == "Policy Circuit"
    assert local_target(sample, publisher["logo"]["url"].removeprefix(SAMPLE_BASE[:-1]))
    assert article["publishingPrinciples"] == SAMPLE_BASE + "ai-policy/" == publisher["publishingPrinciples"]
    authors = article["author"]
    assert [a["name"] for a in authors] == (front.get("authors") or ["Policy Circuit"])
    assert all(a["@type"] in ("Person", "Organization") and "AI" not in a["name"].split() for a in authors)
    sources = front.get("sources") or []
    assert [c["name"] for c in article.get("citation", [])] == [s["title"] for s in sources]
    assert [c.get("url") for c in article.get("citation", [])] == [s.get("url") for s in sources]
    method = front.get("methodology")
    if method:
        assert method.get("note", "") in article["backstory"]
        assert "responsible for it" in article["backstory"]
        expected = {"autonomous": IPTC + "trainedAlgorithmicMedia", "assisted": IPTC + "compositeWithTrainedAlgorithmicMedia"}
        assert article.get("digitalSourceType") == expected.get(method.get("generated"))
    if front.get("faq"):
        questions = nodes["FAQPage"]["mainEntity"]
        assert [q["name"] for q in questions] == [item["q"] for item in front["faq"]]
        assert all(q["@type"] == "Question" and q["acceptedAnswer"]["@type"] == "Answer" and q["acceptedAnswer"]["text"] for q in questions)
    else:
        assert "FAQPage" not in nodes
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
    assert crumbs[0]["item"] == SAMPLE_BASE and crumbs[-1]["name"] == front["title"]
    if front.get("tags"):
        assert len(crumbs) == 3 and crumbs[1]["item"].startswith(SAMPLE_BASE + "tags/")
    for crumb in crumbs:
        assert local_target(sample, crumb["item"].removeprefix(SAMPLE_BASE[:-1]))


def test_bylines_name_people_and_desks_and_fall_back_to_the_publisher(make_site):
    method = "methodology:\n  generated: human\n  human_review: true\n"
    root = make_site({
        "content/stories/a.md": story_text("A", extra=f"authors: [Ada Lovelace, Data Desk]\n{method}"),
        "content/stories/b.md": story_text("B", date="2026-03-02", extra="methodology:\n  generated: autonomous\n  human_review: false\n"),
        "pyproject.toml": '[tool.sitegen]\ntitle = "Site"\npublisher = "Example Media Ltd"\n',
    })
    _, out = build_into(root)
    a = graph(out, "stories/a/index.html")["NewsArticle"]
    assert [(x["@type"], x["name"]) for x in a["author"]] == [("Person", "Ada Lovelace"), ("Organization", "Data Desk")]
    assert "digitalSourceType" not in a, "written by people: no machine source type"
    assert "publishingPrinciples" not in a, "the site has no ai-policy page"
    b = graph(out, "stories/b/index.html")["NewsArticle"]
    assert [(x["@type"], x["name"]) for x in b["author"]] == [("Organization", "Example Media Ltd")]
    assert b["digitalSourceType"] == IPTC + "trainedAlgorithmicMedia"
    assert "Example Media Ltd is responsible for it." in b["backstory"]


def test_non_story_pages_carry_no_structured_data_but_every_page_a_canonical_link(sample):
    for rel in ("index.html", "tags/index.html", "about/index.html"):
        assert blocks(sample, rel) == []
    for path in sample.rglob("*.html"):
        rel = path.relative_to(sample).as_posix()
        canonical = tree(sample, rel).xpath("//link[@rel='canonical']/@href")
        if rel == "404.html":
            assert canonical == [] and tree(sample, rel).xpath("//meta[@name='robots']/@content") == ["noindex"]
        else:
            assert len(canonical) == 1 and canonical[0].startswith(SAMPLE_BASE), rel


def test_sharing_metadata_on_stories_and_defaults_elsewhere(make_site):
    root = make_site({
        "content/stories/a.md": story_text("A title", tags="[AI Act, Audits]", extra="authors: [Data Desk]\nupdated: 2026-03-04T10:00:00Z\n"),
        "pyproject.toml": '[tool.sitegen]\ntitle = "Site"\ndescription = "About the site."\n',
    })
    _, out = build_into(root)
    page = tree(out, "stories/a/index.html")

    def meta(name: str) -> list[str]:
        return page.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")

    assert meta("og:type") == ["article"] and meta("og:title") == ["A title"] and meta("og:description") == ["Why it matters."]
    assert meta("og:url") == [BASE + "stories/a/"] and meta("og:site_name") == ["Site"]
    assert meta("og:image") == [BASE + "static/share.png"] and (out / "static/share.png").is_file()
    assert meta("article:published_time") == ["2026-03-01T00:00:00Z"] and meta("article:modified_time") == ["2026-03-04T10:00:00Z"]
    assert meta("article:tag") == ["AI Act", "Audits"] and meta("article:author") == ["Data Desk"]
    assert meta("twitter:card") == ["summary_large_image"] and meta("twitter:image") == meta("og:image")
    home = tree(out, "index.html")
    assert home.xpath("//meta[@property='og:type']/@content") == ["website"]
    assert home.xpath("//meta[@property='og:url']/@content") == [BASE]
    assert home.xpath("//meta[@property='og:description']/@content") == ["About the site."]
    assert not home.xpath("//meta[starts-with(@property,'article:')]")


def test_a_site_share_image_replaces_the_theme_default(make_site):
    root = make_site({"content/stories/a.md": story_text("A"), "static/share.png": b"\x89PNG site's own"})
    _, out = build_into(root)
    assert (out / "static/share.png").read_bytes() == b"\x89PNG site's own"
    assert (REPO / "static/share.png").read_bytes()[:4] == b"\x89PNG", "the sample site ships its own"
