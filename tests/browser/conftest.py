"""Shared browser fixtures: one headless Debian Chromium per test session, and static file
servers on 127.0.0.1 that are stopped when the test ends.

Browser tests skip with a visible reason when /usr/bin/chromium is missing, except when
CI=true: there a missing browser fails the run, so CI can never pass without them."""

from __future__ import annotations

import functools
import os
import threading
from contextlib import ExitStack, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def require_browser() -> None:
    """Skip (or, under CI=true, fail) when the browser or Playwright is not available."""
    problem = ""
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing; install it with `apt-get install -y chromium` to run browser tests"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright for Python is not installed; run `pip install -e '.[test]'`"
    if not problem:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium shared by every browser test; each test opens its own context."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # keep test output readable
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 and a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="static-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def serve_static():
    """serve_static(folder) -> base URL; every server started is stopped after the test."""
    with ExitStack() as stack:
        yield lambda root: stack.enter_context(serve_directory(Path(root)))
