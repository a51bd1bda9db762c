"""A progress bar on stderr for builds that take a while, and the one-line summary.

The bar appears only on a terminal, only once a build has run for more than a second
(quick builds stay quiet), and is erased before anything else is printed, so the problem
list and the summary read the same with or without it."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .model import BuildResult

SHOW_AFTER = 1.0  # seconds
REDRAW_EVERY = 0.1  # seconds
WIDTH = 30


class Progress:
    """Stage names and item counts in, a redrawn line out. `Progress.silent()` draws nothing."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, clock=time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.clock = clock
        self.started = clock()
        self.stage, self.done, self.total = "", 0, 0
        self.drawn = False
        self.last_draw = 0.0

    @classmethod
    def silent(cls) -> "Progress":
        return cls(enabled=False)

    def begin(self, stage: str, total: int) -> None:
        self.stage, self.done, self.total = stage, 0, total
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._draw(force=self.done >= self.total)

    def finish(self) -> None:
        """Erase the bar (call before printing anything else)."""
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn = False

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < SHOW_AFTER or (not force and now - self.last_draw < REDRAW_EVERY):
            return
        self.last_draw = now
        fraction = self.done / self.total if self.total else 1.0
        filled = int(WIDTH * fraction)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r\033[K{self.stage:<8} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
        self.drawn = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def summary(result: BuildResult, seconds: float) -> str:
    """One line: pages written, pages unchanged, cache hits, seconds."""
    return (f"{result.written} file{'s' if result.written != 1 else ''} written, {result.unchanged} unchanged, "
            f"{result.cache_hits} cache hit{'s' if result.cache_hits != 1 else ''}, in {seconds:.2f} s.")
