"""Listing pages: page_of cuts one page exactly as paginate cuts them all."""

import pytest

from sitegen.views import page_of, paginate


@pytest.mark.parametrize("count", [0, 1, 11, 12, 13, 24, 25, 100])
@pytest.mark.parametrize("size", [1, 5, 12])
def test_page_of_matches_paginate(count, size):
    items = tuple(f"story-{i}" for i in range(count))
    pages = paginate(items, size)
    for number, expected in enumerate(pages, 1):
        assert page_of(items, size, number) == (expected, len(pages))


def test_page_of_takes_any_sequence_and_gives_a_tuple():
    assert page_of(["a", "b", "c"], 2, 2) == (("c",), 2)


def test_planning_some_pages_gives_exactly_those_plans_of_the_whole(tmp_path):
    """plan_pages(site, wanted) is plan_pages(site) with only the wanted output paths:
    the same plans, in the same order, the sitemap's included."""
    import random

    from benchmarks.corpus import generate_corpus
    from sitegen.build import load_site
    from sitegen.config import load_config
    from sitegen.model import BuildOptions
    from sitegen.views import plan_pages

    generate_corpus(tmp_path, 60, seed=5)
    site, _ = load_site(tmp_path, load_config(tmp_path), BuildOptions(jobs=1))
    everything = plan_pages(site)
    dests = [plan.dest for plan in everything]
    rng = random.Random(3)
    for wanted in [set(), set(dests), {"sitemap.xml"}, {"feed.xml", "index.html", "robots.txt", "404.html"},
                   *(set(rng.sample(dests, k)) for k in (1, 5, 40, 200))]:
        assert plan_pages(site, wanted) == [plan for plan in everything if plan.dest in wanted]


def test_tag_views_are_made_once_per_site_and_anew_for_the_next(tmp_path):
    """Pages of one Site share each tag's view; a Site linked after a tag's display name
    changed gets the new name, not a view kept from the Site before."""
    from dataclasses import replace

    from benchmarks.corpus import generate_corpus
    from sitegen.build import load_site
    from sitegen.config import load_config
    from sitegen.model import BuildOptions
    from sitegen.views import page_context, plan_pages, tag_view

    generate_corpus(tmp_path, 30, seed=2)
    site, _ = load_site(tmp_path, load_config(tmp_path), BuildOptions(jobs=1))
    story = site.stories[0]
    slug = story.tags[0].slug
    first = page_context(site, next(p for p in plan_pages(site) if p.kind == "story" and p.subject == story.slug))
    assert first["story"]["tags"][0] is tag_view(site, slug)
    listing = site.tag_by_slug[slug]
    renamed = replace(listing, tag=replace(listing.tag, name="Renamed Topic"))
    other = replace(site, tag_by_slug={**site.tag_by_slug, slug: renamed})
    assert tag_view(other, slug)["name"] == "Renamed Topic"
    assert tag_view(site, slug)["name"] == listing.tag.name
