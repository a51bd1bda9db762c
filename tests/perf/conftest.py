"""tests/perf imports the benchmark helpers in benchmarks/, which live beside sitegen/ in
the repository rather than in the installed package."""

import sys

from conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
