"""A generated site of AI-policy stories, shaped like what automated newsrooms publish.

generate_corpus(root, n, seed) writes content/stories/*.md, a few storyline files, an
about page and pyproject.toml [tool.sitegen]: every story has 3-7 tags drawn from a
vocabulary of 400 with Zipf frequencies (the most common tag is on about 60% of stories),
a 600-1,200-word body with h2 headings, lists, links, emphasis, a table in a third of
them, 2-4 FAQ pairs, 3-8 sources cited as footnotes, a methodology block, and a date in
the three years before 2026-11-28. Some stories belong to storylines, some name curated
continue_reading picks. The same (n, seed) always gives byte-identical files, and story
number i is the same whatever n is, so a small corpus is the start of a larger one.

story_specs(n, seed) gives only what the related-story step needs (slug, tags, date,
storyline), cheaply, for benchmarks at sizes where writing files would dominate.

    python benchmarks/corpus.py --stories 1000 --out /tmp/site-1k
"""

from __future__ import annotations

import argparse
import itertools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

VOCABULARY_SIZE = 400
ZIPF_EXPONENT = 1.04  # with 3-7 tags a story, puts the top tag on about 60% of stories
LAST_DATE = datetime(2026, 11, 20, tzinfo=timezone.utc)  # a week before 2026-11-28
DATE_SPAN_DAYS = 3 * 365
STORYLINE_SHARE = 0.08  # stories that belong to a storyline
PICKS_SHARE = 0.10  # stories that name continue_reading picks

_HEAD_TAGS = (
    "AI Act", "Export Controls", "Copyright", "Data Protection", "Frontier Models", "Semiconductors",
    "China", "United States", "European Union", "Deepfakes", "Elections", "Liability", "Open Weights",
    "Safety Institutes", "Compute Thresholds", "Data Centres", "Energy", "Child Safety", "Chatbots",
    "Labelling", "Procurement", "Public Sector", "Competition", "Standards", "Audits", "Transparency",
    "Biometrics", "Facial Recognition", "Employment", "Healthcare", "Finance", "Insurance", "Education",
    "Defence", "Cybersecurity", "Misinformation", "Platforms", "Privacy", "Trade", "Nvidia",
)
_REGIONS = (
    "Brazil", "India", "Japan", "Korea", "Canada", "Australia", "United Kingdom", "France", "Germany",
    "Italy", "Spain", "Singapore", "Kenya", "Nigeria", "Mexico", "Chile", "Taiwan", "Malaysia",
    "Indonesia", "Saudi Arabia", "UAE", "Israel", "Switzerland", "Norway", "Poland", "Ireland",
    "Netherlands", "Sweden", "South Africa", "Vietnam", "Philippines", "Turkey", "Egypt", "Argentina",
    "Colombia", "New Zealand", "Denmark", "Finland", "Austria", "Belgium",
)
_TOPICS = (
    "AI Strategy", "Data Law", "Chip Policy", "AI Safety", "Online Safety", "AI Regulator", "Copyright Reform",
    "Digital Trade", "AI Procurement", "Election Rules", "Model Licensing",
)
_SUBJECTS = (
    "The regulator", "The commission", "Lawmakers", "The ministry", "Industry groups", "Civil-society groups",
    "The court", "Model developers", "Chipmakers", "Cloud providers", "Auditors", "Standards bodies",
    "The agency", "Researchers", "Newsrooms", "Insurers", "Hospitals", "Schools", "Banks", "Platforms",
)
_VERBS = (
    "proposed", "published", "delayed", "narrowed", "expanded", "challenged", "clarified", "approved",
    "questioned", "rejected", "drafted", "revised", "enforced", "tested", "reviewed", "announced",
)
_OBJECTS = (
    "new guidance on risk assessments", "a code of practice for general-purpose models",
    "rules on training-data transparency", "a licensing regime for advanced chips",
    "an incident-reporting duty", "limits on biometric surveillance", "a sandbox for start-ups",
    "disclosure rules for synthetic media", "a registry of high-risk systems", "procurement standards",
    "evaluation protocols for frontier models", "a levy on large compute clusters",
    "obligations for deployers", "penalties for non-compliance", "age-verification requirements",
    "watermarking requirements", "a consultation on liability", "export licences for accelerators",
)
_CLAUSES = (
    "after months of consultation", "despite objections from smaller firms", "ahead of the deadline",
    "in response to a court ruling", "under pressure from trading partners", "with little public debate",
    "following a string of incidents", "as enforcement capacity lags", "to close a widely reported gap",
    "while leaving the hardest questions open", "in a move critics called premature",
    "with phased obligations over two years",
)
_FILLER = (
    "The details matter more than the headline.", "Much depends on how the rules are enforced.",
    "Officials said further guidance would follow.", "The timeline remains contested.",
    "Several provisions still need secondary legislation.", "Compliance costs fall unevenly.",
    "Observers expect legal challenges.", "The text leaves room for interpretation.",
    "Smaller companies asked for longer transition periods.", "The numbers are hard to verify independently.",
)
_HEADINGS = (
    "What changed", "Why it matters", "Who is affected", "What the rules require", "How enforcement works",
    "The numbers", "What critics say", "What supporters say", "What happens next", "The background",
    "How other jurisdictions compare", "Open questions", "The industry view", "A timeline",
)
_PUBLISHERS = (
    "Official Journal", "Court filing", "Ministry press office", "Standards body", "Parliamentary record",
    "Regulator's register", "Industry association", "Research institute", "Company filing", "Trade ministry",
)
_QUESTIONS = (
    ("Does this apply to open-weight models?", "Partly. Some duties apply to anyone who places a model on the market, while others fall only on *large* providers."),
    ("When do the obligations start?", "They phase in over two years, with **transparency duties** first and audits last."),
    ("Who enforces the rules?", "A national authority, coordinating with a central office for the largest providers."),
    ("What are the penalties?", "Fines scale with global turnover, with lower caps for small and medium-sized firms."),
    ("Is there an exemption for research?", "Research that is not placed on the market is largely outside scope."),
    ("How is compute measured?", "By the total floating-point operations used in training, including fine-tuning above a threshold."),
    ("Can companies appeal?", "Yes, decisions can be challenged in court, though filing does not suspend them."),
    ("What counts as high risk?", "Uses listed in an annex, such as hiring, credit scoring and access to public services."),
)
_GENERATED = ("autonomous", "assisted", "human")


@dataclass(frozen=True)
class StorySpec:
    """What the related-story step reads from a story, plus the picks the body links to."""

    index: int
    slug: str
    title: str
    tags: tuple[str, ...]  # display names
    date: datetime
    storyline: str
    picks: tuple[str, ...]  # continue_reading slugs

    @property
    def tag_slugs(self) -> tuple[str, ...]:
        return tuple(_slug(t) for t in self.tags)


@dataclass(frozen=True)
class TagRecord:
    slug: str


@dataclass(frozen=True)
class StoryRecord:
    """The fields sitegen.related reads of a story: enough to time or test the related step
    without writing and parsing files."""

    slug: str
    tags: tuple[TagRecord, ...]
    date: datetime
    storyline: str = ""
    draft: bool = False


def tag_vocabulary() -> tuple[str, ...]:
    """400 distinct tag names, most common first."""
    names = list(_HEAD_TAGS)
    for topic, region in itertools.product(_TOPICS, _REGIONS):
        if len(names) == VOCABULARY_SIZE:
            break
        names.append(f"{region} {topic}")
    return tuple(names)


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _rng(seed: int, *parts) -> random.Random:
    # String seeds are hashed with SHA-512, so the sequence does not depend on PYTHONHASHSEED.
    return random.Random(":".join(map(str, (seed, *parts))))


def story_specs(n: int, seed: int = 1) -> list[StorySpec]:
    vocabulary = tag_vocabulary()
    cumulative = list(itertools.accumulate(1 / rank ** ZIPF_EXPONENT for rank in range(1, len(vocabulary) + 1)))
    specs = []
    for index in range(n):
        rng = _rng(seed, "spec", index)
        count = rng.randint(3, 7)
        chosen: list[int] = []
        while len(chosen) < count:
            pick = rng.choices(range(len(vocabulary)), cum_weights=cumulative)[0]
            if pick not in chosen:
                chosen.append(pick)
        tags = tuple(vocabulary[i] for i in chosen)
        when = LAST_DATE - timedelta(days=rng.randrange(DATE_SPAN_DAYS), hours=rng.randrange(24), minutes=rng.randrange(60))
        # Storylines gather stories close in number (a running story spans a stretch of the
        # archive), three storylines per 200 stories whatever the corpus size.
        storyline = f"running-story-{index // 200 * 3 + rng.randrange(3) + 1:04d}" if rng.random() < STORYLINE_SHARE else ""
        topic = rng.choice(_OBJECTS)
        title = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {topic}"
        picks: tuple[str, ...] = ()
        if index > 0 and rng.random() < PICKS_SHARE:
            # Earlier stories only, so that story i does not depend on n.
            others = {rng.randrange(index) for _ in range(rng.randint(1, 2))}
            picks = tuple(_story_slug(i) for i in sorted(others))
        specs.append(StorySpec(index, _story_slug(index), title, tags, when, storyline, picks))
    return specs


def _story_slug(index: int) -> str:
    return f"story-{index:06d}"


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_CLAUSES)}."


def _paragraph(rng: random.Random, cite: list[str], spec: StorySpec) -> str:
    sentences = [_sentence(rng) if rng.random() < 0.7 else rng.choice(_FILLER) for _ in range(rng.randint(3, 6))]
    roll = rng.random()
    if roll < 0.25:
        words = sentences[0].split()
        at = rng.randrange(1, len(words))
        words[at] = f"*{words[at]}*"
        sentences[0] = " ".join(words)
    elif roll < 0.4:
        sentences[-1] = f"**{sentences[-1][:-1]}**."
    if rng.random() < 0.3:
        sentences.append(f"See [the full text](https://records.example.org/{spec.slug}/{rng.randrange(1000)}) for details.")
    if rng.random() < 0.12 and spec.index > 0:
        other = _story_slug(rng.randrange(spec.index))
        sentences.append(f"We covered a related decision in [an earlier explainer](story:{other}).")
    if rng.random() < 0.1:
        tag = rng.choice(spec.tags)
        sentences.append(f"More in [our {tag} coverage](tag:{_slug(tag)}).")
    if cite:
        sentences[rng.randrange(len(sentences))] += f"[^{cite.pop()}]"
    return " ".join(sentences)


def _body(rng: random.Random, spec: StorySpec, source_ids: list[str]) -> str:
    target_words = rng.randint(600, 1200)
    cite = list(reversed(source_ids))
    headings = rng.sample(_HEADINGS, k=len(_HEADINGS))
    blocks: list[str] = []
    words = 0
    section = 0
    with_table = rng.random() < 1 / 3
    while words < target_words or cite:
        if section < len(headings) and (not blocks or rng.random() < 0.3):
            blocks.append(f"## {headings[section]}")
            section += 1
        roll = rng.random()
        if roll < 0.12:
            items = [f"- **{rng.choice(_HEAD_TAGS)}:** {_sentence(rng)}" for _ in range(rng.randint(3, 5))]
            block = "\n".join(items)
        elif roll < 0.18:
            block = "\n".join(f"{i}. {_sentence(rng)}" for i in range(1, rng.randint(3, 5) + 1))
        elif roll < 0.2:
            block = f"> **Why this matters:** {_sentence(rng)} {rng.choice(_FILLER)}"
        else:
            block = _paragraph(rng, cite, spec)
        blocks.append(block)
        words += len(block.split())
        if with_table and section == 2:
            rows = [f"| {rng.choice(_REGIONS)} | {rng.choice(_VERBS)} | {rng.randint(2024, 2028)} |" for _ in range(rng.randint(3, 6))]
            blocks.append("| Jurisdiction | Status | Deadline |\n|---|---|---|\n" + "\n".join(rows))
            with_table = False
    footnotes = [f"[^{sid}]: {rng.choice(_FILLER)}" for sid in source_ids]
    return "\n\n".join(blocks + footnotes) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def story_file(spec: StorySpec, seed: int = 1) -> str:
    rng = _rng(seed, "text", spec.index)
    source_ids = [f"src-{spec.index}-{k}" for k in range(rng.randint(3, 8))]
    date = spec.date.strftime("%Y-%m-%dT%H:%M:%SZ") if rng.random() < 0.5 else spec.date.strftime("%Y-%m-%d")
    lines = [
        "---",
        f"title: {_quote(spec.title)}",
        f"dek: {_quote(_sentence(rng))}",
        f"date: {date}",
        f"tags: [{', '.join(_quote(t) for t in spec.tags)}]",
        f"authors: [{_quote(rng.choice(('Policy Desk', 'Data Desk', 'Europe Desk', 'Asia Desk')))}]",
    ]
    if spec.storyline:
        lines.append(f"storyline: {spec.storyline}")
        lines.append(f"story_so_far: {_quote(_sentence(rng) + ' ' + _sentence(rng))}")
    lines.append("faq:")
    for question, answer in rng.sample(_QUESTIONS, k=rng.randint(2, 4)):
        lines += [f"  - q: {_quote(question)}", f"    a: {_quote(answer)}"]
    if spec.picks:
        lines.append(f"continue_reading: [{', '.join(spec.picks)}]")
    generated = rng.choice(_GENERATED)
    lines += [
        "methodology:",
        f"  source_count: {len(source_ids) + rng.randint(0, 6)}",
        f"  generated: {generated}",
        f"  human_review: {'true' if generated != 'autonomous' or rng.random() < 0.3 else 'false'}",
        f"  note: {_quote('An editorial model compiled the records; ' + rng.choice(_FILLER).lower())}",
        "sources:",
    ]
    for sid in source_ids:
        published = (spec.date - timedelta(days=rng.randint(1, 60))).strftime("%Y-%m-%d")
        lines += [
            f"  - id: {sid}",
            f"    title: {_quote(rng.choice(_OBJECTS).capitalize())}",
            f"    url: https://records.example.org/{sid}",
            f"    publisher: {_quote(rng.choice(_PUBLISHERS))}",
            f"    date: {published}",
        ]
    lines.append("---")
    return "\n".join(lines) + "\n\n" + _body(rng, spec, source_ids)


CONFIG = """[tool.sitegen]
title = "Generated Policy Wire"
description = "A generated corpus of AI-policy explainers for benchmarks."
base_url = "https://bench.example.org/"
related_count = 5
page_size = 12
"""


def generate_corpus(root: Path, n: int, seed: int = 1) -> None:
    """Write a complete site with n stories into root (created if missing; files that
    exist are overwritten, others left alone)."""
    root = Path(root)
    stories = root / "content" / "stories"
    stories.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    specs = story_specs(n, seed)
    for spec in specs:
        (stories / f"{spec.slug}.md").write_text(story_file(spec, seed), encoding="utf-8")
    used = sorted({s.storyline for s in specs if s.storyline})
    if used:
        lines_dir = root / "content" / "storylines"
        lines_dir.mkdir(parents=True, exist_ok=True)
        for slug in used:
            number_text = slug.rsplit("-", 1)[1]
            if int(number_text) % 2 == 0:  # half the storylines have a description file
                text = f'---\ntitle: "Running story {number_text}"\ndescription: "How one policy fight unfolded."\n---\n\nThe stories in order.\n'
                (lines_dir / f"{slug}.md").write_text(text, encoding="utf-8")
    (root / "content" / "about.md").write_text('---\ntitle: "About"\n---\n\nA generated site for benchmarks.\n', encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated site of AI-policy stories.")
    parser.add_argument("--stories", type=int, required=True, help="number of stories")
    parser.add_argument("--out", type=Path, required=True, help="site root to write (content/ and pyproject.toml)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate_corpus(args.out, args.stories, args.seed)
    print(f"Wrote {args.stories} stories into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
