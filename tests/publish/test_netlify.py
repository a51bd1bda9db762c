"""netlify.toml: builds like the README, publishes public/, and serves the built sample site
with exact caching (immutable for hashed files only) and security headers everywhere."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from publishing import HASHED, REPO, build_into, files, netlify, netlify_matches, readme_commands, url_of

from sitegen.markdown import render_markdown

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "public"
    build_into(REPO, out, base_url=None)
    return out


def rules_for(path: str, header: str) -> list[str]:
    return [rule["values"][header] for rule in netlify()["headers"] if header in rule["values"] and netlify_matches(rule["for"], path)]


def test_build_command_publish_folder_and_python_version():
    config = netlify()
    assert config["build"]["publish"] == "public"
    readme_build = readme_commands()[0]
    assert readme_build.endswith(config["build"]["command"])
    assert config["build"]["command"].startswith("pip install .") and config["build"]["command"].endswith("sitegen build")
    assert config["build"]["environment"]["PYTHON_VERSION"] == "3.11"


def test_security_headers_apply_to_every_page():
    values = [rule["values"] for rule in netlify()["headers"] if rule["for"] == "/*"]
    assert len(values) == 1
    headers = values[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] and headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    directives = {d.split()[0]: d.split()[1:] for d in headers["Content-Security-Policy"].split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"], "no inline script, no eval"
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]


def test_the_only_inline_styles_allowed_are_the_table_alignments_markdown_writes():
    csp = next(r["values"]["Content-Security-Policy"] for r in netlify()["headers"] if r["for"] == "/*")
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n").html
    styles = set(re.findall(r'style="([^"]*)"', html))
    assert len(styles) == 3
    assert {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in styles} == allowed


def test_cache_rules_never_overlap_and_only_hashed_files_are_immutable(sample):
    served = files(sample)
    assert any(HASHED.search(rel) for rel in served)
    for rel in served:
        urls = [url_of(rel)] + (["/" + rel] if rel.endswith("index.html") else [])
        for url in urls:
            found = rules_for(url, "Cache-Control")
            assert len(found) <= 1, f"{url} gets Cache-Control from {len(found)} rules"
            if HASHED.search(rel):
                assert found == [IMMUTABLE], url
            else:
                assert found in ([], [REVALIDATE]), f"{url} is not content-hashed but would be cached as {found}"


def test_site_pages_feeds_and_crawler_files_revalidate_explicitly(sample):
    for rel in files(sample):
        top = rel.split("/")[0]
        if top in ("index.html", "page", "stories", "tags", "storylines", "404.html", "feed.xml", "sitemap.xml", "robots.txt"):
            assert rules_for(url_of(rel), "Cache-Control") == [REVALIDATE], rel


def test_feeds_are_served_as_atom(sample):
    for rel in ["feed.xml"] + [p.relative_to(sample).as_posix() for p in (sample / "tags").glob("*/feed.xml")]:
        assert rules_for(url_of(rel), "Content-Type") == ["application/atom+xml; charset=utf-8"], rel


def test_404_and_redirects_are_where_netlify_looks(sample):
    assert (sample / "404.html").is_file()
    lines = [line for line in (sample / "_redirects").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert lines, "the sample site has aliases"
    for line in lines:
        old, new, status = line.split()
        assert status == "301!" and (sample / new.strip("/") / "index.html").is_file()
