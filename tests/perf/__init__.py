"""Performance tests: the related-story fast path, byte-identical cached and parallel builds, the benchmark smoke run."""
