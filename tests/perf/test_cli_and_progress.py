"""--jobs, --quiet, --no-cache, the summary line and the progress bar."""

from __future__ import annotations

import io
import re

from conftest import story_text
from sitegen.model import BuildResult
from sitegen.progress import Progress, summary

SUMMARY = re.compile(r"^Built .+: \d+ files? written, \d+ unchanged, \d+ cache hits?, in \d+\.\d\d s\.$")


def small_site(make_site):
    return make_site({f"content/stories/s{i}.md": story_text(f"Story {i}", tags=f"[AI Act, Topic {i % 3}]") for i in range(5)})


def test_build_prints_one_summary_line_and_uses_the_cache(make_site, run_cli):
    root = small_site(make_site)
    first = run_cli("build", "-s", root, "-j", "2")
    assert first.returncode == 0, first.stderr
    assert SUMMARY.match(first.stdout.strip()), first.stdout
    assert first.stderr == ""  # not a terminal: no progress bar
    assert (root / ".sitegen-cache").is_dir()
    again = run_cli("build", "-s", root)
    assert re.search(r": 0 files written, \d+ unchanged", again.stdout), again.stdout


def test_quiet_prints_nothing_and_no_cache_leaves_no_cache(make_site, run_cli):
    root = small_site(make_site)
    done = run_cli("build", "-s", root, "-q", "--no-cache", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
    assert not (root / ".sitegen-cache").exists()
    assert (root / "public/index.html").is_file()


def test_jobs_must_be_a_whole_number(make_site, run_cli):
    root = small_site(make_site)
    for bad in ("-1", "many"):
        done = run_cli("build", "-s", root, "--jobs", bad)
        assert done.returncode == 2
        assert "--jobs" in done.stderr and "Traceback" not in done.stderr


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_waits_a_second_then_draws_and_erases_itself():
    clock, stream = Clock(), Terminal()
    bar = Progress(stream, clock=clock)
    bar.begin("render", 10)
    bar.advance(3)
    assert stream.getvalue() == ""  # quick builds stay quiet
    clock.now += 1.5
    bar.advance(2)
    assert "render" in stream.getvalue() and "5/10" in stream.getvalue()
    bar.finish()
    assert stream.getvalue().endswith("\r\033[K")


def test_no_bar_when_not_a_terminal_or_silenced():
    clock = Clock()
    for bar in (Progress(io.StringIO(), clock=clock), Progress(Terminal(), enabled=False, clock=clock)):
        bar.begin("parse", 4)
        clock.now += 5
        bar.advance(4)
        bar.finish()
        assert bar.stream.getvalue() == ""


def test_summary_counts():
    result = BuildResult(written=1, unchanged=20, cache_hits=19)
    assert summary(result, 1.234) == "1 file written, 20 unchanged, 19 cache hits, in 1.23 s."
