"""The disclosure changes with `generated` and `human_review`, so a reader can always tell
whether a person reviewed the story, and who answers for it."""

from __future__ import annotations

import itertools
import json
from types import SimpleNamespace

import pytest
from conftest import story_text
from publishing import build_into, tree

from sitegen.model import Methodology
from sitegen.views import disclosure

GENERATED = ("autonomous", "assisted", "human", "")
REVIEW = (True, False, None)
BYLINES = ((), ("Brussels Desk",), ("Ada Lovelace", "Data Desk"))
MADE = {"autonomous": "Generated autonomously by an editorial model", "assisted": "Written with the help of an editorial model",
        "human": "Written by", "": "Based on"}


def fake_story(generated: str, review: bool | None, authors: tuple[str, ...] = (), count: int | None = 4):
    return SimpleNamespace(methodology=Methodology(source_count=count, generated=generated, human_review=review), sources=(), authors=authors)


@pytest.mark.parametrize("generated,review,authors", list(itertools.product(GENERATED, REVIEW, BYLINES)))
def test_every_combination_says_how_it_was_made_whether_a_person_reviewed_it_and_who_answers(generated, review, authors):
    text = disclosure(fake_story(generated, review, authors), "Example Media")
    assert text.startswith(MADE[generated])
    assert "4 source records." in text
    if review is True:
        assert "Reviewed by a person before publication." in text
        assert "No person" not in text and "No editor" not in text and "not recorded" not in text
    elif review is False:
        assert ("No editor reviewed it before publication." if generated == "human" else "No person reviewed it before publication.") in text
        assert "Reviewed by" not in text
    else:
        assert "No review by a person is recorded for it." in text and "Reviewed by" not in text
    responsible = {(): "Example Media is", ("Brussels Desk",): "Brussels Desk is", ("Ada Lovelace", "Data Desk"): "Ada Lovelace and Data Desk are"}
    assert text.endswith(f"{responsible[authors]} responsible for it.")
    assert "AI is responsible" not in text and "model is responsible" not in text


@pytest.mark.parametrize("generated", GENERATED)
def test_the_three_review_states_read_differently(generated):
    texts = {disclosure(fake_story(generated, review), "Example Media") for review in REVIEW}
    assert len(texts) == 3


def test_counts_and_missing_methodology():
    assert "from 1 source record." in disclosure(fake_story("autonomous", True, count=1))
    assert "source record" not in disclosure(fake_story("autonomous", True, count=0))
    assert disclosure(fake_story("", None, count=0), "") == "No review by a person is recorded for it. The editors are responsible for it."
    assert disclosure(SimpleNamespace(methodology=None, sources=(), authors=())) == ""


@pytest.mark.parametrize("generated,review", [("autonomous", "false"), ("assisted", "true"), ("human", "")])
def test_the_story_page_and_its_structured_data_show_the_same_disclosure(make_site, generated, review):
    method = f"methodology:\n  generated: {generated}\n" + (f"  human_review: {review}\n" if review else "")
    root = make_site({"content/stories/a.md": story_text("A", extra="authors: [Data Desk]\n" + method),
                      "pyproject.toml": '[tool.sitegen]\ntitle = "Site"\n'})
    _, out = build_into(root)
    page = tree(out, "stories/a/index.html")
    shown = " ".join(" ".join(page.xpath("//section[@id='methodology']//*[contains(@class,'methodology__disclosure')]")[0].itertext()).split())
    expected = disclosure(fake_story(generated, {"true": True, "false": False, "": None}[review], ("Data Desk",), count=None), "Site")
    assert shown == expected
    article = json.loads(page.xpath("//script[@type='application/ld+json']")[0].text)["@graph"][0]
    assert article["backstory"].startswith(shown)
