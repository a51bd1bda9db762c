"""Benchmarks: a generated corpus (corpus.py) and the build benchmark (run.py)."""
