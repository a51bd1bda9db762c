"""link.py: the site graph — publishing, slugs, tags, curated and computed cards, URLs."""

from datetime import datetime, timezone

from sitegen.config import SiteConfig
from sitegen.link import link_site
from sitegen.model import BuildOptions, SourceFile
from sitegen.stories import parse_story

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def story(name, extra="", date="2026-03-01", tags="[AI Act]"):
    text = f'---\ntitle: "Story {name}"\ndek: "Dek {name}"\ndate: {date}\ntags: {tags}\n{extra}---\nBody.\n'
    parsed, problems = parse_story(SourceFile(f"content/stories/{name}.md", text, name))
    assert parsed is not None, problems
    return parsed


def link(stories, **options):
    return link_site(SiteConfig(related_count=3), stories, [], [], BuildOptions(now=NOW, **options))


def test_urls_order_and_tag_merge():
    site, problems = link([story("a", tags="[AI Act]"), story("b", date="2026-04-01", tags="[ai-act, Chips]"), story("c", tags="[AI  act]")])
    assert problems == []
    assert [s.slug for s in site.stories] == ["b", "a", "c"]
    assert site.by_slug["a"].url == "/stories/a/"
    assert [(t.tag.slug, t.tag.name, t.stories) for t in site.tags] == [("ai-act", "AI Act", ("b", "a", "c")), ("chips", "Chips", ("b",))]


def test_curated_first_then_similar_never_self_or_draft():
    stories = [story("a", "continue_reading: [c]\n"), story("b", date="2026-04-01"), story("c", tags="[Other]"),
               story("d", "draft: true\n", date="2026-05-01")]
    site, problems = link(stories)
    cards = site.related["a"]
    assert [(c.slug, c.curated) for c in cards] == [("c", True), ("b", False)]
    assert cards[1].shared_tags == ("ai-act",)
    assert "d" not in site.by_slug


def test_drafts_and_future_only_on_request():
    stories = [story("a"), story("d", "draft: true\n"), story("f", date="2027-01-01")]
    site, _ = link(stories)
    assert set(site.by_slug) == {"a"}
    site, _ = link(stories, drafts=True, future=True)
    assert set(site.by_slug) == {"a", "d", "f"}
    assert all(c.slug != "d" for c in site.related["a"])
    assert [c.slug for c in site.related["d"]] == ["f", "a"], "a previewed draft still gets its own cards"


def test_unknown_self_and_draft_picks():
    stories = [story("a", "continue_reading: [nope, a, d]\n"), story("d", "draft: true\n")]
    site, problems = link(stories)
    found = [(p.location.path, p.location.line, p.severity) for p in problems]
    assert found == [("content/stories/a.md", 6, "error"), ("content/stories/a.md", 6, "error"), ("content/stories/a.md", 6, "warning")]
    assert "no story has the slug 'nope'" in problems[0].message


def test_duplicate_slugs_are_errors_in_both_files():
    site, problems = link([story("a"), story("b", "slug: a\n")])
    assert sorted((p.location.path, p.location.line) for p in problems) == [("content/stories/a.md", 1), ("content/stories/b.md", 6)]


def test_missing_cross_link_is_an_error_at_its_line():
    text = '---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [x]\n---\nIntro\n\nSee [gone](story:gone).\n'
    broken, _ = parse_story(SourceFile("content/stories/x.md", text, "x"))
    _, problems = link([broken])
    assert [(p.location.line, p.message) for p in problems] == [(9, "link to story 'gone': no story has that slug")]


def test_storylines_oldest_first():
    stories = [story("b", "storyline: saga\n", date="2026-04-01"), story("a", "storyline: saga\n", date="2026-02-01")]
    site, _ = link(stories)
    assert site.storylines["saga"].stories == ("a", "b")
    assert site.storylines["saga"].url == "/storylines/saga/"


def test_aliases_may_not_take_generated_paths():
    stories = [story("a", "aliases: [/feed.xml, /tags/ai-act/, /stories/b/, /static/x/, /stories/old-a/]\n"), story("b")]
    _, problems = link(stories)
    assert [p.message.split("'")[1] for p in problems] == ["/feed.xml", "/tags/ai-act/", "/stories/b/", "/static/x/"]


def test_broken_link_hints_are_capped_and_stay_deterministic():
    from sitegen import link as link_module

    body = "\n\n".join(f"See [x](story:missing-{i}) and [y](story:storyy)." for i in range(link_module.HINT_LIMIT + 20))
    text = f'---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [x]\n---\n{body}\n'
    broken, _ = parse_story(SourceFile("content/stories/x.md", text, "x"))
    _, problems = link([broken, story("story")])
    missing = [p for p in problems if "missing-" in p.message]
    assert len(missing) == link_module.HINT_LIMIT + 20
    assert all(p.hint == "did you mean 'story:story'?" for p in problems if "'storyy'" in p.message)
    assert [p.hint for p in missing[link_module.HINT_LIMIT:]] == [""] * 20
