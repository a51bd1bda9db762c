"""What templates see: plain dicts built from Story and Site, and the plan of every page.

A PagePlan names a page's output file, its layout and its `inputs`: the digests and
facts its bytes depend on. Equal inputs (with the same layouts and config) mean equal
bytes, which is what lets a rebuild skip rendering a page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection, Sequence

from markupsafe import Markup

from .assets import LOGO, SHARE_IMAGE, STATIC_URL
from .disclosure import disclosure
from .model import Site, Story, Storyline

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
DIGITAL_SOURCE_TYPE = {
    "autonomous": IPTC + "trainedAlgorithmicMedia",
    "assisted": IPTC + "compositeWithTrainedAlgorithmicMedia",
}


@dataclass(frozen=True)
class PagePlan:
    dest: str  # output path relative to the output folder
    template: str
    kind: str  # story | home | tag | tags | page | storyline | not_found
    subject: str  # story/tag/page/storyline slug, or ""
    number: int  # listing page number, 1-based
    inputs: tuple  # what the page's bytes depend on, besides layouts and config
    media_type: str = "text/html"  # anything else is made by a generator, not a layout (build.GENERATORS)


def display_date(when: datetime | None) -> str:
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}" if when else ""


def iso(when: datetime | None) -> str:
    return when.isoformat().replace("+00:00", "Z") if when else ""


def site_view(site: Site) -> dict:
    config = site.config
    return {
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "language": config.language,
        "publisher": config.site_publisher,
        "pages": [{"title": p.title, "url": p.url} for p in site.pages if not p.params.get("draft")],
    }


def tag_view(site: Site, slug: str) -> dict:
    views = _shared_views(site)[0]
    view = views.get(slug)
    if view is None:
        listing = site.tag_by_slug.get(slug)
        name = listing.tag.name if listing else slug
        view = views[slug] = {"name": name, "slug": slug, "url": f"/tags/{slug}/", "count": len(listing.stories) if listing else 0}
    return view


def _story_tag_views(site: Site, story: Story) -> list[dict]:
    lists = _shared_views(site)[1]
    found = lists.get(story.slug)
    if found is None:
        found = lists[story.slug] = [tag_view(site, t.slug) for t in story.tags]
    return found


# Views many pages show alike, made once per Site: a tag's (some fifty on a story page,
# with its cards' topics) and each story's list of them. Layouts only read views. The
# owner and its views are swapped in one assignment, so a thread rendering another Site
# keeps its own.
_SHARED: tuple[Site | None, tuple[dict, dict]] = (None, ({}, {}))


def _shared_views(site: Site) -> tuple[dict, dict]:
    global _SHARED
    owner, views = _SHARED
    if owner is not site:
        views = ({}, {})
        _SHARED = (site, views)
    return views


def card_view(site: Site, story: Story, shared: tuple[str, ...] = (), curated: bool = True) -> dict:
    return {
        "title": story.title,
        "dek": story.dek,
        "url": story.url,
        "date": display_date(story.date),
        "date_iso": iso(story.date),
        "tags": _story_tag_views(site, story),
        "shared_tags": [tag_view(site, slug) for slug in shared],
        "curated": curated,
        "draft": story.draft,
    }


def story_view(site: Site, story: Story) -> dict:
    cards = []
    for card in site.related.get(story.slug, ()):
        other = site.by_slug[card.slug]
        cards.append(card_view(site, other, card.shared_tags, card.curated))
    storyline = site.storylines.get(story.storyline) if story.storyline else None
    method = story.methodology
    return {
        "slug": story.slug,
        "url": story.url,
        "title": story.title,
        "dek": story.dek,
        "date": display_date(story.date),
        "date_iso": iso(story.date),
        "updated": display_date(story.updated),
        "updated_iso": iso(story.updated),
        "tags": _story_tag_views(site, story),
        "authors": list(story.authors),
        "draft": story.draft,
        "html": Markup(story.html),
        "headings": [{"level": h.level, "id": h.id, "text": h.text} for h in story.headings],
        "story_so_far_html": Markup(story.story_so_far_html),
        "storyline": _storyline_ref(site, storyline, story.slug) if storyline else None,
        "faq": [{"question": f.question, "answer_html": Markup(f.answer_html)} for f in story.faq],
        "cards": cards,
        "methodology": {
            "generated": method.generated,
            "human_review": method.human_review,
            "source_count": method.source_count if method.source_count is not None else len(story.sources),
            "note": method.note,
            "disclosure": disclosure(story, site.config.site_publisher),
        } if method else None,
        "sources": [{"id": s.id, "title": s.title, "url": s.url, "publisher": s.publisher, "date": display_date(s.date)} for s in story.sources],
        "params": story.params,
        "jsonld": story_jsonld(site, story),
    }


def _storyline_ref(site: Site, storyline: Storyline, current: str) -> dict:
    return {
        "slug": storyline.slug,
        "title": storyline.title,
        "url": storyline.url,
        "timeline": [
            {"title": site.by_slug[slug].title, "url": site.by_slug[slug].url, "date": display_date(site.by_slug[slug].date),
             "date_iso": iso(site.by_slug[slug].date), "current": slug == current}
            for slug in storyline.stories
        ],
    }


# Words in a byline that name a desk or team rather than a person.
ORGANIZATION_WORDS = frozenset({"desk", "team", "staff", "editors", "newsroom", "bureau", "unit", "lab", "office"})
POLICY_PAGE = "ai-policy"  # a standalone page with this slug is the site's publishing principles


def story_jsonld(site: Site, story: Story) -> dict:
    """One schema.org @graph: NewsArticle, FAQPage (when there are questions), BreadcrumbList."""
    config = site.config
    url = config.absolute_url(story.url)
    policy = next((config.absolute_url(p.url) for p in site.pages if p.slug == POLICY_PAGE and not p.params.get("draft")), "")
    publisher: dict[str, Any] = {
        "@type": "Organization", "@id": config.absolute_url("/#publisher"), "name": config.site_publisher, "url": config.base_url,
        "logo": {"@type": "ImageObject", "url": config.absolute_url(STATIC_URL + LOGO)},
    }
    if policy:
        publisher["publishingPrinciples"] = policy
    article: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": url + "#article",
        "headline": story.title,
        "description": story.dek,
        "image": [config.absolute_url(STATIC_URL + SHARE_IMAGE)],
        "datePublished": iso(story.date),
        "dateModified": iso(story.modified),
        # The byline is the responsible desk or person, never the model; no byline: the publisher.
        "author": [_author(name) for name in story.authors] or [{k: publisher[k] for k in ("@type", "@id", "name", "url")}],
        "publisher": publisher,
        "keywords": [t.name for t in story.tags],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": config.language,
        "isAccessibleForFree": True,
    }
    if story.tags:
        article["articleSection"] = story.tags[0].name
    if policy:
        article["publishingPrinciples"] = policy
    if story.sources:
        article["citation"] = [_citation(s) for s in story.sources]
    if story.methodology:
        article["backstory"] = " ".join(x for x in (disclosure(story, config.site_publisher), story.methodology.note) if x)
        source_type = DIGITAL_SOURCE_TYPE.get(story.methodology.generated)
        if source_type:
            article["digitalSourceType"] = source_type
    graph: list[dict] = [article]
    if story.faq:
        graph.append({
            "@type": "FAQPage",
            "@id": url + "#faq",
            "mainEntity": [{"@type": "Question", "name": f.question, "acceptedAnswer": {"@type": "Answer", "text": f.answer_html}} for f in story.faq],
        })
    crumbs = [{"@type": "ListItem", "position": 1, "name": "Home", "item": config.base_url}]
    if story.tags:
        first = tag_view(site, story.tags[0].slug)
        crumbs.append({"@type": "ListItem", "position": 2, "name": first["name"], "item": config.absolute_url(first["url"])})
    crumbs.append({"@type": "ListItem", "position": len(crumbs) + 1, "name": story.title, "item": url})
    graph.append({"@type": "BreadcrumbList", "@id": url + "#breadcrumb", "itemListElement": crumbs})
    return {"@context": "https://schema.org", "@graph": graph}


def _author(name: str) -> dict:
    words = {w.strip(".,&").lower() for w in name.split()}
    return {"@type": "Organization" if words & ORGANIZATION_WORDS else "Person", "name": name}


def _citation(source) -> dict:
    cited: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        cited["url"] = source.url
    if source.publisher:
        cited["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date:
        cited["datePublished"] = source.date.date().isoformat()
    return cited


def paginate(items: tuple, size: int) -> list[tuple]:
    if not items:
        return [()]
    return [items[i:i + size] for i in range(0, len(items), size)]


def page_of(items: Sequence, size: int, number: int) -> tuple[tuple, int]:
    """Listing page `number` of `items` and the number of pages, as paginate() cuts them,
    without cutting every page: a site has as many listing pages as stories / size."""
    return tuple(items[(number - 1) * size:number * size]), max(1, math.ceil(len(items) / size))


def listing_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def pagination_view(base: str, number: int, total: int) -> dict:
    return {
        "number": number,
        "total": total,
        "prev_url": listing_url(base, number - 1) if number > 1 else "",
        "next_url": listing_url(base, number + 1) if number < total else "",
    }


def _dest(url: str) -> str:
    return url.strip("/") + "/index.html" if url != "/" else "index.html"


def plan_pages(site: Site, wanted: Collection[str] | None = None) -> list[PagePlan]:
    """Every page of the site, in a fixed order, with what each one depends on. With
    `wanted`, only the pages with those output paths (a rebuild that knows which pages an
    edit touched plans just those)."""
    size = site.config.page_size
    pages_sig = tuple((p.slug, p.title, bool(p.params.get("draft"))) for p in site.pages)
    plans: list[PagePlan] = []

    card_memo: dict[str, tuple] = {}  # a story's card inputs are the same on every page showing it

    def card(slug: str) -> tuple:
        found = card_memo.get(slug)
        if found is None:
            story = site.by_slug[slug]
            found = card_memo[slug] = (slug, story.digest, tuple(tag_name(site, t.slug) for t in story.tags))
        return found

    def card_inputs(slugs) -> tuple:
        return tuple(card(slug) for slug in slugs)

    def skip(dest: str) -> bool:
        return wanted is not None and dest not in wanted

    for story in site.stories:
        dest = _dest(story.url)
        if skip(dest):
            continue
        cards = site.related.get(story.slug, ())
        line = site.storylines.get(story.storyline)
        # Tag display names come from every story using the tag, so they are inputs too.
        inputs = (story.digest, pages_sig, tuple(site.tag_by_slug[t.slug].tag.name for t in story.tags),
                  tuple((c.slug, c.shared_tags, c.curated) for c in cards),
                  card_inputs(c.slug for c in cards), card_inputs(line.stories) if line else (),
                  (line.title, line.rel_path) if line else ())
        plans.append(PagePlan(dest, "story.html", "story", story.slug, 1, inputs))

    home = paginate(tuple(s.slug for s in site.stories), size)
    for number, chunk in enumerate(home, 1):
        dest = _dest(listing_url("/", number))
        if not skip(dest):
            plans.append(PagePlan(dest, "home.html", "home", "", number, (pages_sig, len(home), card_inputs(chunk))))

    for listing in site.tags:
        chunks = paginate(listing.stories, size)
        for number, chunk in enumerate(chunks, 1):
            dest = _dest(listing_url(listing.url, number))
            if not skip(dest):
                plans.append(PagePlan(dest, "tag.html", "tag", listing.tag.slug, number,
                                      (pages_sig, listing.tag.name, len(chunks), len(listing.stories), card_inputs(chunk))))
    if not skip("tags/index.html"):
        plans.append(PagePlan("tags/index.html", "tags.html", "tags", "", 1,
                              (pages_sig, tuple((t.tag.slug, t.tag.name, len(t.stories)) for t in site.tags))))

    for slug, line in site.storylines.items():
        if not skip(_dest(line.url)):
            plans.append(PagePlan(_dest(line.url), "storyline.html", "storyline", slug, 1,
                                  (pages_sig, line.title, line.description_html, card_inputs(line.stories))))
    for page in site.pages:
        if not page.params.get("draft") and not skip(_dest(page.url)):
            plans.append(PagePlan(_dest(page.url), "page.html", "page", page.slug, 1, (pages_sig, page.digest)))
    if not skip("404.html"):
        plans.append(PagePlan("404.html", "404.html", "not_found", "", 1, (pages_sig,)))
    return plans + publishing_plans(site, plans, wanted)


def tag_name(site: Site, slug: str) -> str:
    """A tag's display name, as tag_view gives it."""
    listing = site.tag_by_slug.get(slug)
    return listing.tag.name if listing else slug


def publishing_plans(site: Site, pages: list[PagePlan], wanted: Collection[str] | None = None) -> list[PagePlan]:
    """Feeds, crawler files and redirects, cached like pages: `inputs` hold what their bytes
    depend on. `pages` are the site's page plans (all of them when the sitemap is wanted)."""
    from . import feeds, redirects, sitemap  # imported here: they use this module's views

    def want(dest: str) -> bool:
        return wanted is None or dest in wanted

    plans = [PagePlan("feed.xml", "", "feed", "", 1, feeds.feed_inputs(site), feeds.ATOM_TYPE)] if want("feed.xml") else []
    for listing in site.tags:
        dest = feeds.tag_feed_url(listing.tag.slug).lstrip("/")
        if want(dest):
            plans.append(PagePlan(dest, "", "tag_feed", listing.tag.slug, 1, feeds.feed_inputs(site, listing.tag.slug),
                                  feeds.ATOM_TYPE))
    targets = redirects.alias_targets(site)
    for alias, url, title in targets:
        if want(redirects.stub_dest(alias)):
            plans.append(PagePlan(redirects.stub_dest(alias), "", "alias", alias, 1, (url, title)))
    if want(redirects.REDIRECTS_FILE):
        plans.append(PagePlan(redirects.REDIRECTS_FILE, "", "redirects", "", 1, targets, "text/plain"))
    # The sitemap's files share one cut of every page's entry (an index and its parts, or
    # one urlset): wanting any of them plans all pages, to cut them as a full plan does.
    if wanted is None or any(sitemap.is_sitemap_file(dest) for dest in wanted):
        if wanted is not None:
            pages = [plan for plan in plan_pages(site) if plan.media_type == "text/html"]
        for dest, kind, number, inputs in sitemap.sitemap_files(site, sitemap.sitemap_entries(site, pages)):
            if want(dest):
                plans.append(PagePlan(dest, "", kind, "", number, inputs, "application/xml"))
    if want("robots.txt"):
        plans.append(PagePlan("robots.txt", "", "robots", "", 1, (), "text/plain"))
    return plans


def page_context(site: Site, plan: PagePlan) -> dict:
    """The template context for one planned page."""
    context: dict[str, Any] = {"site": site_view(site), "kind": plan.kind}
    size = site.config.page_size
    if plan.kind == "story":
        story = site.by_slug[plan.subject]
        context.update(story=story_view(site, story), page_title=story.title, description=story.dek, url=story.url)
    elif plan.kind == "home":
        chunk, total = page_of(site.stories, size, plan.number)
        cards = [card_view(site, story) for story in chunk]
        url = listing_url("/", plan.number)
        context.update(cards=cards, pagination=pagination_view("/", plan.number, total), url=url,
                       page_title=site.config.title if plan.number == 1 else f"{site.config.title} — page {plan.number}",
                       description=site.config.description)
    elif plan.kind == "tag":
        listing = site.tag_by_slug[plan.subject]
        chunk, total = page_of(listing.stories, size, plan.number)
        cards = [card_view(site, site.by_slug[slug]) for slug in chunk]
        url = listing_url(listing.url, plan.number)
        context.update(tag=tag_view(site, plan.subject), cards=cards, pagination=pagination_view(listing.url, plan.number, total),
                       url=url, page_title=f"{listing.tag.name}" + (f" — page {plan.number}" if plan.number > 1 else ""),
                       description=f"Stories tagged {listing.tag.name}.")
    elif plan.kind == "tags":
        context.update(tags=[tag_view(site, t.tag.slug) for t in site.tags], url="/tags/", page_title="All tags",
                       description=f"Every topic covered by {site.config.title}.")
    elif plan.kind == "storyline":
        line = site.storylines[plan.subject]
        context.update(storyline={"title": line.title, "url": line.url, "description_html": Markup(line.description_html),
                                  "cards": [card_view(site, site.by_slug[slug]) for slug in line.stories]},
                       url=line.url, page_title=line.title, description=f"The running story: {line.title}.")
    elif plan.kind == "page":
        page = next(p for p in site.pages if p.slug == plan.subject)
        context.update(page={"title": page.title, "dek": page.dek, "html": Markup(page.html), "params": page.params},
                       url=page.url, page_title=page.title, description=page.dek or site.config.description)
    elif plan.kind == "not_found":
        context.update(url="/404.html", page_title="Page not found", description="This page does not exist.")
    return context
