"""Builds with the disk cache: the part of the orchestrator that reads and updates
.sitegen-cache/ (cache.py) around the same stages build.py runs.

Before anything is parsed, the inputs' digest is compared with the last build into the
same folder: if nothing changed, no scheduled story came due and the output folder still
holds exactly what that build wrote, the build is done. Otherwise parse results and the
related map come from the cache, pages whose key and bytes the output folder already
has are kept without rendering, rendered pages are written by the workers into the
spare copy of the output (write.SpareWriter), and the spare is swapped in."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from pathlib import Path

from .assets import StaticAssets, collect_assets
from .build import BuildCache, render_site
from .cache import DiskCache
from .config import SiteConfig
from .load import ContentFiles, load_content
from .model import BuildOptions, BuildResult
from .progress import Progress
from .render import layouts_digest, static_dirs
from .write import FileState, SpareWriter, StaleOutput, Trees, can_keep_spare, write_site


def build_cached(root: Path, dest: Path, config: SiteConfig, options: BuildOptions, disk: DiskCache,
                  progress: Progress) -> BuildResult:
    started = time.perf_counter()
    files = load_content(root)
    static = collect_assets(static_dirs(root))
    loaded = time.perf_counter() - started
    where = str(dest.resolve())
    stored = _a_dict(disk.get("trees"))
    trees = _trees(disk, dest, where, stored)
    inputs = _inputs_digest(config, options, files, static, layouts_digest(root))
    last = _a_dict(disk.get("last-build"))
    record = last.get(where)
    if _nothing_changed(record, inputs, trees, options):
        result = BuildResult(problems=list(record["problems"]), unchanged=len(trees.dest_files), notes=disk.notes)
        result.timings["check"] = time.perf_counter() - started
        return result

    cache_started = time.perf_counter()
    memory = BuildCache(parsed=disk.parsed(), related=_a_dict(disk.get("related")))
    related_before = set(memory.related)
    index = _a_dict(disk.get("pages"))  # page key -> digest of the bytes it produced
    cache_seconds = time.perf_counter() - cache_started
    spare_ok = can_keep_spare(dest, trees.spare)
    keys: dict[str, str] = {}  # output path -> page key, for the next build's index

    def reuse(rel: str, key: str) -> bytes | None:
        keys[rel] = key
        digest = index.get(key)
        return digest if digest is not None and trees.has(rel, digest) else None

    writer = SpareWriter(trees) if spare_ok else None
    result = render_site(root, config, options, memory, files, static=static, progress=progress,
                         reuse=reuse if writer else None, sink=writer)
    result.timings["load"] = loaded
    result.timings["cache"] = cache_seconds
    progress.finish()
    write_started = time.perf_counter()
    if writer is not None:
        try:
            report = writer.finish(result.outputs, result.kept)
        except StaleOutput:  # someone changed the output folder meanwhile: render it all
            index.clear()
            writer = SpareWriter(trees)
            result = render_site(root, config, options, memory, files, static=static, reuse=reuse, sink=writer)
            report = writer.finish(result.outputs, {})
        result.written, result.unchanged = report.written, report.unchanged
    else:
        write_site(dest, result.outputs)
        trees.dest_files, trees.spare_files = {}, {}
        result.written = len(result.outputs)
    result.timings["write"] = time.perf_counter() - write_started

    save_started = time.perf_counter()
    used = {(kind, s.rel_path, s.digest, config.raw_html) for kind, group in
            (("story", files.stories), ("page", files.pages), ("storyline", files.storylines)) for s in group}
    disk.save_parsed({key: memory.parsed[key] for key in used if key in memory.parsed})
    if set(memory.related) != related_before:
        disk.put("related", memory.related)
    new_index = {key: trees.dest_files[rel].digest for rel, key in keys.items() if rel in trees.dest_files}
    if new_index != index:
        disk.put("pages", new_index)
    stored[where] = (_plain(trees.dest_files), _plain(trees.spare_files))
    disk.put("trees", stored)
    last[where] = {"inputs": inputs, "problems": result.problems, "valid_until": _valid_until(memory, used, options)}
    disk.put("last-build", last)
    result.notes = disk.notes
    result.timings["save"] = time.perf_counter() - save_started
    result.timings["total"] = time.perf_counter() - started
    return result


def _a_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _trees(disk: DiskCache, dest: Path, where: str, stored: dict) -> Trees:
    """The output folder and its spare copy in the cache, with what each was last seen to hold."""
    spare = disk.folder / "spare" / hashlib.sha256(where.encode()).hexdigest()[:16]
    try:
        dest_files, spare_files = stored.get(where, ({}, {}))
    except (TypeError, ValueError):
        dest_files, spare_files = {}, {}
    return Trees(dest, spare, _unplain(dest_files), _unplain(spare_files))


def _plain(files: dict[str, FileState]) -> dict[str, tuple]:
    return {rel: (f.digest, f.size, f.mtime_ns, f.inode) for rel, f in files.items()}


def _unplain(files) -> dict[str, FileState]:
    try:
        return {rel: FileState(*fields) for rel, fields in files.items()}
    except (AttributeError, TypeError):
        return {}


def _inputs_digest(config: SiteConfig, options: BuildOptions, files: ContentFiles, static: StaticAssets,
                   layouts: str) -> str:
    """Everything a build reads, apart from the clock (see _valid_until)."""
    digest = hashlib.sha256(repr((config, options.drafts, options.future, options.now, layouts)).encode())
    for group in (files.stories, files.pages, files.storylines):
        for source in group:
            digest.update(f"{source.rel_path}\0{source.digest}\0".encode())
    digest.update(repr((files.problems, static.problems, static.manifest.key())).encode())
    for output in static.files:
        digest.update(output.dest.encode() + b"\0" + hashlib.sha256(output.content).digest())
    return digest.hexdigest()


def _valid_until(memory: BuildCache, used: set[tuple], options: BuildOptions) -> datetime | None:
    """When the clock alone would change the site: the first story still dated in the future."""
    if options.future or options.now is not None:
        return None
    now = datetime.now(timezone.utc)
    dates = [value[0].date for key, value in memory.parsed.items() if key in used and key[0] == "story"
             and value[0] is not None and value[0].date > now and (options.drafts or not value[0].draft)]
    return min(dates, default=None)


def _nothing_changed(record, inputs: str, trees: Trees, options: BuildOptions) -> bool:
    """The last build into this folder read exactly these inputs, no scheduled story has
    come due since, and the folder still holds exactly what that build wrote."""
    if not isinstance(record, dict) or record.get("inputs") != inputs or not trees.dest_files:
        return False
    due = record.get("valid_until")
    if due is not None and (options.now or datetime.now(timezone.utc)) >= due:
        return False
    return trees.holds_exactly()
