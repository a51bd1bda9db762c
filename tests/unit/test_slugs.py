"""slugs.py: URL slugs for stories and tags."""

import pytest

from sitegen.slugs import is_slug, slugify


@pytest.mark.parametrize(
    "text, slug",
    [
        ("AI Act", "ai-act"),
        ("ai-act", "ai-act"),
        ("AI  act", "ai-act"),
        ("Export Controls (US)", "export-controls-us"),
        ("Über Straße", "uber-strasse"),
        ("Café—Policy!", "cafe-policy"),
        ("  --x--  ", "x"),
        ("人工智能", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert slugify(slug) == slug


def test_is_slug():
    assert is_slug("eu-ai-act-2026")
    assert not is_slug("EU")
    assert not is_slug("a--b")
    assert not is_slug("../x")
    assert not is_slug("")
