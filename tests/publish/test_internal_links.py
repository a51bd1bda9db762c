"""Every internal href and src of the built sample site (`sitegen build -s <repo>`) leads to a
file in the output, and every #fragment to an element of that page."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.etree as etree
import pytest
from publishing import REPO, files, local_target, tree, url_of

SAMPLE_BASE = "https://policy-circuit.example.org/"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """Built as a user builds it: `sitegen build -s <repo> -d <tmp>`."""
    out = tmp_path_factory.mktemp("sample") / "public"
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", "-s", str(REPO), "-d", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


def internal(url: str, page_url: str) -> str | None:
    """The site path a reference leads to, or None when it leaves the site."""
    absolute = urljoin(SAMPLE_BASE.rstrip("/") + page_url, url)
    if not absolute.startswith(SAMPLE_BASE):
        return None
    return absolute[len(SAMPLE_BASE) - 1:]


def broken_references(out: Path) -> list[str]:
    ids = lru_cache(maxsize=None)(lambda rel: set(tree(out, rel).xpath("//@id")))
    broken = []
    for rel in files(out):
        if not rel.endswith(".html"):
            continue
        page = tree(out, rel)
        for element in page.iter():
            if not isinstance(element.tag, str):
                continue
            for attr in ("href", "src"):
                value = element.get(attr)
                if value is None:
                    continue
                path = internal(value, url_of(rel))
                if path is None:
                    continue
                target = local_target(out, path)
                fragment = urlsplit(path).fragment
                if target is None:
                    broken.append(f"{rel}: <{element.tag} {attr}={value!r}> leads nowhere")
                elif fragment and target.suffix == ".html" and fragment not in ids(target.relative_to(out).as_posix()):
                    broken.append(f"{rel}: <{element.tag} {attr}={value!r}> names a missing #{fragment}")
    return broken


def test_no_broken_internal_href_or_src_in_the_sample_site(sample):
    pages = [rel for rel in files(sample) if rel.endswith(".html")]
    assert len(pages) > 30
    assert broken_references(sample) == []


def test_sitemap_and_feed_addresses_lead_to_files(sample):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "a": "http://www.w3.org/2005/Atom"}
    locs = etree.parse(str(sample / "sitemap.xml")).xpath("//s:loc/text()", namespaces=ns)
    feed = etree.parse(str(sample / "feed.xml"))
    links = feed.xpath("//a:link/@href", namespaces=ns)
    for url in locs + links:
        assert local_target(sample, internal(url, "/")), url


def test_the_check_finds_a_broken_link(tmp_path):
    (tmp_path / "index.html").write_text('<a href="/missing/">x</a><a href="#nowhere">y</a><img src="/static/x.png">'
                                         '<a href="https://elsewhere.example/">z</a>')
    assert len(broken_references(tmp_path)) == 3
