"""Footnote citations [^id] against a story's sources: rendering, file lines, and the
errors the build refuses (kept in sitegen/sourcing.py, shared with `sitegen check`)."""

from sitegen.markdown import render_markdown

from conftest import story_text

SOURCES = """sources:
  - id: commission-qa
    title: "Questions and answers"
  - id: council-text
    title: "Council text"
"""


def test_citations_are_reported_with_file_lines():
    body = "Intro.\n\nText[^a] and\nmore[^b] here, `[^code]` is code and [^ spaced] is text.\n\n[^a]: A note.\n"
    out = render_markdown(body, first_line=20, source_ids=("b",))
    assert [(c.label, c.line) for c in out.citations] == [("a", 22), ("b", 23)]
    assert out.footnotes == ("a",)


def test_a_citation_of_a_listed_source_links_to_it_by_number():
    out = render_markdown("Claim[^second].\n", source_ids=("first", "second"))
    assert '<sup class="footnote-ref citation"><a href="#source-second">[2]</a></sup>' in out.html
    assert "[^second]" not in out.html


def test_citation_of_an_unknown_source_fails_the_build_at_its_line(make_site, run_cli):
    body = "## One\n\nFirst claim[^commission-qa].\n\nSecond claim[^council-txt].\n"
    root = make_site({"content/stories/a.md": story_text("A", extra=SOURCES, body=body)})
    result = run_cli("build", "-s", root)
    assert result.returncode == 1
    # lines 1-11: front matter (sources on 6-10, closing fence on 11); the body starts on line 12
    assert ("content/stories/a.md:16: citation [^council-txt] names no source: no entry in sources has id 'council-txt'"
            " (did you mean '[^council-text]'?)") in result.stderr.splitlines()


def test_source_count_below_the_listed_sources_fails_the_build(make_site, run_cli):
    extra = SOURCES + "methodology:\n  generated: assisted\n  source_count: 1\n"
    body = "## One\n\nClaims[^commission-qa][^council-text].\n"
    root = make_site({"content/stories/a.md": story_text("A", extra=extra, body=body)})
    result = run_cli("build", "-s", root)
    assert result.returncode == 1
    assert ("content/stories/a.md:13: methodology.source_count is 1 but the story lists 2 sources (set source_count: 2 or more)"
            in result.stderr.splitlines())


def test_cited_sources_and_body_footnotes_build(make_site, run_cli):
    body = "## One\n\nClaims[^commission-qa][^council-text], and a note[^n].\n\n[^n]: An aside.\n"
    root = make_site({"content/stories/a.md": story_text("A", extra=SOURCES, body=body)})
    result = run_cli("build", "-s", root)
    assert result.returncode == 0, result.stderr
    html = (root / "public/stories/a/index.html").read_text()
    assert "href=#source-council-text>[2]</a>" in html and "id=source-council-text" in html
    assert "[^" not in html
