"""Slugs: the URL-safe names of stories, tags and storylines ([a-z0-9-] only)."""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """Lower-case, accents folded to their base letter (Unicode NFKD), every run of
    spaces and punctuation turned into one '-'. Returns "" when nothing is left, which
    callers report as an error. slugify(slugify(x)) == slugify(x)."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.casefold().replace("ß", "ss")
    return _NOT_SLUG.sub("-", folded).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG_PATTERN.match(text))
