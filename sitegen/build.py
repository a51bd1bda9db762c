"""The orchestrator: load -> parse -> link -> render -> minify -> write, nothing else.

A BuildCache (optional) carries parsed stories and rendered pages from one build to the
next, keyed by what they were made from; the stages themselves never see it."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from . import feeds, redirects, sitemap
from .assets import collect_assets
from .config import SiteConfig, load_config
from .errors import BuildFailed, LayoutError, Problem
from .link import link_site
from .load import ContentFiles, load_content
from .minify import minify_page
from .model import BuildOptions, BuildResult, OutputFile, Site
from .render import Renderer, static_dirs
from .stories import parse_page, parse_story, parse_storyline_file
from .views import PagePlan, page_context, plan_pages
from .write import check_destination, write_site


@dataclass
class BuildCache:
    """Memory of earlier builds: parse results by source digest, page bytes by input key."""

    parsed: dict[tuple, tuple] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)


def build(root: Path, dest: Path, options: BuildOptions = BuildOptions(), base_url: str | None = None,
          cache: BuildCache | None = None) -> BuildResult:
    """Build the site in `root` into `dest`. Raises BuildFailed (nothing written) when the
    sources have errors; warnings are returned in the result."""
    check_destination(root, dest)
    config = load_config(root, base_url)
    result = render_site(root, config, options, cache)
    started = time.perf_counter()
    write_site(dest, result.outputs)
    result.timings["write"] = time.perf_counter() - started
    result.written = len(result.outputs)
    return result


def load_site(root: Path, config: SiteConfig, options: BuildOptions, cache: BuildCache | None = None,
              timings: dict[str, float] | None = None, files: ContentFiles | None = None) -> tuple[Site, list[Problem]]:
    """load -> parse -> link. Raises BuildFailed when any error was found. `files`, when
    given, stands for what load_content(root) would read (the preview keeps it in memory)."""
    site, problems = collect_site(root, config, options, cache, timings, files)
    if any(p.is_error for p in problems):
        raise BuildFailed(problems)
    return site, problems


def collect_site(root: Path, config: SiteConfig, options: BuildOptions, cache: BuildCache | None = None,
                 timings: dict[str, float] | None = None, files: ContentFiles | None = None) -> tuple[Site, list[Problem]]:
    """load -> parse -> link without failing: the Site of whatever parsed, and every problem
    found, errors included (`sitegen check` reports them all, then lints the Site)."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    files = files if files is not None else load_content(root)
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    problems = list(files.problems)
    stories, pages, storylines = parse_all(files, config, problems, cache)
    timings["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    site, link_problems = link_site(config, stories, pages, storylines, options)
    problems += link_problems
    timings["link"] = time.perf_counter() - started
    return site, sorted(problems, key=Problem.sort_key)


def parse_all(files: ContentFiles, config: SiteConfig, problems: list[Problem], cache: BuildCache | None = None):
    stories, pages, storylines = [], [], []
    for kind, sources, parse, into in (("story", files.stories, parse_story, stories),
                                       ("page", files.pages, parse_page, pages),
                                       ("storyline", files.storylines, parse_storyline_file, storylines)):
        for source in sources:
            key = (kind, source.rel_path, source.digest, config.raw_html)
            found = cache.parsed.get(key) if cache is not None else None
            if found is None:
                found = parse(source, config.raw_html)
                if cache is not None:
                    cache.parsed[key] = found
            value, file_problems = found
            problems.extend(file_problems)
            if value is not None:
                into.append(value)
    return stories, pages, storylines


def render_site(root: Path, config: SiteConfig, options: BuildOptions, cache: BuildCache | None = None,
                files: ContentFiles | None = None, renderer: Renderer | None = None) -> BuildResult:
    """`renderer`, when given, is one from an earlier build whose layouts have not changed
    since (the preview keeps it, so its compiled layouts are reused)."""
    result = BuildResult()
    site, result.problems = load_site(root, config, options, cache, result.timings, files)
    started = time.perf_counter()
    static = collect_assets(static_dirs(root))
    result.problems = sorted(result.problems + static.problems, key=Problem.sort_key)
    renderer = renderer.with_assets(static.manifest.url) if renderer is not None else Renderer(root, static.manifest.url)
    key_base = _key_base(config, options, static.manifest.key())
    result.site, result.plans = site, plan_pages(site)
    try:
        pages = [_render_page(renderer, site, plan, key_base, cache, result) for plan in result.plans]
    except LayoutError as exc:
        raise BuildFailed(result.problems + [exc.to_problem()]) from None
    result.outputs = pages + static.files
    result.timings["render"] = time.perf_counter() - started
    return result


def _key_base(config: SiteConfig, options: BuildOptions, assets: tuple = ()) -> str:
    # The asset manifest: a CSS change re-hashes its name, and every page refers to it.
    return hashlib.sha256(repr((__version__, config, options.drafts, assets)).encode()).hexdigest()


# Outputs made by Python rather than a layout, by PagePlan.kind; each returns the file's bytes.
GENERATORS = {
    "feed": lambda site, plan: feeds.render_feed(site),
    "tag_feed": lambda site, plan: feeds.render_feed(site, plan.subject),
    "sitemap": lambda site, plan: sitemap.render_sitemap(plan.inputs),
    "robots": lambda site, plan: sitemap.render_robots(site),
    "redirects": lambda site, plan: redirects.render_rules(plan.inputs),
    "alias": lambda site, plan: redirects.render_stub(site, *plan.inputs),
}


def _render_page(renderer: Renderer, site: Site, plan: PagePlan, key_base: str, cache: BuildCache | None,
                 result: BuildResult) -> OutputFile:
    key = ""
    if cache is not None:
        # Only the layouts this page's template uses, so editing one re-renders its pages.
        key = hashlib.sha256(repr((key_base, renderer.template_digest(plan.template), plan)).encode()).hexdigest()
        content = cache.pages.get(key)
        if content is not None:
            result.cache_hits += 1
            return OutputFile(plan.dest, content, plan.media_type)
    result.rendered.append(plan.dest)
    generate = GENERATORS.get(plan.kind)
    if generate is not None:
        content = generate(site, plan)
    else:
        html = renderer.render(plan.template, page_context(site, plan))
        content = minify_page(html).encode("utf-8")
    if cache is not None:
        cache.pages[key] = content
    return OutputFile(plan.dest, content, plan.media_type)
