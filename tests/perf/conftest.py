"""tests/perf imports the benchmark helpers in benchmarks/, which live beside sitegen/ in
the repository rather than in the installed package."""

import sys
from pathlib import Path

REPO_ROOT = str(Path(__file__).resolve().parents[2])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
