"""`sitegen new`: write a new story file with every front-matter key of the content model.

The file builds as it is: the required keys have values, the optional ones are commented
out with an example, and `draft: true` keeps it off the published site until the author
removes that line (`build --drafts` and `serve` show it)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from .errors import FrontMatterError, StoryExistsError, UsageError
from .frontmatter import split_front_matter
from .load import CONTENT_DIR, STORIES_DIR, load_content
from .slugs import is_slug, slugify
from .stories import slug_from_path

# `sitegen check` warns while a story still carries this dek, so it is never published by mistake.
DEK_PLACEHOLDER = "One sentence that says why this matters."

TEMPLATE = """\
---
title: {title}
dek: "{dek}"  # required: one sentence under the title
date: {today}
# updated: {today}T09:30:00Z
{tags}
# authors: [Policy Desk]
draft: true  # remove this line to publish
{slug}
# aliases: [/2026/04/old-url/]  # old addresses that should redirect here
{storyline}
# story_so_far: "A short Markdown summary of the running story this piece belongs to."
# faq:
#   - q: "A question a reader would ask?"
#     a: "A Markdown answer."
# continue_reading: [other-story-slug]  # curated cards, by slug, shown first
# methodology:
#   source_count: 1
#   generated: assisted  # autonomous | assisted | human
#   human_review: true
#   note: "How the editorial model worked on this story."
# sources:  # cite each in the body as [^id]
#   - id: first-source
#     title: "Title of the source"
#     url: https://example.org/source
#     publisher: Publisher
#     date: {today}
---

## What happened

Write three to eight sections, each under a second-level heading. Cite a listed source
by its id, written as `[^first-source]`, and link other stories as `[text](story:their-slug)`.
"""


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: safe for colons, quotes, '#' and any Unicode."""
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf")).rstrip("\n")


def scaffold_text(title: str, today: date, tags: list[str], storyline: str, slug: str = "") -> str:
    return TEMPLATE.format(
        title=_quoted(title),
        dek=DEK_PLACEHOLDER,
        today=today.isoformat(),
        tags=f"tags: [{', '.join(_quoted(t) for t in tags)}]" if tags else "# tags: [EU AI Act, Compute]  # stories that share tags are related",
        slug=f"slug: {slug}" if slug else "# slug: a-shorter-slug  # default: the file name",
        storyline=f"storyline: {storyline}" if storyline else "# storyline: us-china-chip-controls  # groups a running story",
    )


def new_story(root: Path, title: str, today: date, tags: str = "", storyline: str = "", slug: str = "") -> Path:
    """Write content/stories/<slug>.md under root and return its path. Raises UsageError
    for a title, tag, storyline or slug that cannot be used, StoryExistsError rather than
    overwrite a file or reuse a slug."""
    title = " ".join(title.split())
    if not title:
        raise UsageError("the title is empty; write it in quotes: sitegen new \"What the new rules change\"")
    if slug and not is_slug(slug):
        raise UsageError(f"--slug {slug!r} may contain only a-z, 0-9 and single '-' between them")
    file_slug = slug or slugify(title)
    if not file_slug:
        raise UsageError(f"the title {title!r} has no letters or digits to make a file name from; add --slug a-name")
    tag_names = [" ".join(t.split()) for t in tags.split(",") if t.strip()]
    for name in tag_names:
        if not slugify(name):
            raise UsageError(f"tag {name!r} has no letters or digits to make a URL from")
    line = slugify(storyline) if storyline.strip() else ""
    if storyline.strip() and not line:
        raise UsageError(f"storyline {storyline!r} has no letters or digits to make a slug from")

    stories = root / CONTENT_DIR / STORIES_DIR
    path = stories / f"{file_slug}.md"
    if path.exists():
        raise StoryExistsError(f"{path} already exists; edit it, or choose another title or --slug")
    owner = _slug_owner(root, file_slug)
    if owner:
        raise StoryExistsError(f"{owner} already has the slug '{file_slug}'; choose another title or --slug")
    stories.mkdir(parents=True, exist_ok=True)
    text = scaffold_text(title, today, tag_names, line, slug if slug and slug != slugify(title) else "")
    with path.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
        out.write(text)
    return path


def _slug_owner(root: Path, slug: str) -> str:
    """The story file that already takes `slug`, by its file name or its slug: key."""
    for source in load_content(root).stories:
        try:
            declared = split_front_matter(source).data.get("slug")
        except FrontMatterError:
            declared = None
        if (declared if isinstance(declared, str) and declared else slug_from_path(source.rel_path)) == slug:
            return source.rel_path
    return ""
