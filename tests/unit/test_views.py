"""Listing pages: page_of cuts one page exactly as paginate cuts them all."""

import pytest

from sitegen.views import page_of, paginate


@pytest.mark.parametrize("count", [0, 1, 11, 12, 13, 24, 25, 100])
@pytest.mark.parametrize("size", [1, 5, 12])
def test_page_of_matches_paginate(count, size):
    items = tuple(f"story-{i}" for i in range(count))
    pages = paginate(items, size)
    for number, expected in enumerate(pages, 1):
        assert page_of(items, size, number) == (expected, len(pages))


def test_page_of_takes_any_sequence_and_gives_a_tuple():
    assert page_of(["a", "b", "c"], 2, 2) == (("c",), 2)
