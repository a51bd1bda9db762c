"""markdown.py: CommonMark plus tables, footnotes, strikethrough, heading ids, safe links."""

from sitegen.markdown import render_markdown


def test_extensions_and_heading_ids():
    out = render_markdown("# Top\n\n## Why *it* matters\n\n| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\nText[^s].\n\n[^s]: Note.\n")
    assert '<h2 id="why-it-matters">' in out.html
    assert "<table>" in out.html and "<s>2</s>" in out.html
    assert 'class="footnotes"' in out.html
    assert [(h.level, h.id, h.text) for h in out.headings] == [(1, "top", "Top"), (2, "why-it-matters", "Why it matters")]


def test_duplicate_headings_get_unique_ids():
    out = render_markdown("## Same\n\n## Same\n")
    assert [h.id for h in out.headings] == ["same", "same-1"]


def test_raw_html_is_escaped_unless_allowed():
    assert "&lt;b&gt;" in render_markdown("<b>x</b> and <script>alert(1)</script>").html
    assert "<b>x</b>" in render_markdown("<b>x</b>", raw_html=True).html


def test_dangerous_schemes_are_not_links():
    html = render_markdown("[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) ![d](data:image/png;base64,AA)").html
    assert "<a " not in html and "<img" not in html


def test_cross_links_resolve_and_are_reported_with_file_lines():
    out = render_markdown("Intro.\n\nSee [this](story:other-story) and\n[that](tag:export-controls#top).\n", first_line=10)
    assert 'href="/stories/other-story/"' in out.html
    assert 'href="/tags/export-controls/#top"' in out.html
    assert [(link.href, link.line) for link in out.links] == [("story:other-story", 12), ("tag:export-controls#top", 13)]


def test_deep_nesting_does_not_crash():
    assert render_markdown(">" * 10000 + " deep\n").html
    assert render_markdown("[" * 10000 + "x\n").html
