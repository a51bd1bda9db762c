"""sitemap.xml against the sitemaps.org 0.9 schema, listing exactly the public pages; robots.txt."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import lxml.etree as etree
import pytest
from conftest import story_text
from publishing import BASE, REPO, build_into, files, is_alias_stub, url_of

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("sitemap.xsd"))))
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def read_sitemap(out: Path) -> dict[str, str]:
    doc = etree.parse(str(out / "sitemap.xml"))
    SCHEMA.assertValid(doc)
    found = {}
    for url in doc.getroot().findall("s:url", NS):
        found[url.findtext("s:loc", namespaces=NS)] = url.findtext("s:lastmod", default="", namespaces=NS)
    assert len(found) == len(doc.getroot()), "no URL is listed twice"
    return found


def public_pages(out: Path, base: str) -> set[str]:
    """Every HTML page a reader can land on: not the 404 page, not a redirecting alias stub."""
    return {base + url_of(rel).lstrip("/") for rel in files(out)
            if rel.endswith(".html") and rel != "404.html" and not is_alias_stub(out, rel)}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "public"
    build_into(REPO, out, base_url=None)
    return out


def test_sample_sitemap_is_valid_and_lists_exactly_the_public_pages(sample):
    listed = read_sitemap(sample)
    base = "https://policy-circuit.example.org/"
    assert set(listed) == public_pages(sample, base)
    assert base in listed and base + "tags/" in listed and base + "about/" in listed
    assert all(loc.startswith(base) for loc in listed)


def test_the_schema_rejects_what_the_protocol_forbids(tmp_path):
    bad = tmp_path / "sitemap.xml"
    for body in ("<url><loc>/relative/</loc></url>", "<url><lastmod>2026-01-01</lastmod><loc>https://a.example/</loc></url>",
                 "<url><loc>https://a.example/x/</loc><lastmod>yesterday</lastmod></url>"):
        bad.write_text(f'<urlset xmlns="{NS["s"]}">{body}</urlset>')
        assert not SCHEMA.validate(etree.parse(str(bad))), body


@pytest.fixture
def site(make_site):
    stories = {f"content/stories/s{n}.md": story_text(f"Story {n}", date=f"2026-03-{n:02d}", tags="[AI Act]") for n in range(1, 6)}
    return make_site({
        **stories,
        "content/stories/edited.md": story_text("Edited", date="2026-02-01", tags="[AI Act, Audits]",
                                                extra="updated: 2026-05-20T12:00:00Z\naliases: [/old/edited/]\n"),
        "content/stories/draft.md": story_text("Draft", date="2026-03-30", tags="[Secret Topic]", extra="draft: true\n"),
        "content/stories/later.md": story_text("Later", date="2026-09-01", tags="[AI Act]"),
        "content/about.md": "---\ntitle: About\n---\nAbout us.\n",
        "pyproject.toml": "[tool.sitegen]\npage_size = 2\n",
    })


def test_drafts_future_stories_404_and_alias_stubs_stay_out_even_under_drafts(site):
    _, out = build_into(site, now=NOW, drafts=True)
    listed = read_sitemap(out)
    assert (out / "stories/draft/index.html").is_file() and (out / "tags/secret-topic/index.html").is_file()
    assert (out / "old/edited/index.html").is_file()
    unlisted = {BASE + "stories/draft/", BASE + "tags/secret-topic/", BASE + "old/edited/", BASE + "404.html",
                BASE + "stories/later/"}
    assert not unlisted & set(listed)
    assert set(listed) == public_pages(out, BASE) - unlisted
    assert {BASE + "page/2/", BASE + "page/3/", BASE + "tags/ai-act/page/2/", BASE + "about/"} <= set(listed)


def test_lastmod_is_updated_or_date_and_a_listing_takes_its_newest_story(site):
    _, out = build_into(site, now=NOW)
    listed = read_sitemap(out)
    assert listed[BASE + "stories/edited/"] == "2026-05-20T12:00:00Z"
    assert listed[BASE + "stories/s1/"] == "2026-03-01T00:00:00Z"
    # Home shows s5, s4 (page 1), s3, s2 (page 2), s1, edited (page 3): edited's update is newest there.
    assert listed[BASE] == "2026-03-05T00:00:00Z"
    assert listed[BASE + "page/2/"] == "2026-03-03T00:00:00Z"
    assert listed[BASE + "page/3/"] == "2026-05-20T12:00:00Z"
    assert listed[BASE + "tags/"] == "2026-05-20T12:00:00Z"
    assert listed[BASE + "tags/audits/"] == "2026-05-20T12:00:00Z"
    assert listed[BASE + "about/"] == ""


def test_robots_txt_points_at_the_sitemap(site):
    _, out = build_into(site, now=NOW)
    lines = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)
