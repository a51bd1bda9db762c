"""The orchestrator: load -> parse -> link -> render -> minify -> write, nothing else.

Caching and parallelism wrap the stages from here; the stages never see either:
- a BuildCache (in memory; the preview keeps one) carries parse results, the related
  map and page bytes from one build to the next, keyed by what they were made from;
- with disk_cache=True, build() hands over to cached_build.py, which fills that
  BuildCache from .sitegen-cache/ (cache.py), keeps pages whose bytes the output folder
  already holds instead of rendering them, writes only files whose bytes changed, and
  skips everything when no input changed since the last build into the same folder;
- parallel.map_in_order runs parsing, related cards and rendering on every core.
Every path gives byte-identical output to a serial build without a cache."""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any, Callable, Collection, Protocol

from . import __version__
from . import feeds, redirects, sitemap
from .assets import StaticAssets, collect_assets
from .cache import DiskCache
from .config import SiteConfig, load_config
from .errors import BuildFailed, DamagedCache, Problem, SourceError
from .link import link_site
from .load import ContentFiles, load_content
from .minify import minify_page
from .model import BuildOptions, BuildResult, OutputFile, Site, SourceFile, Story
from .parallel import map_in_order, worker_count
from .progress import Progress
from .related import related_map, rerank_after_tag_edits
from .render import Renderer, static_dirs
from .stories import parse_page, parse_story, parse_storyline_file
from .views import PagePlan, page_context, plan_pages
from .write import SpareWriter, check_destination, write_site


class PageReuse(Protocol):
    """What render_site asks of `reuse` (cached_build.KeptPages): the digest of bytes the
    output folder already holds for a page with this key, or None; it also notes every
    page's key and what its keyed bytes name, for the next build."""

    can_keep: bool  # False: no page can be kept, so keys are made where the pages render

    def __call__(self, dest: str, key: str, keyed: bytes) -> bytes | None: ...

    def named_in(self, keyed: bytes) -> Any: ...  # what note() keeps of a page's keyed bytes

    def note(self, dest: str, key: str, named: Any) -> None: ...


@dataclass
class BuildCache:
    """Memory of earlier builds: parse results by source digest, the related map by a
    digest of the site graph, page bytes by input key."""

    parsed: dict[tuple, tuple] = field(default_factory=dict)
    pages: dict[str, bytes] = field(default_factory=dict)
    related: dict[str, tuple] = field(default_factory=dict)  # only the latest: key -> (count, graph rows, cards)


def build(root: Path, dest: Path, options: BuildOptions = BuildOptions(), base_url: str | None = None,
          cache: BuildCache | None = None, disk_cache: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the site in `root` into `dest`. Raises BuildFailed (nothing written) when the
    sources have errors; warnings are returned in the result. With disk_cache, reuse and
    update root/.sitegen-cache/."""
    check_destination(root, dest)
    config = load_config(root, base_url)
    progress = progress or Progress.silent()
    with _few_collections():
        if disk_cache:
            from .cached_build import build_cached  # it builds on this module's stages

            with DiskCache.open(root) as disk:
                return build_cached(root, dest, config, options, disk, progress)
        result = render_site(root, config, options, cache, progress=progress)
        started = time.perf_counter()
        progress.finish()
        write_site(dest, result.outputs)
        result.timings["write"] = time.perf_counter() - started
        result.written = len(result.outputs)
        return result


@contextmanager
def _few_collections():
    """A build allocates millions of small objects and frees few before it ends, so the
    garbage collector's default pace (a pass every 700 allocations, the oldest generation
    rescanned as the heap grows) costs a tenth of the time and finds next to nothing."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def load_site(root: Path, config: SiteConfig, options: BuildOptions, cache: BuildCache | None = None,
              timings: dict[str, float] | None = None, files: ContentFiles | None = None,
              progress: Progress | None = None, after_parse: Callable[[], None] | None = None) -> tuple[Site, list[Problem]]:
    """load -> parse -> link. Raises BuildFailed when any error was found. `files`, when
    given, stands for what load_content(root) would read (the preview keeps it in memory).
    `after_parse`, when given, is called once every file is parsed (cache.parsed filled)."""
    site, problems = collect_site(root, config, options, cache, timings, files, progress, after_parse)
    if any(p.is_error for p in problems):
        raise BuildFailed(problems)
    return site, problems


def collect_site(root: Path, config: SiteConfig, options: BuildOptions, cache: BuildCache | None = None,
                 timings: dict[str, float] | None = None, files: ContentFiles | None = None,
                 progress: Progress | None = None, after_parse: Callable[[], None] | None = None) -> tuple[Site, list[Problem]]:
    """load -> parse -> link without failing: the Site of whatever parsed, and every problem
    found, errors included (`sitegen check` reports them all, then lints the Site)."""
    timings = timings if timings is not None else {}
    progress = progress or Progress.silent()
    started = time.perf_counter()
    files = files if files is not None else load_content(root)
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    problems = list(files.problems)
    stories, pages, storylines = parse_all(files, config, problems, cache, options.jobs, progress)
    if after_parse is not None:
        after_parse()
    timings["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    site, link_problems = link_site(config, stories, pages, storylines, options, _related_step(cache, options.jobs, progress))
    problems += link_problems
    timings["link"] = time.perf_counter() - started
    return site, sorted(problems, key=Problem.sort_key)


PARSERS = {"story": parse_story, "page": parse_page, "storyline": parse_storyline_file}


def parse_all(files: ContentFiles, config: SiteConfig, problems: list[Problem], cache: BuildCache | None = None,
              jobs: int = 1, progress: Progress | None = None):
    """Parse every file not found in the cache, on `jobs` processes (0: every core)."""
    keyed = parse_keys(files, config.raw_html)
    found = {key: cache.parsed[key] for _, _, key in keyed if cache is not None and key in cache.parsed}
    missing = [(kind, source, key) for kind, source, key in keyed if key not in found]
    progress = progress or Progress.silent()
    progress.begin("parse", len(missing))
    parsed = map_in_order(_parse_one, [(kind, source) for kind, source, _ in missing], config.raw_html, jobs, progress.advance)
    for (_, _, key), value in zip(missing, parsed):
        found[key] = value
        if cache is not None:
            cache.parsed[key] = value
    stories, pages, storylines = [], [], []
    into = {"story": stories, "page": pages, "storyline": storylines}
    for kind, _, key in keyed:
        value, file_problems = found[key]
        problems.extend(file_problems)
        if value is not None:
            into[kind].append(value)
    return stories, pages, storylines


def parse_keys(files: ContentFiles, raw_html: bool) -> list[tuple[str, SourceFile, tuple]]:
    """(kind, source, key) for every file, in order; a parse result is cached by its key."""
    return [(kind, source, parse_key(kind, source.rel_path, source.digest, raw_html))
            for kind, sources in (("story", files.stories), ("page", files.pages), ("storyline", files.storylines))
            for source in sources]


def parse_key(kind: str, rel_path: str, digest: str, raw_html: bool) -> tuple:
    return (kind, rel_path, digest, raw_html)


def _parse_one(raw_html: bool, item: tuple) -> tuple:
    kind, source = item
    return PARSERS[kind](source, raw_html)


def _related_step(cache: BuildCache | None, jobs: int, progress: Progress):
    """related_map, cached by a digest of what it reads, on every core."""

    def relate(published: list[Story], picks: dict[str, list[str]], count: int) -> dict:
        rows = graph_rows(published, picks)
        key = hashlib.sha256(plan_bytes((count, rows))).hexdigest()
        last = _latest_related(cache)
        if last is not None and last[0] == key:
            return last[3]

        def run(func, items, context):
            progress.begin("related", len(items))
            return map_in_order(func, items, context, jobs, progress.advance)

        # After a tags edit, only the stories whose cards it can move are ranked again.
        rerank = rerank_after_tag_edits(last[2], rows) if last is not None and last[1] == count else None
        if rerank is not None:
            fresh = related_map(published, picks, count, run, only=rerank)
            cards = {story.slug: fresh[story.slug] if story.slug in fresh else last[3][story.slug] for story in published}
        else:
            cards = related_map(published, picks, count, run)
        if cache is not None:
            cache.related.clear()
            cache.related[key] = (count, rows, cards)
        return cards

    return relate


def graph_rows(published: list[Story], picks: dict[str, list[str]]) -> tuple:
    """Everything related cards depend on, besides the number of cards: each story's slug,
    tags, date, storyline and draft flag, and its checked picks. A body edit keeps them."""
    return tuple((story.slug, tuple(t.slug for t in story.tags), story.date.isoformat(), story.storyline, story.draft,
                  tuple(picks.get(story.slug, ()))) for story in published)


def _latest_related(cache: BuildCache | None) -> tuple | None:
    """(key, count, rows, cards) of the last related map, if the cache holds a sound one."""
    if cache is None or len(cache.related) != 1:
        return None
    (key, value), = cache.related.items()
    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], tuple) and isinstance(value[2], dict)):
        return None
    count, rows, cards = value
    if not all(isinstance(row, tuple) and len(row) == 6 and row[0] in cards for row in rows):
        return None
    return key, count, rows, cards


def render_site(root: Path, config: SiteConfig, options: BuildOptions, cache: BuildCache | None = None,
                files: ContentFiles | None = None, renderer: Renderer | None = None, *,
                static: StaticAssets | None = None, progress: Progress | None = None,
                reuse: PageReuse | None = None,
                sink: SpareWriter | None = None, only: Collection[str] | None = None,
                after_parse: Callable[[], None] | None = None) -> BuildResult:
    """`renderer`, when given, is one from an earlier build whose layouts have not changed
    since (the preview keeps it, so its compiled layouts are reused). `reuse(dest, key,
    keyed)` (keyed: the bytes the key hashes), when given, returns the digest of bytes the
    output folder already holds for a page with that key, or None; such pages are listed
    in result.kept instead of rendered. `sink`, when given, writes each rendered page as it
    is made (sink.place, where it was rendered; sink.record here), instead of adding it to
    result.outputs and the cache. `only`, when given, limits the build to the pages with
    those output paths (plus the static files): the caller knows the others are current.
    `after_parse` is load_site's."""
    progress = progress or Progress.silent()
    result = BuildResult()
    site, result.problems = load_site(root, config, options, cache, result.timings, files, progress, after_parse)
    started = time.perf_counter()
    static = static if static is not None else collect_assets(static_dirs(root))
    result.problems = sorted(result.problems + static.problems, key=Problem.sort_key)
    renderer = renderer.with_assets(static.manifest.url) if renderer is not None else Renderer(root, static.manifest.url)
    key_base = _key_base(config, options, static.manifest.key())
    result.site, result.plans = site, plan_pages(site, only)
    try:
        pages = _render_pages(renderer, site, result.plans, key_base, cache, result, options.jobs, progress, reuse, sink)
    except DamagedCache:
        raise  # the disk-cached build parses afresh
    except SourceError as exc:  # a layout's error
        raise BuildFailed(result.problems + [exc.to_problem()]) from None
    result.outputs = [page for page in pages if page is not None] + static.files
    result.timings["render"] = time.perf_counter() - started
    return result


def _key_base(config: SiteConfig, options: BuildOptions, assets: tuple = ()) -> str:
    # The asset manifest: a CSS change re-hashes its name, and every page refers to it.
    return hashlib.sha256(repr((__version__, config, options.drafts, assets)).encode()).hexdigest()


def keyed_bytes(renderer: Renderer, plan: PagePlan, key_base: str) -> bytes:
    """What a page's key hashes: the plan, the build's key base and, of the layouts, only
    those this page's template uses, so editing one re-renders its pages."""
    fields = tuple(getattr(plan, name) for name in _PLAN_FIELDS)
    return plan_bytes((key_base, renderer.template_digest(plan.template)) + fields)


_PLAN_FIELDS = tuple(f.name for f in dataclass_fields(PagePlan))  # every field, including any added later


def plan_bytes(value: tuple) -> bytes:
    """Plain data (str, int, bool, None, tuples) as bytes that depend on its values only.
    Pickle without its memo: a memo would make the bytes depend on which equal strings
    happen to be one object. Three times faster than repr, and a site has a plan per page."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


# Outputs made by Python rather than a layout, by PagePlan.kind; each returns the file's bytes.
GENERATORS = {
    "feed": lambda site, plan: feeds.render_feed(site),
    "tag_feed": lambda site, plan: feeds.render_feed(site, plan.subject),
    "sitemap": lambda site, plan: sitemap.render_sitemap(plan.inputs),
    "sitemap_index": lambda site, plan: sitemap.render_sitemap_index(plan.inputs),
    "sitemap_part": lambda site, plan: sitemap.render_sitemap(plan.inputs),
    "robots": lambda site, plan: sitemap.render_robots(site),
    "redirects": lambda site, plan: redirects.render_rules(plan.inputs),
    "alias": lambda site, plan: redirects.render_stub(site, *plan.inputs),
}


SHARING_ENTRIES = frozenset({"feed", "tag_feed"})  # kinds of output made of feeds.entry_xml


def render_page(renderer: Renderer, site: Site, plan: PagePlan) -> bytes:
    """One planned page's bytes: a generator's, or a layout's rendered and minified."""
    generate = GENERATORS.get(plan.kind)
    if generate is not None:
        return generate(site, plan)
    return minify_page(renderer.render(plan.template, page_context(site, plan))).encode("utf-8")


def _render_one(context: tuple, plan: PagePlan):
    """Runs where the page is rendered (maybe a worker): with a sink, the page is also
    placed there, and only the sink's small answer travels back. With `keying`, the
    page's key is made here too, and travels back with what `reuse` notes of it."""
    renderer, site, sink, keying = context
    content = render_page(renderer, site, plan)
    made = content if sink is None else sink.place(OutputFile(plan.dest, content, plan.media_type))
    if keying is None:
        return made
    key_base, reuse = keying
    keyed = keyed_bytes(renderer, plan, key_base)
    return hashlib.sha256(keyed).hexdigest(), reuse.named_in(keyed), made


def _render_pages(renderer: Renderer, site: Site, plans: list[PagePlan], key_base: str, cache: BuildCache | None,
                  result: BuildResult, jobs: int, progress: Progress, reuse: PageReuse | None,
                  sink=None) -> list[OutputFile | None]:
    """Pages in plan order (None for pages kept from the output folder or sent to `sink`):
    from the cache where the key is known, the rest rendered on every core."""
    pages: list[OutputFile | None] = [None] * len(plans)
    keys: dict[int, str] = {}
    todo: list[int] = []
    # When no page can come from the cache or the output folder (a first build), keys are
    # only noted for the next build: made by the workers, they cost this process nothing.
    keying = (key_base, reuse) if reuse is not None and not reuse.can_keep and not (cache is not None and cache.pages) else None
    for i, plan in enumerate(plans):
        if keying is None and (cache is not None or reuse is not None):
            keyed = keyed_bytes(renderer, plan, key_base)
            keys[i] = key = hashlib.sha256(keyed).hexdigest()
            content = cache.pages.get(key) if cache is not None else None
            if content is not None:
                result.cache_hits += 1
                pages[i] = OutputFile(plan.dest, content, plan.media_type)
                continue
            digest = reuse(plan.dest, key, keyed) if reuse is not None else None
            if digest is not None:
                result.cache_hits += 1
                result.kept[plan.dest] = digest
                continue
        todo.append(i)
    # Feeds first, all in one worker: they share entries (feeds.entry_xml remembers each
    # story's), which workers splitting them would each make again. Not when they are more
    # than one worker's share of the pages (a small site with many tags): that worker
    # would then hold the others up.
    feeds_first = [i for i in todo if plans[i].kind in SHARING_ENTRIES]
    if len(feeds_first) * worker_count(jobs) > len(todo):
        feeds_first = []
    if feeds_first:
        todo = feeds_first + [i for i in todo if plans[i].kind not in SHARING_ENTRIES]
    progress.begin("render", len(todo))

    def take(position: int, made) -> None:
        i = todo[position]
        plan = plans[i]
        result.rendered.append(plan.dest)
        if keying is not None:
            keys[i], named, made = made
            reuse.note(plan.dest, keys[i], named)
        if sink is not None:
            sink.record(plan.dest, made)  # already written: its bytes are not held
            return
        if cache is not None:
            cache.pages[keys[i]] = made
        pages[i] = OutputFile(plan.dest, made, plan.media_type)

    map_in_order(_render_one, [plans[i] for i in todo], (renderer, site, sink, keying), jobs, progress.advance,
                 consume=take, together=len(feeds_first))
    return pages


def _render_page(renderer: Renderer, site: Site, plan: PagePlan, key_base: str, cache: BuildCache | None,
                 result: BuildResult) -> OutputFile:
    """One page through the in-memory cache (the preview's quick path renders this way)."""
    return _render_pages(renderer, site, [plan], key_base, cache, result, 1, Progress.silent(), None)[0]
