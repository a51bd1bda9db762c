"""Build benchmark: cold and incremental builds of generated sites, and the related step.

    python benchmarks/run.py                       # N = 1,000 / 4,000 / 10,000; related also at 100,000
    python benchmarks/run.py --sizes 1000 --runs 5 --related-sizes 1000,100000
    python benchmarks/run.py --smoke               # tiny sizes, one run: proves the harness works

Every build runs `sitegen build` in its own process, so wall time includes start-up,
CPU time and peak RSS come from os.wait4 (the build and its worker processes), and the
cache and output folder are exactly what a user would have. For each size:

  cold        no .sitegen-cache/, no output folder (each run starts from nothing; earlier
              trees are moved aside, not deleted: see set_aside)
  no change   the same build again
  body edit   one story's text changed (the first also creates the cache's spare copy
              of the output, which later builds reuse; see the JSON for every run)
  tags edit   one story's tags changed (IDF weights and related cards move)
  related     TagIndex + every story's cards, in-process on the generated stories only

Before measuring, the harness byte-compiles the sitegen the builds import, as pip does
when it installs a package. A checkout where Python may not write bytecode (for example
with PYTHONDONTWRITEBYTECODE set) would otherwise compile every module again at the start
of every build, some 60 ms that an installed sitegen never spends.

Medians of --runs runs (default 5). Prints a table, every cold run, and writes JSON (--json).
The cold runs show their system CPU time: on this kind of machine, creating a file or a
folder costs the kernel from 25 us to over 500 us with the state of the disk, and a
10,000-story build creates some 31,000."""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import StoryRecord, TagRecord, generate_corpus, story_specs  # noqa: E402

TARGETS = {  # (measure, stories) -> seconds, from the performance issue (2 cores)
    ("cold", 1000): 3.0, ("cold", 4000): 10.0, ("cold", 10000): 25.0,
    ("no_change", 10000): 1.5, ("body_edit", 10000): 2.0, ("tags_edit", 10000): 4.0,
    ("related", 100000): 10.0,
}
RSS_TARGET_MB = {10000: 1024}


@dataclass
class Run:
    wall: float
    cpu: float  # user + system
    rss_mb: float
    system: float = 0.0  # the kernel's share of cpu: page faults, creating and writing files

    def as_dict(self) -> dict:
        return {"wall_s": round(self.wall, 3), "cpu_s": round(self.cpu, 3), "system_s": round(self.system, 3),
                "peak_rss_mb": round(self.rss_mb, 1)}


def compile_sitegen() -> Path:
    """Write the bytecode of the sitegen package run_build runs (REPO first on its path)."""
    package = REPO / "sitegen"
    compileall.compile_dir(str(package), quiet=1)
    return package


def run_build(site: Path, out: Path, jobs: int) -> Run:
    """One `sitegen build` in a fresh process; wall, CPU (user+sys, workers included), peak RSS."""
    command = [sys.executable, "-m", "sitegen", "build", "-q", "-s", str(site), "-d", str(out), "-j", str(jobs)]
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}):\n{errors}")
    # On Linux, wait4 reports the child with the children it reaped: the pool workers.
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, usage.ru_stime)


def edit_body(site: Path, number: int, run: int) -> None:
    path = site / f"content/stories/story-{number:06d}.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\nA correction added in benchmark run {run}.\n", encoding="utf-8")


def edit_tags(site: Path, number: int, run: int) -> None:
    """Give the story a new tag (replacing the one an earlier run added)."""
    path = site / f"content/stories/story-{number:06d}.md"
    text = path.read_text(encoding="utf-8")
    line = re.search(r"^tags: \[(.*)\]$", text, flags=re.M)
    assert line is not None
    tags = re.sub(r', "Benchmark Tag [0-9]+"', "", line.group(1)) + f', "Benchmark Tag {run}"'
    path.write_text(text[:line.start(1)] + tags + text[line.end(1):], encoding="utf-8")


def measure_builds(stories: int, runs: int, jobs: int, work: Path) -> dict:
    site, out = work / f"site-{stories}", work / f"out-{stories}"
    set_aside(site, work)
    generate_corpus(site, stories)
    set_aside(out, work)
    result: dict[str, list[Run]] = {"cold": [], "no_change": [], "body_edit": [], "tags_edit": []}
    for _ in range(runs):
        set_aside(site / ".sitegen-cache", work)
        set_aside(out, work)
        result["cold"].append(run_build(site, out, jobs))
    for _ in range(runs):
        result["no_change"].append(run_build(site, out, jobs))
    middle = stories // 2
    for run in range(runs):
        edit_body(site, middle, run)
        result["body_edit"].append(run_build(site, out, jobs))
    for run in range(runs):
        edit_tags(site, middle + 1, run)
        result["tags_edit"].append(run_build(site, out, jobs))
    set_aside(site, work)
    set_aside(out, work)
    summary = {name: summarize(values) for name, values in result.items()}
    summary["cold"]["stories_per_s"] = round(stories / summary["cold"]["wall_s"], 1)
    return summary


SET_ASIDE = "set-aside"


def set_aside(path: Path, work: Path) -> None:
    """Move a tree out of the way; main() deletes them all once every build is measured.
    Deleting thousands of files right before a cold build would make that build pay for
    it, not for its own work: on this machine's ext4 the kernel then searches past the
    recently freed inodes for every file it creates (profiled: most of the extra time is
    in ext4's recently_deleted), and a 1,000-story cold build took 2.2 s of system time
    instead of 0.6 s."""
    if path.exists():
        aside = work / SET_ASIDE
        aside.mkdir(exist_ok=True)
        path.rename(aside / f"{len(list(aside.iterdir())):04d}-{path.name}")


def summarize(values: list[Run]) -> dict:
    return {
        "wall_s": round(statistics.median(v.wall for v in values), 3),
        "cpu_s": round(statistics.median(v.cpu for v in values), 3),
        "peak_rss_mb": round(max(v.rss_mb for v in values), 1),
        "runs": [v.as_dict() for v in values],
    }


def measure_related(stories: int, runs: int, jobs: int) -> dict:
    """The related step alone, in a fresh process per run (so memory and forks are its own)."""
    values = []
    for _ in range(runs):
        command = [sys.executable, str(Path(__file__).resolve()), "--related-once", str(stories), "--jobs", str(jobs)]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(process.stderr.read().decode(errors="replace"))
        inner = json.loads(process.stdout.read())
        values.append({"step_s": inner["step_s"], "index_s": inner["index_s"], "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
                       "process_s": round(time.perf_counter() - started, 3), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)})
    return {"wall_s": round(statistics.median(v["step_s"] for v in values), 3), "runs": values}


def related_once(stories: int, jobs: int) -> dict:
    """Time related_map over generated stories, as the build runs it (every core)."""
    from sitegen.parallel import map_in_order
    from sitegen.related import TagIndex, related_map

    specs = story_specs(stories)
    published = sorted((StoryRecord(s.slug, tuple(TagRecord(t) for t in s.tag_slugs), s.date, s.storyline) for s in specs),
                       key=lambda s: (-s.date.timestamp(), s.slug))
    picks = {s.slug: list(s.picks) for s in specs if s.picks}
    started = time.perf_counter()
    TagIndex(published)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    cards = related_map(published, picks, 5, lambda func, items, context: map_in_order(func, items, context, jobs))
    step_s = time.perf_counter() - started
    assert len(cards) == stories
    return {"stories": stories, "step_s": round(step_s, 3), "index_s": round(index_s, 3)}


def verdicts(report: dict) -> list[str]:
    lines = []
    builds, related = report["builds"], report["related"]
    for (measure, stories), target in TARGETS.items():
        if measure == "related":
            found = related.get(str(stories), {}).get("wall_s")
        else:
            found = builds.get(str(stories), {}).get(measure, {}).get("wall_s")
        if found is not None:
            lines.append(f"{measure.replace('_', ' ')} {stories:,}: {found:.2f} s (target {target:g} s) {'met' if found <= target else 'NOT met'}")
    if "1000" in builds and "10000" in builds:
        growth = builds["10000"]["cold"]["wall_s"] / builds["1000"]["cold"]["wall_s"]
        lines.append(f"cold growth 1k -> 10k: {growth:.1f}x (target <= 11x) {'met' if growth <= 11 else 'NOT met'}")
    if "10000" in related and "100000" in related:
        growth = related["100000"]["wall_s"] / related["10000"]["wall_s"]
        lines.append(f"related growth 10k -> 100k: {growth:.1f}x (target <= 15x) {'met' if growth <= 15 else 'NOT met'}")
    for stories, limit in RSS_TARGET_MB.items():
        found = builds.get(str(stories), {}).get("cold", {}).get("peak_rss_mb")
        if found is not None:
            lines.append(f"peak RSS {stories:,}: {found:.0f} MB (target <= {limit} MB) {'met' if found <= limit else 'NOT met'}")
    return lines


def table(report: dict) -> str:
    rows = [("stories", "cold wall s", "cold CPU s", "stories/s", "peak RSS MB", "no change s", "body edit s", "tags edit s", "related s")]
    sizes = sorted({int(n) for n in report["builds"]} | {int(n) for n in report["related"]})
    for n in sizes:
        b, r = report["builds"].get(str(n)), report["related"].get(str(n))

        def cell(measure: str, key: str = "wall_s") -> str:
            return f"{b[measure][key]:.2f}" if b else "-"

        rows.append((f"{n:,}", cell("cold"), cell("cold", "cpu_s"), f"{b['cold']['stories_per_s']:.0f}" if b else "-",
                     f"{b['cold']['peak_rss_mb']:.0f}" if b else "-", cell("no_change"), cell("body_edit"), cell("tags_edit"),
                     f"{r['wall_s']:.2f}" if r else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(value.rjust(width) for value, width in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def cold_runs(report: dict) -> str:
    """Each cold build, in the order run: wall seconds and, in brackets, system CPU seconds."""
    lines = ["cold runs, wall s (system CPU s):"]
    for n, found in sorted(report["builds"].items(), key=lambda item: int(item[0])):
        runs = ", ".join(f"{run['wall_s']:.2f} ({run['system_s']:.2f})" for run in found["cold"]["runs"])
        lines.append(f"  {int(n):,}: {runs}")
    return "\n".join(lines)


def sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark sitegen builds on generated sites.")
    parser.add_argument("--sizes", type=sizes, default=[1000, 4000, 10000], help="comma-separated story counts to build")
    parser.add_argument("--related-sizes", type=sizes, default=[1000, 4000, 10000, 100000], help="story counts for the related step alone")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure; medians are reported")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default 0: one per core)")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results.json", help="where to write the results")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder for generated sites (default: a temporary one)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and one run, to check the harness in seconds")
    parser.add_argument("--related-once", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.related_once:
        print(json.dumps(related_once(args.related_once, args.jobs)))
        return 0
    if args.smoke:
        args.sizes, args.related_sizes, args.runs = [40], [300], 1
    compile_sitegen()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": args.runs, "jobs": args.jobs, "builds": {}, "related": {},
    }
    try:
        for n in args.sizes:
            print(f"building {n:,} stories ({args.runs} runs each)...", file=sys.stderr, flush=True)
            report["builds"][str(n)] = measure_builds(n, args.runs, args.jobs, work)
        for n in args.related_sizes:
            print(f"related step for {n:,} stories...", file=sys.stderr, flush=True)
            report["related"][str(n)] = measure_related(n, args.runs, args.jobs)
    finally:
        shutil.rmtree(work / SET_ASIDE, ignore_errors=True)
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    report["verdicts"] = verdicts(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    print()
    print(cold_runs(report))
    print()
    print("\n".join(report["verdicts"]))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
