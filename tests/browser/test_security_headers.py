"""Pages served with netlify.toml's headers work in a real browser: the Content-Security-Policy
blocks nothing the site needs (styles load, aligned table cells keep their alignment, alias
pages still redirect) and reports no violation."""

from __future__ import annotations

import functools
import re
import threading
import tomllib
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sitegen.build import build

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


def header_rules() -> list[tuple[re.Pattern, dict]]:
    """netlify.toml's [[headers]] as (path regex, values), matched the way Netlify matches."""
    rules = []
    for rule in tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))["headers"]:
        parts = []
        for part in rule["for"].split("/")[1:]:
            parts.append(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part))
        rules.append((re.compile("^/" + "/".join(parts) + "$"), rule["values"]))
    return rules


class _HostHandler(SimpleHTTPRequestHandler):
    rules: list = []

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0]
        for pattern, values in self.rules:
            if pattern.match(path):
                for name, value in values.items():
                    if name.lower() != "content-type":  # the file server already sends one
                        self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def serve_like_netlify(root: Path):
    handler = type("Handler", (_HostHandler,), {"rules": header_rules()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_sample_pages_work_under_the_content_security_policy(browser, tmp_path):
    (tmp_path / "site/content/stories").mkdir(parents=True)
    for name in ("content", "static", "layouts"):
        source = REPO / name
        if source.is_dir():
            import shutil
            shutil.copytree(source, tmp_path / "site" / name, dirs_exist_ok=True)
    (tmp_path / "site/pyproject.toml").write_text((REPO / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "site/content/stories/aligned-table.md").write_text(
        '---\ntitle: "Aligned"\ndek: "A table."\ndate: 2026-01-02\ntags: [EU AI Act]\n---\n'
        "## Table\n\n| left | centre | right |\n|:--|:-:|--:|\n| a | b | c |\n", encoding="utf-8")
    out = tmp_path / "public"
    build(tmp_path / "site", out)
    alias = next(line.split()[0] for line in (out / "_redirects").read_text().splitlines() if line.startswith("/"))

    violations: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    with serve_like_netlify(out) as base:
        for path in ("/", "/stories/eu-ai-act-august-milestone/", "/tags/", "/404.html", "/stories/aligned-table/"):
            response = page.goto(base + path)
            assert response.status == 200 and "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
            assert page.evaluate("document.styleSheets.length >= 1 && document.styleSheets[0].cssRules.length > 0"), path
        aligns = page.evaluate("[...document.querySelectorAll('th')].map(th => getComputedStyle(th).textAlign)")
        assert aligns == ["left", "center", "right"]
        page.goto(base + alias)
        page.wait_for_url(re.compile(r".*/stories/[^/]+/$"), timeout=10_000)
    context.close()
    assert violations == []
