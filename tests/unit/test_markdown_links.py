"""Link targets that skip markdown-it's normalizeLink come out exactly as it would make them."""

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import normalizeLink

from sitegen.markdown import _KEPT_URL, MAX_KEPT_URL, _normalize_link, render_markdown

URL_PIECES = ["http:", "https:", "HTTP:", "story:", "tag:", "mailto:", "//", "/", "a", "Z", "0", "-", ".", "_", "~", "?",
              "=", "&", "#", "%", "%2F", "%zz", ":", "@", "[", "]", "::1", " ", "é", "Ü", "xn--", "..", "www.", ".org", "+"]


@settings(max_examples=3000, deadline=None)
@given(st.from_regex(_KEPT_URL, fullmatch=True))
def test_urls_the_pattern_keeps_are_the_ones_normalize_link_keeps(url):
    if len(url) <= MAX_KEPT_URL:
        assert normalizeLink(url) == url


def test_long_hosts_and_labels_go_through_the_stock_function():
    for url in ("https://" + "a" * 64 + ".org/", "https://" + ".".join(["abcdefgh"] * 40) + "/", "//" + "0." * 200 + "0"):
        assert _normalize_link(url) == normalizeLink(url)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(URL_PIECES), max_size=12).map("".join), st.text(max_size=40)))
def test_any_url_normalizes_as_with_the_stock_function(url):
    assert _normalize_link(url) == normalizeLink(url)


def test_common_targets_skip_the_parse_and_odd_ones_do_not():
    for url in ("https://records.example.org/src-0-1", "story:a-story", "tag:ai-act", "/tags/x/#top", "#faq", "notes.html"):
        assert _KEPT_URL.fullmatch(url), url
    for url in ("https://Example.org/", "tag:Über", "https://e.org/a b", "https://e.org/%41", "https://bücher.de/"):
        assert not _KEPT_URL.fullmatch(url), url
        assert _normalize_link(url) == normalizeLink(url)
    assert 'href="https://xn--bcher-kva.de/"' in render_markdown("[b](https://bücher.de/)").html
