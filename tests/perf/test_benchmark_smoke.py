"""The benchmark harness runs end to end (tiny sizes, one run), so CI proves it works.
No timing is asserted: speed is measured by benchmarks/run.py, not by tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_run_writes_a_table_and_json(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--smoke", "--json", str(out), "--work", str(tmp_path / "work")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0]
    for column in ("cold wall s", "cold CPU s", "stories/s", "peak RSS MB", "no change s", "body edit s", "tags edit s", "related s"):
        assert column in header
    report = json.loads(out.read_text(encoding="utf-8"))
    [size] = report["builds"]
    for measure in ("cold", "no_change", "body_edit", "tags_edit"):
        found = report["builds"][size][measure]
        assert found["wall_s"] > 0 and found["cpu_s"] > 0 and found["peak_rss_mb"] > 0
        assert len(found["runs"]) == report["runs"] == 1
        assert 0 <= found["runs"][0]["system_s"] <= found["runs"][0]["cpu_s"]
    cold = report["builds"][size]["cold"]["runs"][0]
    assert f"  {int(size):,}: {cold['wall_s']:.2f} ({cold['system_s']:.2f})" in done.stdout.splitlines()
    assert report["builds"][size]["cold"]["stories_per_s"] > 0
    [related] = report["related"].values()
    assert related["wall_s"] > 0 and related["runs"][0]["peak_rss_mb"] > 0
    assert not list((tmp_path / "work").iterdir())  # generated sites are cleaned up


def test_generated_corpus_is_deterministic_and_shaped_like_the_issue(tmp_path):
    sys.path.insert(0, str(REPO))
    from benchmarks.corpus import generate_corpus, story_specs

    generate_corpus(tmp_path / "a", 30, seed=4)
    generate_corpus(tmp_path / "b", 30, seed=4)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    specs = story_specs(3000)
    top = max({t for s in specs for t in s.tags}, key=lambda t: sum(t in s.tags for s in specs))
    share = sum(top in s.tags for s in specs) / len(specs)
    assert 0.5 < share < 0.7
    assert all(3 <= len(s.tags) <= 7 for s in specs)
    assert len({t for s in specs for t in s.tags}) > 300
    assert story_specs(50) == story_specs(3000)[:50]  # a small corpus is the start of a larger one
    text = (tmp_path / "a/content/stories/story-000010.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    assert 600 <= len(body.split()) <= 1400 and "\n## " in body and "[^src-10-0]" in body
