"""Broken content: a clear `path:line: message` (exit 1, previous output untouched byte for
byte) or a documented warning, never a traceback. Every case runs the real CLI."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from .sites import assert_no_traceback, error_lines, manifest, raw_story, run_build, story, write_tree

BAD = "content/stories/bad.md"
HEAD = "title: T\ndek: D\ndate: 2026-01-01\ntags: [AI Act]\n"  # lines 2-5 of a story

# name -> (files added to a good site, lines the build must print; each is the start of one line)
ERRORS: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "unclosed quote": ({BAD: raw_story('title: "Unclosed\ndek: D\ndate: 2026-01-01\n')},
                       [f"{BAD}:2:8: invalid YAML: a quoted text opened here is never closed"]),
    "bad indent": ({BAD: raw_story("title: T\n  dek: D\ndate: 2026-01-01\n")}, [f"{BAD}:3:6: invalid YAML: mapping values are not allowed here"]),
    "tab indent": ({BAD: raw_story("title: T\ndek: D\ndate: 2026-01-01\nfaq:\n\t- q: x\n")},
                   [f"{BAD}:6:1: invalid YAML: found character '\\t' that cannot start any token (indent YAML with spaces, not tabs)"]),
    "unclosed fence": ({BAD: "---\ntitle: T\ndek: D\n\nBody without a closing fence.\n"}, [f"{BAD}:1: front matter opened with '---' on line 1 is never closed"]),
    "empty file": ({BAD: ""}, [f"{BAD}:1: file is empty"]),
    "whitespace only": ({BAD: "\n  \n\t\n"}, [f"{BAD}:1: file is empty"]),
    "no front matter": ({BAD: "# Just Markdown\n"}, [f"{BAD}:1: no front matter"]),
    "front matter is a list": ({BAD: raw_story("- a\n- b\n")}, [f"{BAD}:2: front matter must be YAML keys and values"]),
    "title is a list": ({BAD: raw_story("title: [a, b]\ndek: D\ndate: 2026-01-01\ntags: [x]\n")}, [f"{BAD}:2: 'title' must be a text, not a list"]),
    "tags is a number": ({BAD: raw_story("title: T\ndek: D\ndate: 2026-01-01\ntags: 5\n")}, [f"{BAD}:5: 'tags' must be a list of texts, not a number"]),
    "faq item without q": ({BAD: raw_story(HEAD + "faq:\n  - a: An answer\n")}, [f"{BAD}:7: faq item 1 has no 'q' (question)"]),
    "faq is a text": ({BAD: raw_story(HEAD + "faq: Why?\n")}, [f"{BAD}:6: 'faq' must be a list of q/a pairs, not a text"]),
    "date 2026-02-30": ({BAD: raw_story("title: T\ndek: D\ndate: 2026-02-30\ntags: [x]\n")}, [f"{BAD}:4: 'date' is not a valid date: '2026-02-30'"]),
    "tagged timestamp 2026-02-30": ({BAD: raw_story("title: T\ndek: D\ndate: !!timestamp 2026-02-30\ntags: [x]\n")},
                                    [f"{BAD}:4:7: invalid YAML: '2026-02-30' is not a valid timestamp"]),
    "tagged bool": ({BAD: raw_story(HEAD + "draft: !!bool maybe\n")}, [f"{BAD}:6:8: invalid YAML: 'maybe' is not a valid bool"]),
    "integer too long": ({BAD: raw_story(HEAD + "methodology:\n  source_count: " + "9" * 5000 + "\n")},
                         [f"{BAD}:7:17: invalid YAML: '{'9' * 37}...' is not a valid int (Exceeds the limit (4300 digits) for integer string conversion: value has 5000 digits)"]),
    "source_count -3": ({BAD: raw_story(HEAD + "methodology:\n  source_count: -3\n")}, [f"{BAD}:7: 'methodology.source_count' must be a whole number of 0 or more, not -3"]),
    "draft is a text": ({BAD: raw_story(HEAD + "draft: 'yes'\n")}, [f"{BAD}:6: 'draft' must be true or false, not a text"]),
    "missing required keys": ({BAD: raw_story("tags: [x]\n")}, [f"{BAD}:1: missing required key 'date'", f"{BAD}:1: missing required key 'dek'",
                                                                f"{BAD}:1: missing required key 'title'"]),
    "python object tag": ({BAD: raw_story("title: !!python/object/apply:os.system ['true']\ndek: D\ndate: 2026-01-01\n")},
                          [f"{BAD}:2:8: invalid YAML: could not determine a constructor"]),
    "YAML alias bomb": ({BAD: raw_story(HEAD + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
                            f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")))},
                        [f"{BAD}:2: front matter holds more than 100,000 values once its YAML aliases (*name) are written out"]),
    "YAML alias cycle": ({BAD: raw_story(HEAD + "loop: &a [*a]\n")}, [f"{BAD}:6: a YAML alias (*name) here refers to a value that contains it"]),
    "not UTF-8": ({BAD: b"---\ntitle: T\ndek: caf\xe9\ndate: 2026-01-01\n---\n"}, [f"{BAD}:3: is not valid UTF-8 (byte 0xe9)"]),
    "NUL in body": ({BAD: story(body="one\ntwo\x00\n")}, [f"{BAD}:9: contains a NUL character; remove it"]),
    "control character in body": ({BAD: story(body="one\n\ntwo\x1b[31m\n")}, [f"{BAD}:10: contains the control character U+001B; remove it"]),
    "control character via YAML escape": ({BAD: raw_story(HEAD + 'authors: ["A\\x01B"]\nstory_so_far: "\\0"\n')},
                                          [f"{BAD}:6: 'authors[1]' contains the control character U+0001", f"{BAD}:7: 'story_so_far' contains the control character U+0000"]),
    "5,000 tags": ({BAD: story(tags=[f"Topic {i}" for i in range(5000)])}, [f"{BAD}:5: story has 5000 tags; at most 50 are allowed"]),
    "tag without letters": ({BAD: story(tags=["🤖", "ذكاء"])}, [f"{BAD}:6: tag '🤖' has no letters or digits", f"{BAD}:7: tag 'ذكاء' has no letters or digits"]),
    "two files, one slug": ({"content/stories/x/good.md": story()}, ["content/stories/good.md:1: slug 'good' is also used by content/stories/x/good.md",
                                                                    "content/stories/x/good.md:1: slug 'good' is also used by content/stories/good.md"]),
    "slug: names another story": ({BAD: story(slug="good")}, [f"{BAD}:7: slug 'good' is also used by content/stories/good.md",
                                                               "content/stories/good.md:1: slug 'good' is also used by content/stories/bad.md"]),
    "slug with /": ({BAD: story(slug="a/b")}, [f"{BAD}:7: slug 'a/b' may contain only a-z, 0-9"]),
    "slug with ..": ({BAD: story(slug="../../etc")}, [f"{BAD}:7: slug '../../etc' may contain only a-z, 0-9"]),
    "slug with backslash": ({BAD: story(slug="a\\b")}, [f"{BAD}:7: slug 'a\\\\b' may contain only a-z, 0-9"]),
    "slug with NUL": ({BAD: story(slug="a\x00b")}, [f"{BAD}:7: 'slug' contains the control character U+0000"]),
    "slug with drive letter": ({BAD: story(slug="C:")}, [f"{BAD}:7: slug 'C:' may contain only a-z, 0-9"]),
    "aliases that leave the site": ({BAD: story(aliases=["/a/../../b/", "/x\\y/", "/C:/x/", "//evil.example/", "/ok\x00/"])},
                                    [f"{BAD}:8: alias '/a/../../b/' contains '.' or '..' segments", f"{BAD}:9: alias '/x\\\\y/' contains a character",
                                     f"{BAD}:10: alias '/C:/x/' looks like a drive letter", f"{BAD}:11: alias '//evil.example/' must be a path",
                                     f"{BAD}:12: 'aliases[5]' contains the control character U+0000"]),
    "slug too long for a folder name": ({BAD: story(slug="a" * 300)}, [f"{BAD}:7: slug is too long (300 characters; at most 200)"]),
    "file name gives a slug too long": ({f"content/stories/{'b' * 250}.md": story()},
                                        [f"content/stories/{'b' * 250}.md:2: the file name gives a slug of 250 characters"]),
    "tag too long": ({BAD: story(tags=["t" * 300])}, [f"{BAD}:6: tag '{'t' * 40}'... is too long for a URL (300 characters"]),
    "storyline too long": ({BAD: story(storyline="s" * 300)}, [f"{BAD}:7: storyline is too long (300 characters"]),
    "aliases too long": ({BAD: story(aliases=["/" + "x" * 300 + "/", "/" + "d/" * 3000])},
                         [f"{BAD}:8: alias '/{'x' * 300}/' is too long", f"{BAD}:9: alias '/d/d/d"]),
    "continue_reading names itself": ({BAD: story(continue_reading=["bad"])}, [f"{BAD}:8: continue_reading names the story itself ('bad')"]),
    "continue_reading names nothing": ({BAD: story(continue_reading=["good", "no-such-story"])}, [f"{BAD}:9: continue_reading: no story has the slug 'no-such-story'"]),
    "storyline file and page broken too": ({"content/storylines/line.md": "---\ntitle: [a]\n---\n", "content/about.md": ""},
                                           ["content/about.md:1: file is empty", "content/storylines/line.md:2: 'title' must be a text, not a list"]),
}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    """A good site built once; each case starts from a copy of it and its output."""
    root = write_tree(tmp_path_factory.mktemp("good") / "site", {
        "content/stories/good.md": story({"title": "Good"}),
        "content/stories/other.md": story({"title": "Other", "tags": ["AI Act", "Chips"]}),
    })
    result = run_build(root, root / "public")
    assert result.returncode == 0, result.stderr
    return root


def copy_site(good: Path, into: Path) -> Path:
    shutil.copytree(good, into, symlinks=True)
    return into


@pytest.mark.parametrize("case", list(ERRORS))
def test_error_is_reported_at_its_line_and_the_output_is_untouched(case, good_build, tmp_path):
    files, expected = ERRORS[case]
    root = write_tree(copy_site(good_build, tmp_path / "site"), files)
    before = manifest(root / "public")
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    printed = error_lines(result)
    for line in expected:
        assert any(p.startswith(line) for p in printed), f"expected a line starting {line!r}; got:\n{result.stderr}"
    assert result.stderr.rstrip().splitlines()[-1].startswith("Build failed:")
    assert manifest(root / "public") == before
    assert not [p.name for p in root.iterdir() if p.name.startswith(".public")]  # no staging folder left


# name -> (files added to a good site, warnings the build must print)
BUILDS: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "front matter only": ({"content/stories/bare.md": "---\ntitle: T\ndek: D\ndate: 2026-01-01\ntags: [x]\n---"}, []),
    "UTF-8 with BOM": ({"content/stories/bom.md": b"\xef\xbb\xbf" + story(continue_reading=["draft"]).encode()},
                       ["content/stories/bom.md:8: warning: continue_reading: 'draft' is a draft"]),
    "CRLF line ends": ({"content/stories/crlf.md": story(continue_reading=["draft"]).replace("\n", "\r\n").encode()},
                       ["content/stories/crlf.md:8: warning: continue_reading: 'draft' is a draft"]),
    "lone CR line ends": ({"content/stories/cr.md": story(continue_reading=["draft"]).replace("\n", "\r").encode()},
                          ["content/stories/cr.md:8: warning: continue_reading: 'draft' is a draft"]),
    "future-dated story": ({"content/stories/later.md": story(date="2099-01-01")},
                           ["content/stories/later.md:4: warning: is dated 2099-01-01T00:00:00Z, in the future, so it is not published yet"]),
    "YAML anchors reused": ({"content/stories/anchors.md": raw_story("title: &t Anchored\ndek: *t\ndate: 2026-01-01\ntags: &tags [AI Act]\nx-tags: *tags\n")},
                            ["content/stories/anchors.md:6: warning: unknown key 'x-tags'"]),
    "no tags": ({"content/stories/untagged.md": raw_story("title: T\ndek: D\ndate: 2026-01-01\n")},
                ["content/stories/untagged.md:2: warning: story has no tags"]),
}


@pytest.fixture
def site_with_draft(good_build, tmp_path):
    root = copy_site(good_build, tmp_path / "site")
    write_tree(root, {"content/stories/draft.md": story({"title": "Draft", "draft": True})})
    return root


@pytest.mark.parametrize("case", list(BUILDS))
def test_odd_but_valid_input_builds_with_its_documented_warnings(case, site_with_draft):
    files, warnings = BUILDS[case]
    root = write_tree(site_with_draft, files)
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    for line in warnings:
        assert line in result.stderr.splitlines() or any(p.startswith(line) for p in result.stderr.splitlines()), result.stderr
    assert (root / "public/stories/good/index.html").is_file()


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_line_numbers_survive_other_line_endings(ending, good_build, tmp_path):
    text = story(body="Para.\n\nA [missing](story:no-such-story) link.\n").replace("\n", ending)
    root = write_tree(copy_site(good_build, tmp_path / "site"), {BAD: text.encode()})
    result = run_build(root, root / "public")
    assert result.returncode == 1
    assert error_lines(result)[0].startswith(f"{BAD}:10: link to story 'no-such-story'")


def test_five_megabyte_story_builds_and_keeps_its_end(good_build, tmp_path):
    paragraph = ("The committee met again to weigh the draft rules for general-purpose models, and "
                 "[several members](https://example.com/minutes) asked for *more time*. ") * 6 + "\n\n"
    body = "## Minutes\n\n" + paragraph * (5_000_000 // len(paragraph) + 1) + "The very last sentence.\n"
    root = write_tree(copy_site(good_build, tmp_path / "site"), {"content/stories/huge.md": story({"title": "Huge"}, body)})
    assert (root / "content/stories/huge.md").stat().st_size >= 5_000_000
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "The very last sentence." in (root / "public/stories/huge/index.html").read_text(encoding="utf-8")


NESTED = {
    "blockquotes": ">" * 10_000 + " deep\n",
    "lists": "- " * 10_000 + "deep\n",
    "ordered lists": "1. " * 10_000 + "deep\n",
    "brackets": "[" * 10_000 + "deep" + "]" * 10_000 + "(https://example.com/)\n",
    "emphasis": "*_" * 10_000 + "deep" + "_*" * 10_000 + "\n",
    "links in links": "[a" * 10_000 + "]" * 10_000 + "\n",
    "parentheses": "[a](" + "(" * 10_000 + ")" * 10_000 + ")\n",
    "html": "<div>" * 10_000 + "\n",
}


def test_markdown_nested_ten_thousand_levels_deep_builds(good_build, tmp_path):
    files = {f"content/stories/deep-{i}.md": story({"title": f"Deep {name}"}, body) for i, (name, body) in enumerate(NESTED.items())}
    files["content/stories/deep-faq.md"] = story({"title": "Deep FAQ", "faq": [{"q": "Deep?", "a": ">" * 10_000 + " yes"}]})
    root = write_tree(copy_site(good_build, tmp_path / "site"), files)
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    for index in range(len(NESTED)):
        assert "deep" in (root / f"public/stories/deep-{index}/index.html").read_text(encoding="utf-8")


def test_twenty_thousand_identical_headings_get_unique_ids(good_build, tmp_path):
    # A live blog's "## Update" repeated: heading ids used to be numbered in quadratic time
    # (about a minute for this story); now the build takes about a second.
    body = "## Update\n\nNews.\n\n" * 20_000
    root = write_tree(copy_site(good_build, tmp_path / "site"), {"content/stories/live.md": story({"title": "Live"}, body)})
    result = run_build(root, root / "public")
    assert result.returncode == 0, result.stderr
    page = (root / "public/stories/live/index.html").read_text(encoding="utf-8")
    assert "id=update-19999>" in page or 'id="update-19999"' in page


def test_front_matter_nested_too_deeply_is_an_error(good_build, tmp_path):
    root = write_tree(copy_site(good_build, tmp_path / "site"), {BAD: raw_story(HEAD + "extra: " + "[" * 10_000 + "]" * 10_000 + "\n")})
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 1
    assert error_lines(result)[0].startswith(f"{BAD}:2: front matter is nested too deeply")


def test_tags_that_collide_after_slugging_make_one_tag_page(good_build, tmp_path):
    root = write_tree(copy_site(good_build, tmp_path / "site"), {
        "content/stories/one.md": story({"title": "One", "tags": ["AI Act", "ai-act", "AI  act"]}),
        "content/stories/two.md": story({"title": "Two", "tags": ["ai-act"]}),
        "content/stories/three.md": story({"title": "Three", "tags": ["AI  act"]}),
    })
    result = run_build(root, root / "public")
    assert result.returncode == 0, result.stderr
    tag_pages = sorted(p.parent.name for p in (root / "public/tags").glob("*/index.html"))
    assert tag_pages == ["ai-act", "chips"]
    page = (root / "public/tags/ai-act/index.html").read_text(encoding="utf-8")
    for title in ("One", "Two", "Three", "Good", "Other"):
        assert f">{title}<" in page
    one = (root / "public/stories/one/index.html").read_text(encoding="utf-8")
    assert one.count('href=/tags/ai-act/') + one.count('href="/tags/ai-act/"') >= 1


def test_right_to_left_and_emoji_titles_build_unchanged(good_build, tmp_path):
    titles = {"rtl": "قانون الذكاء الاصطناعي الأوروبي", "hebrew": "חוק הבינה המלאכותית", "emoji": "Chips 🤖 and flags 🇪🇺 👩🏽‍💻",
              "mixed": "EU \u202bقانون\u202c Act ✅"}
    files = {f"content/stories/{name}.md": story({"title": title, "dek": title, "tags": ["AI Act", f"{name} tag"]}) for name, title in titles.items()}
    root = write_tree(copy_site(good_build, tmp_path / "site"), files)
    result = run_build(root, root / "public")
    assert result.returncode == 0, result.stderr
    for name, title in titles.items():
        page = (root / f"public/stories/{name}/index.html").read_text(encoding="utf-8")
        assert f">{title}</h1>" in page


def test_symlinks_in_content_never_pull_in_files_from_outside(good_build, tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.md": story({"title": "SECRET FILE"}), "folder/leak.md": story({"title": "SECRET FOLDER"})})
    root = copy_site(good_build, tmp_path / "site")
    (root / "content/stories/linked.md").symlink_to(outside / "secret.md")
    (root / "content/stories/linked-folder").symlink_to(outside / "folder", target_is_directory=True)
    (root / "content/stories/loop.md").symlink_to("loop.md")
    before = manifest(root / "public")
    result = run_build(root, root / "public")
    assert_no_traceback(result)
    assert result.returncode == 1
    printed = error_lines(result)
    assert printed[0] == "content/stories/linked.md: is a symbolic link to a file outside the site; copy the file into content/ instead"
    assert printed[1].startswith("content/stories/loop.md: cannot be read:")
    assert manifest(root / "public") == before
    # A link to a folder is not followed at all, so without the file link the build passes
    # and nothing from outside is published.
    (root / "content/stories/linked.md").unlink()
    (root / "content/stories/loop.md").unlink()
    result = run_build(root, root / "public")
    assert result.returncode == 0, result.stderr
    assert not any(b"SECRET" in (root / "public" / rel).read_bytes() for rel in manifest(root / "public"))


def test_a_pipe_named_like_a_story_does_not_hang_the_build(good_build, tmp_path):
    root = copy_site(good_build, tmp_path / "site")
    import os

    os.mkfifo(root / "content/stories/pipe.md")
    result = run_build(root, root / "public", timeout=60)
    assert result.returncode == 1
    assert error_lines(result) == ["content/stories/pipe.md: is not a regular file (a pipe or device?); replace it with a Markdown file"]


@pytest.mark.slow
def test_a_thousand_broken_files_are_all_reported_in_path_order(good_build, tmp_path):
    broken = ['---\ntitle: "unclosed\n---\n', raw_story("title: [x]\ndek: D\ndate: 2026-02-30\ntags: [x]\n"), "", b"---\ntitle: \xff\n---\n"]
    names = [f"content/stories/{'abcdefghij'[i % 10]}/broken-{i:04d}.md" for i in range(1000)]
    root = write_tree(copy_site(good_build, tmp_path / "site"), {name: broken[i % len(broken)] for i, name in enumerate(names)})
    started = time.perf_counter()
    result = run_build(root, root / "public")
    seconds = time.perf_counter() - started
    print(f"\n1,000 broken files: reported in {seconds:.2f} s")
    assert_no_traceback(result)
    assert result.returncode == 1
    printed = [line for line in error_lines(result) if ": warning:" not in line]
    paths = [line.split(":", 1)[0] for line in printed]
    assert set(paths) == set(names)
    assert paths == sorted(paths)
    assert len(printed) == 1000 + 250  # the second kind of file has two errors
    assert result.stderr.rstrip().splitlines()[-1] == "Build failed: 1250 errors in 1000 files; nothing was written."


def test_sitegen_check_reports_every_case_the_same_way(good_build, tmp_path, capsys):
    """`sitegen check` (run in-process: an exception would fail the test) finds each broken
    case with the same first line as the build and exits 1."""
    from sitegen.cli import main

    for number, (case, (files, expected)) in enumerate(ERRORS.items()):
        root = write_tree(copy_site(good_build, tmp_path / f"site{number}"), files)
        capsys.readouterr()
        status = main(["check", "-s", str(root)])
        printed = capsys.readouterr()
        assert status == 1, (case, printed.out, printed.err)
        path_line = ":".join(expected[0].split(":")[:2]) + ":"  # check prints no column
        assert path_line in printed.out + printed.err, (case, printed.out, printed.err)
