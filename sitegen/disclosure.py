"""The AI disclosure each story carries: who or what wrote it, from how many source
records, whether a person reviewed it, and who answers for it (see REFERENCE.md on AI
disclosure). Story pages, their structured data and the feeds all say the same words."""

from __future__ import annotations

from .model import Story


def disclosure(story: Story, publisher: str = "") -> str:
    """Plain sentences a reader can trust: who or what wrote the story and from how many
    source records, whether a person reviewed it before publication (said in every case,
    including when the front matter does not say), and who answers for it."""
    method = story.methodology
    if method is None:
        return ""
    count = method.source_count if method.source_count is not None else len(story.sources)
    records = f" from {count} source record{'s' if count != 1 else ''}" if count else ""
    people = _and(story.authors)
    if method.generated == "autonomous":
        made = f"Generated autonomously by an editorial model{records}."
    elif method.generated == "assisted":
        made = f"Written with the help of an editorial model{records}."
    elif method.generated == "human":
        made = f"Written by {people or 'our reporters'}{records}."
    else:
        made = f"Based on {records[6:]}." if records else ""
    if method.human_review is True:
        review = "Reviewed by a person before publication."
    elif method.human_review is False:
        review = ("No editor reviewed it before publication." if method.generated == "human"
                  else "No person reviewed it before publication.")
    else:  # unknown: claim no review that nobody recorded
        review = "No review by a person is recorded for it."
    # A person or desk answers for every story, never the model (EU AI Act Art. 50(4)).
    if people:
        responsible = f"{people} {'are' if len(story.authors) > 1 else 'is'} responsible for it."
    else:
        responsible = f"{publisher} is responsible for it." if publisher else "The editors are responsible for it."
    return " ".join(x for x in (made, review, responsible) if x)


def _and(names: tuple[str, ...] | list[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
