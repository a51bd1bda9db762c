"""A sitemap past the protocol's limits (50,000 URLs or 52,428,800 bytes per file) becomes a
sitemapindex over sitemap-1.xml, sitemap-2.xml, ...: checked on small sites with the
limits made small, against the sitemaps.org schemas, and through cached rebuilds."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import lxml.etree as etree
import pytest
from conftest import story_text
from hypothesis import given, settings
from hypothesis import strategies as st
from publishing import BASE, build_into, files, local_target

from sitegen import sitemap
from sitegen.build import build, load_site
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.model import BuildOptions
from sitegen.views import plan_pages

NS = {"s": sitemap.SITEMAP_NS}
URLSET = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("sitemap.xsd"))))
INDEX = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("siteindex.xsd"))))
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def read_urlset(path: Path) -> list[tuple[str, str]]:
    """(loc, lastmod or "") of each url, in file order, after checking the file against the schema."""
    doc = etree.parse(str(path))
    URLSET.assertValid(doc)
    return [(url.findtext("s:loc", namespaces=NS), url.findtext("s:lastmod", default="", namespaces=NS))
            for url in doc.getroot().findall("s:url", NS)]


def read_index(out: Path) -> list[tuple[str, str]]:
    doc = etree.parse(str(out / "sitemap.xml"))
    INDEX.assertValid(doc)
    assert doc.getroot().tag == f"{{{sitemap.SITEMAP_NS}}}sitemapindex"
    return [(part.findtext("s:loc", namespaces=NS), part.findtext("s:lastmod", default="", namespaces=NS))
            for part in doc.getroot().findall("s:sitemap", NS)]


def parts_on_disk(out: Path) -> list[str]:
    return sorted((rel for rel in files(out) if rel.startswith("sitemap-")), key=lambda rel: int(rel[8:-4]))


def newest(entries: list[tuple[str, str]]) -> str:
    dated = [lastmod for _, lastmod in entries if lastmod]
    return max(dated, key=datetime.fromisoformat) if dated else ""


@pytest.fixture
def site(make_site):
    stories = {f"content/stories/s{n}.md": story_text(f"Story {n}", date=f"2026-03-{n:02d}",
                                                      tags="[AI Act]" if n % 2 else "[AI Act, Audits]",
                                                      extra="storyline: chips\n" if n < 4 else "")
               for n in range(1, 8)}
    return make_site({
        **stories,
        # A UTC offset: the newest lastmod of a part is the latest instant, not the largest text.
        "content/stories/offset.md": story_text("Offset", date="2026-02-01", tags="[Audits]",
                                                extra="updated: 2026-05-20T23:00:00-05:00\n"),
        "content/stories/utc.md": story_text("UTC", date="2026-02-02", tags="[Audits]", extra="updated: 2026-05-21T01:00:00Z\n"),
        "content/stories/draft.md": story_text("Draft", date="2026-03-30", tags="[Secret]", extra="draft: true\n"),
        **{f"content/{name}.md": f"---\ntitle: {name.title()}\n---\nText.\n" for name in ("about", "contact", "imprint", "terms")},
        "pyproject.toml": "[tool.sitegen]\npage_size = 3\n",
    })


@pytest.fixture
def single(site, tmp_path) -> list[tuple[str, str]]:
    """The entries of the site's sitemap with the protocol's limits: one urlset."""
    _, out = build_into(site, tmp_path / "single", now=NOW)
    assert not parts_on_disk(out)
    return read_urlset(out / "sitemap.xml")


def test_past_max_urls_sitemap_xml_is_an_index_of_valid_parts_in_plan_order(site, single, tmp_path, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    _, out = build_into(site, tmp_path / "split", now=NOW)
    index = read_index(out)
    parts = parts_on_disk(out)
    assert [loc for loc, _ in index] == [BASE + rel for rel in parts] == [BASE + f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    listed = []
    for (loc, lastmod), rel in zip(index, parts):
        entries = read_urlset(out / rel)
        assert 1 <= len(entries) <= 3
        assert lastmod == newest(entries)
        assert all(local_target(out, url) for url, _ in entries)
        listed += entries
    assert listed == single  # the same entries in the same order, cut into consecutive parts
    assert len(parts) == -(-len(single) // 3)
    assert not {BASE + "sitemap.xml", *(BASE + rel for rel in parts)} & {loc for loc, _ in listed}
    lines = (out / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in lines and not any("sitemap-" in line for line in lines)


def test_a_part_without_dated_pages_has_no_lastmod_in_the_index(site, single, tmp_path, monkeypatch):
    """Standalone pages come last in plan order and carry no date."""
    monkeypatch.setattr(sitemap, "MAX_URLS", 2)
    _, out = build_into(site, tmp_path / "split", now=NOW)
    index = read_index(out)
    assert single[-2:] == [(BASE + "imprint/", ""), (BASE + "terms/", "")]
    assert index[-1] == (BASE + f"sitemap-{len(index)}.xml", "")
    assert b"<lastmod>" not in (out / f"sitemap-{len(index)}.xml").read_bytes()
    assert all(lastmod for _, lastmod in index[:-2])


def test_the_newest_lastmod_of_a_part_compares_instants(site, single, tmp_path, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", len(single) - 1)
    _, out = build_into(site, tmp_path / "split", now=NOW)
    first, second = read_index(out)
    # 2026-05-20T23:00:00-05:00 is 2026-05-21T04:00Z: later than 2026-05-21T01:00:00Z, whose text is larger.
    assert first == (BASE + "sitemap-1.xml", "2026-05-20T23:00:00-05:00")
    assert read_urlset(out / "sitemap-2.xml") == single[-1:] and second == (BASE + "sitemap-2.xml", "")


def test_past_max_bytes_each_part_stays_within_the_byte_limit(site, single, tmp_path, monkeypatch):
    whole = sitemap.render_sitemap(tuple(single))
    limit = len(whole) // 3
    monkeypatch.setattr(sitemap, "MAX_BYTES", limit)
    _, out = build_into(site, tmp_path / "split", now=NOW)
    index = read_index(out)
    parts = parts_on_disk(out)
    assert len(index) == len(parts) >= 3
    listed = []
    for rel in parts:
        assert (out / rel).stat().st_size <= limit
        listed += read_urlset(out / rel)
    assert listed == single
    # Greedy: each part but the last would pass the limit with the next entry added.
    start = 0
    for rel in parts[:-1]:
        count = len(read_urlset(out / rel))
        assert len(sitemap.render_sitemap(tuple(single[start:start + count + 1]))) > limit
        start += count


def test_a_sitemap_exactly_at_the_limits_stays_one_file(site, single, tmp_path, monkeypatch):
    whole = sitemap.render_sitemap(tuple(single))
    monkeypatch.setattr(sitemap, "MAX_URLS", len(single))
    monkeypatch.setattr(sitemap, "MAX_BYTES", len(whole))
    _, out = build_into(site, tmp_path / "exact", now=NOW)
    assert (out / "sitemap.xml").read_bytes() == whole and not parts_on_disk(out)
    monkeypatch.setattr(sitemap, "MAX_BYTES", len(whole) - 1)
    _, out = build_into(site, tmp_path / "over", now=NOW)
    assert len(read_index(out)) == 2


@pytest.mark.parametrize("entries, urls, size, expected", [
    ((), 3, 10**6, [()]),
    ((("https://a.example/1", ""),), 1, 10**6, [(("https://a.example/1", ""),)]),
    # A single entry larger than the byte limit still gets a file of its own.
    ((("https://a.example/" + "x" * 500, ""), ("https://a.example/2", "")), 10, 400,
     [(("https://a.example/" + "x" * 500, ""),), (("https://a.example/2", ""),)]),
])
def test_split_entries_edge_cases(entries, urls, size, expected, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", urls)
    monkeypatch.setattr(sitemap, "MAX_BYTES", size)
    assert sitemap.split_entries(entries) == expected


def test_the_protocol_limits_are_those_of_sitemaps_org():
    assert sitemap.MAX_URLS == 50_000 and sitemap.MAX_BYTES == 52_428_800


def elementtree_urlset(entries) -> bytes:
    """How sitegen wrote sitemap.xml with ElementTree before the index existed."""
    urlset = ET.Element("urlset", {"xmlns": sitemap.SITEMAP_NS})
    for loc, lastmod in entries:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = loc
        if lastmod:
            ET.SubElement(url, "lastmod").text = lastmod
    ET.indent(urlset, space="  ")
    return sitemap.XML_DECLARATION + ET.tostring(urlset, encoding="unicode").encode("utf-8") + b"\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1), st.sampled_from(["", "2026-01-01T00:00:00Z", "x&<>\"'\r\n\t é"]))))
def test_the_urlset_text_is_what_elementtree_wrote(entries):
    entries = tuple(entries)
    assert sitemap.render_sitemap(entries) == elementtree_urlset(entries)


def test_the_index_schema_rejects_what_the_protocol_forbids(tmp_path):
    bad = tmp_path / "sitemap.xml"
    for body in ("", "<sitemap><loc>/sitemap-1.xml</loc></sitemap>", "<sitemap><lastmod>2026-01-01</lastmod></sitemap>",
                 "<url><loc>https://a.example/sitemap-1.xml</loc></url>",
                 "<sitemap><loc>https://a.example/sitemap-1.xml</loc><lastmod>today</lastmod></sitemap>"):
        bad.write_text(f'<sitemapindex xmlns="{NS["s"]}">{body}</sitemapindex>')
        assert not INDEX.validate(etree.parse(str(bad))), body
    bad.write_text(f'<sitemapindex xmlns="{NS["s"]}"><sitemap><loc>https://a.example/sitemap-1.xml</loc></sitemap></sitemapindex>')
    assert INDEX.validate(etree.parse(str(bad)))


def test_planning_some_files_plans_the_same_sitemap_files_as_planning_all(site, monkeypatch):
    """plan_pages(site, wanted) keeps its promise with parts: exactly the wanted plans of the whole."""
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    loaded, _ = load_site(site, load_config(site, BASE), BuildOptions(jobs=1, now=NOW))
    everything = plan_pages(loaded)
    names = [plan.dest for plan in everything if sitemap.is_sitemap_file(plan.dest)]
    assert names[0] == "sitemap.xml" and names[1:] == [f"sitemap-{n}.xml" for n in range(1, len(names))]
    for wanted in ({"sitemap.xml"}, {"sitemap-2.xml"}, {"sitemap-1.xml", "index.html"}, set(names), {"robots.txt"}):
        assert plan_pages(loaded, wanted) == [plan for plan in everything if plan.dest in wanted]


def test_parts_of_a_larger_build_disappear_when_the_sitemap_fits_again(site, single, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    build_into(site, out, now=NOW)
    assert parts_on_disk(out)
    monkeypatch.undo()
    build_into(site, out, now=NOW)
    assert not parts_on_disk(out) and read_urlset(out / "sitemap.xml") == single


def test_a_cached_build_drops_parts_when_the_site_shrinks(site, tmp_path, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 12)
    options = BuildOptions(jobs=1, now=NOW)
    build(site, site / "public", options, base_url=BASE, disk_cache=True)
    assert len(parts_on_disk(site / "public")) > 1
    for n in range(2, 8):
        (site / f"content/stories/s{n}.md").unlink()
    build(site, site / "public", options, base_url=BASE, disk_cache=True)
    assert not parts_on_disk(site / "public")
    fresh = tmp_path / "fresh"
    build(site, fresh, options, base_url=BASE)
    assert (site / "public/sitemap.xml").read_bytes() == (fresh / "sitemap.xml").read_bytes()


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {rel: (folder / rel).read_bytes() for rel in files(folder)}


def test_cached_rebuilds_after_edits_rewrite_exactly_the_sitemap_files_that_change(site, tmp_path, monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    options = BuildOptions(jobs=1, now=NOW)
    out = site / "public"

    def rebuild():
        result = build(site, out, options, base_url=BASE, disk_cache=True)
        fresh = tmp_path / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        build(site, fresh, options, base_url=BASE)
        assert tree_bytes(out) == tree_bytes(fresh)
        return result

    rebuild()
    before = tree_bytes(out)
    story = site / "content/stories/s2.md"

    # Text alone: only the pages showing the story are planned; the sitemap's files stay as they were.
    story.write_text(story.read_text(encoding="utf-8").replace("Text.", "Other text."), encoding="utf-8")
    result = rebuild()
    assert "stories/s2/index.html" in result.rendered
    assert not any(sitemap.is_sitemap_file(plan.dest) for plan in result.plans)
    assert {rel: data for rel, data in tree_bytes(out).items() if rel.startswith("sitemap")} == \
           {rel: data for rel, data in before.items() if rel.startswith("sitemap")}

    # A new `updated:` moves the story's lastmod (and its listings'): every page is planned, and
    # exactly the sitemap files whose bytes change are rendered again, the story's part among them.
    before = tree_bytes(out)
    story.write_text(story.read_text(encoding="utf-8").replace("tags:", "updated: 2026-05-01T08:00:00Z\ntags:"), encoding="utf-8")
    result = rebuild()
    after = tree_bytes(out)
    changed = {rel for rel in after if rel.startswith("sitemap") and after[rel] != before.get(rel)}
    holding = [rel for rel in parts_on_disk(out) if (BASE + "stories/s2/", "2026-05-01T08:00:00Z") in read_urlset(out / rel)]
    assert len(holding) == 1 and {"sitemap.xml", holding[0]} <= changed
    assert {rel for rel in result.rendered if sitemap.is_sitemap_file(rel)} == changed
    assert changed < {"sitemap.xml", *parts_on_disk(out)}, "parts that list no changed entry are kept"


def test_the_cli_builds_an_index_end_to_end(site, run_cli, tmp_path, monkeypatch):
    """`sitegen build` in its own process, with MAX_URLS made small by a sitecustomize module
    that Python imports at start-up from PYTHONPATH (the test's, nothing installed)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text("import sitegen.sitemap\nsitegen.sitemap.MAX_URLS = 4\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")])))
    out = tmp_path / "public"
    done = run_cli("build", "--source", site, "--destination", out, "--base-url", BASE)
    assert done.returncode == 0, done.stderr
    index = read_index(out)
    parts = parts_on_disk(out)
    assert [loc for loc, _ in index] == [BASE + rel for rel in parts] and len(parts) > 1
    assert all(len(read_urlset(out / rel)) <= 4 for rel in parts)
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("alias", ["/sitemap-1.xml", "/sitemap-12.xml/"])
def test_an_alias_onto_a_sitemap_part_is_an_error_at_its_line_even_on_a_small_site(make_site, alias):
    root = make_site({"content/stories/a.md": story_text("A", extra=f"aliases: [{alias}]\n")})
    with pytest.raises(BuildFailed) as failed:
        build_into(root, now=NOW)
    (problem,) = [p for p in failed.value.problems if p.is_error]
    assert (problem.location.path, problem.location.line) == ("content/stories/a.md", 6)
    assert "sitegen writes itself" in problem.message
