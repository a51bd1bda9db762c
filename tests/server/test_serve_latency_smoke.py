"""The preview latency benchmark runs end to end on a small corpus (figures are not checked:
speed belongs in the benchmark's report, not in a test)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def test_serve_latency_benchmark_runs_on_a_small_corpus(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "serve_latency.py"), "--stories", "50", "--runs", "2",
                             "--json", str(tmp_path / "latency.json")],
                            capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"stories=50 runs=2 median=\d+ ms", result.stdout)
    assert len(re.findall(r"run \d: save -> reload event \d+ ms", result.stdout)) == 2
    assert '"median_s"' in (tmp_path / "latency.json").read_text()
