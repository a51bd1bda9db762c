"""Hostile text in every front-matter field and in bodies never leaks into pages.

The same site is built twice: once with benign text, once with the injection corpus in
the same places. Every (element, attribute) pair of the hostile build must also occur in
the benign build, so no element or attribute exists that the layouts did not put there.
On top of that: no script but JSON-LD, no on* attribute, no javascript:/data:/vbscript:
URL, every JSON-LD block parses and carries the title unchanged, and Jinja syntax in
story text shows literally."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml

from .corpus import CONTROL_INJECTIONS, HOSTILE_LINKS, INJECTIONS, JINJA_PROBES
from .sites import assert_no_traceback, error_lines, run_build, story, write_tree

# Markdown that exercises every construct a body may produce, so the benign build's
# (element, attribute) set covers what Markdown syntax inside hostile strings can make.
RICH_BODY = """\
## A heading

Text with *emphasis*, **strong**, `code`, ~~struck~~, a [link](https://example.com/a "A title"),
an autolink <https://example.com/b>, an image ![alt](https://example.com/c.png "T") and a
footnote.[^n]

- item
- item

1. first
2. second

> a quote

| a | b |
|---|---|
| 1 | 2 |

```python
print("code")
```

---

### Smaller heading

[^n]: The note.
"""

BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data"}


def site_files(texts: list[str], raw_html: bool = False, in_bodies: bool = True) -> dict[str, str]:
    """One story per text, with that text in every field a story has (and in the Markdown
    body unless in_bodies is false); a storyline file and a page carry it too."""
    files: dict[str, str] = {}
    for index, text in enumerate(texts):
        fields = {
            "title": f"{text} {index}",
            "dek": text,
            "date": f"2026-03-{index % 28 + 1:02d}",
            "tags": [f"Tag {text}", "Common", f"Group {index % 4}"],
            "authors": [text, f"Author {index}"],
            "storyline": f"line-{index % 3}",
            "story_so_far": text,
            "faq": [{"q": text, "a": text}, {"q": f"Second {index}?", "a": f"*{text}*"}],
            "methodology": {"source_count": 3, "generated": "autonomous", "human_review": False, "note": text},
            "sources": [
                {"id": f"src-{index}", "title": text, "url": "https://example.com/?q=" + text, "publisher": text, "date": "2026-03-01"},
                {"id": "plain", "title": f"Plain {index}", "url": f"https://example.com/{index}", "publisher": "P"},
            ],
            "hostile_param": text,
        }
        if index == 0:
            fields["continue_reading"] = ["story-1"]
        shown = text if in_bodies else f"Body {index}"
        body = f"{RICH_BODY}\n## {shown}\n\n{shown}\n\n- {shown}\n\n> {shown}\n\n| {shown} | x |\n|---|---|\n| y | {shown} |\n\n"
        body += f"[{shown}](https://example.com/?q={index}) [^src-{index}]\n\n[^src-{index}]: {shown}\n"
        files[f"content/stories/story-{index}.md"] = story(fields, body)
    for line in range(3):
        text = texts[line % len(texts)]
        front = yaml.safe_dump({"title": f"{text} line", "description": text}, allow_unicode=True, width=1_000_000)
        files[f"content/storylines/line-{line}.md"] = f"---\n{front}---\n{text if in_bodies else 'Line.'}\n"
    front = yaml.safe_dump({"title": f"{texts[0]} about", "dek": texts[-1]}, allow_unicode=True, width=1_000_000)
    files["content/about.md"] = f"---\n{front}---\n{RICH_BODY}\n{texts[0] if in_bodies else 'About.'}\n"
    config = '[tool.sitegen]\ntitle = "Robust"\nbase_url = "https://robust.example.org/"\n'
    if raw_html:
        config += "raw_html = true\n"
    files["pyproject.toml"] = config
    return files


def hostile_texts() -> list[str]:
    # Jinja syntax and the rest go in as they are; the Markdown links go only into bodies
    # (below) because in plain fields they are plain text anyway.
    return list(INJECTIONS)


class Page:
    """A built page parsed the way a browser tokenizes it (libxml2 through lxml, which
    splits attributes on ASCII whitespace only; Python's html.parser also splits on
    U+2028 and friends, so it would invent attributes no browser sees)."""

    def __init__(self, html: str) -> None:
        root = lxml.html.document_fromstring(html)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.jsonld: list[str] = []
        for node in root.iter():
            if not isinstance(node.tag, str):  # comments and processing instructions
                self.elements.append((type(node).__name__, {}))
                continue
            attributes = dict(node.attrib)
            self.elements.append((node.tag, attributes))
            if node.tag == "script" and attributes.get("type") == "application/ld+json":
                self.jsonld.append(node.text or "")
        body = root.find("body")
        self.text = body.text_content() if body is not None else ""
        title = root.find("head/title")
        self.title = title.text_content() if title is not None else ""


def parse_pages(out: Path) -> dict[str, Page]:
    return {path.relative_to(out).as_posix(): Page(path.read_text(encoding="utf-8")) for path in sorted(out.rglob("*.html"))}


def shape(pages: dict[str, Page]) -> set[tuple[str, str]]:
    pairs = set()
    for page in pages.values():
        for tag, attrs in page.elements:
            pairs.add((tag, ""))
            pairs.update((tag, name) for name in attrs)
    return pairs


def bad_url(value: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20]+", "", value).lower()
    return squeezed.startswith(BAD_SCHEMES)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    benign = [f"Benign text {i}" for i in range(len(INJECTIONS))]
    hostile = hostile_texts()
    results = {}
    for name, texts in (("benign", benign), ("hostile", hostile)):
        root = write_tree(base / name, site_files(texts))
        links = "\n\n".join(HOSTILE_LINKS if name == "hostile" else [f"[safe {i}](https://example.com/{i})" for i in range(len(HOSTILE_LINKS))])
        (root / "content/stories/links.md").write_text(story({"title": "Links", "tags": ["Common"]}, RICH_BODY + "\n" + links + "\n"), encoding="utf-8")
        result = run_build(root, root / "public")
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        results[name] = (root / "public", parse_pages(root / "public"))
    return results


def test_hostile_pages_have_no_element_or_attribute_the_layouts_did_not_make(builds):
    _, benign = builds["benign"]
    _, hostile = builds["hostile"]
    assert len(benign) == len(hostile) > 50
    extra = shape(hostile) - shape(benign)
    assert not extra, f"elements/attributes only the hostile build has: {sorted(extra)}"


def test_no_script_but_jsonld_no_event_handlers_no_dangerous_urls(builds):
    _, pages = builds["hostile"]
    for name, page in pages.items():
        for tag, attrs in page.elements:
            if tag == "script":
                assert attrs == {"type": "application/ld+json"}, (name, attrs)
            assert tag not in ("iframe", "object", "embed", "base", "form", "svg", "math", "style"), (name, tag)
            for attr, value in attrs.items():
                assert not attr.startswith("on"), (name, tag, attr)
                if attr in URL_ATTRIBUTES and value:
                    assert not bad_url(value), (name, tag, attr, value)
            if tag == "meta":
                assert attrs.get("http-equiv") is None, (name, attrs)


def test_jsonld_parses_and_carries_every_title_unchanged(builds):
    out, pages = builds["hostile"]
    titles = set()
    for name, page in pages.items():
        for block in page.jsonld:
            assert "</" not in block and "<!--" not in block, name
            data = json.loads(block)
            for node in data["@graph"]:
                if node["@type"] == "NewsArticle":
                    titles.add(node["headline"])
    expected = {f"{text} {index}".strip() for index, text in enumerate(hostile_texts())}
    assert expected <= titles


def test_jinja_syntax_in_story_text_is_shown_literally(builds):
    out, pages = builds["hostile"]
    everything = "".join((out / name).read_text(encoding="utf-8") for name in pages)
    for probe, evaluated in JINJA_PROBES.items():
        assert evaluated not in everything, probe
    assert "{{ 123456*2 }}" in pages["stories/story-12/index.html"].text


def test_raw_html_in_bodies_is_escaped_and_shown_as_text(builds):
    out, pages = builds["hostile"]
    page = pages["stories/story-0/index.html"]
    assert '<script>alert("t1")</script>' in page.text
    assert page.title.startswith('<script>alert("t1")</script> 0')


def test_raw_html_setting_lets_body_html_through_but_never_front_matter(tmp_path):
    files = site_files(['<b class="raw">bold</b>', "<script>alert(1)</script>"], raw_html=True)
    root = write_tree(tmp_path / "site", files)
    result = run_build(root, root / "public")
    assert result.returncode == 0, result.stderr
    page = (root / "public/stories/story-0/index.html").read_text(encoding="utf-8")
    assert '<b class=raw>bold</b>' in page or '<b class="raw">bold</b>' in page
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert "&lt;b" in heading


def test_every_xml_output_parses_and_feeds_carry_titles_unchanged(builds):
    out, _ = builds["hostile"]
    xml_files = sorted(out.rglob("*.xml"))
    assert {"feed.xml", "sitemap.xml"} <= {p.relative_to(out).as_posix() for p in xml_files}
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    expected = {f"{text} {index}".strip() for index, text in enumerate(hostile_texts())}
    atom = "{http://www.w3.org/2005/Atom}"
    titles = 0
    for path in xml_files:
        root = lxml.etree.fromstring(path.read_bytes(), parser)
        for entry in root.iter(f"{atom}entry"):
            title = entry.findtext(f"{atom}title")
            assert title in expected or title == "Links", (path, title)
            titles += 1
    assert titles >= 20


def test_control_characters_in_any_field_are_errors_at_their_lines(tmp_path):
    root = write_tree(tmp_path / "site", site_files(list(CONTROL_INJECTIONS), in_bodies=False))
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 1
    printed = error_lines(result)
    fields = ("title", "dek", "tags[1]", "authors[1]", "story_so_far", "faq[1].q", "faq[1].a", "methodology.note",
              "sources[1].title", "sources[1].url", "sources[1].publisher")
    for index in range(len(CONTROL_INJECTIONS)):
        path = f"content/stories/story-{index}.md"
        for field in fields:
            assert any(line.startswith(path) and f"'{field}' contains the control character" in line for line in printed), (path, field)
    assert any(line.startswith("content/storylines/line-0.md:") and "'title' contains the control character U+0000" in line for line in printed)
    assert any(line.startswith("content/about.md:") and "'title' contains the control character U+0000" in line for line in printed)
    assert not (root / "public").exists()
