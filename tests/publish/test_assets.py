"""Content-hashed CSS and JavaScript, resolved through asset(); other static files as they are."""

from __future__ import annotations

import pytest
from conftest import story_text
from publishing import HASHED, build_into, files, local_target, tree

from sitegen.assets import collect_assets, hashed_name
from sitegen.build import BuildCache, render_site
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.model import BuildOptions
from sitegen.render import static_dirs

SCRIPT_LAYOUT = ('{% extends "base.html" %}{% block head %}<script src="{{ asset(\'js/app.js\') }}" defer></script>'
                 '<link rel="stylesheet" href="{{ asset(\'/css/extra.css\') }}">{% endblock %}')


@pytest.fixture
def site(make_site):
    return make_site({
        "content/stories/a.md": story_text("A"),
        "static/js/app.js": "console.log('one');\n",
        "static/css/extra.css": "p { color: navy }\n",
        "static/img/chart.png": b"\x89PNG chart",
        "layouts/home.html": SCRIPT_LAYOUT,
    })


def referenced(out, rel) -> list[str]:
    page = tree(out, rel)
    return page.xpath("//link[@rel='stylesheet']/@href | //script/@src | //link[@rel='icon']/@href")


def test_css_and_js_get_hashed_names_other_files_keep_theirs(site):
    _, out = build_into(site)
    served = files(out)
    hashed = [rel for rel in served if rel.startswith("static/") and HASHED.search(rel)]
    assert {h.rsplit("/", 1)[0] for h in hashed} == {"static/css", "static/js"}
    assert "static/img/chart.png" in served and "static/share.png" in served
    assert not (out / "static/js/app.js").exists() and not (out / "static/css/site.css").exists()
    assert hashed_name("css/site.css", b"x") == "css/site.2d711642.css"


def test_a_changed_file_gets_a_new_name_and_every_reference_follows(site):
    _, out = build_into(site)
    before = referenced(out, "index.html")
    assert len(before) == 4
    for url in before:
        assert local_target(out, url), url
    (site / "static/js/app.js").write_text("console.log('two');\n")
    _, out = build_into(site)
    after = referenced(out, "index.html")
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    assert len(changed) == 1 and "/static/js/app." in changed[0][0]
    for url in after:
        assert local_target(out, url), url
    assert not local_target(out, changed[0][0]), "the old name is gone"


def test_every_page_refers_to_assets_that_exist(site):
    _, out = build_into(site)
    for rel in files(out):
        if rel.endswith(".html"):
            for url in referenced(out, rel):
                assert local_target(out, url), f"{rel}: {url}"


def test_cached_pages_are_re_rendered_when_an_asset_is_re_hashed(site):
    config, options, cache = load_config(site), BuildOptions(), BuildCache()
    render_site(site, config, options, cache)
    unchanged = render_site(site, config, options, cache)
    assert unchanged.rendered == []
    (site / "static/css/extra.css").write_text("p { color: teal }\n")
    again = render_site(site, config, options, cache)
    assert "index.html" in again.rendered and "stories/a/index.html" in again.rendered
    css = [o.dest for o in again.outputs if o.dest.startswith("static/css/extra.")]
    assert len(css) == 1 and f'/{css[0]}' in next(o for o in again.outputs if o.dest == "index.html").content.decode()


def test_an_unknown_asset_name_fails_the_build_at_the_layout_line(make_site):
    root = make_site({
        "content/stories/a.md": story_text("A"),
        "layouts/home.html": '{% extends "base.html" %}\n{% block head %}\n<link rel="stylesheet" href="{{ asset(\'css/missing.css\') }}">\n{% endblock %}\n',
    })
    with pytest.raises(BuildFailed) as failed:
        build_into(root)
    problems = [p for p in failed.value.problems if p.is_error]
    assert len(problems) == 1
    assert (problems[0].location.path, problems[0].location.line) == ("layouts/home.html", 3)
    assert "asset('css/missing.css')" in problems[0].message and "static/css/missing.css" in problems[0].hint


def test_a_file_that_is_not_css_or_js_in_the_hashed_folders_is_a_warning(make_site):
    root = make_site({"content/stories/a.md": story_text("A"), "static/css/font.woff2": b"wOF2"})
    result, out = build_into(root)
    warnings = [p for p in result.problems if p.location.path == "static/css/font.woff2"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert (out / "static/css/font.woff2").is_file()


def test_a_site_file_replaces_the_theme_file_of_the_same_name(make_site):
    root = make_site({"content/stories/a.md": story_text("A"), "static/css/site.css": "body { margin: 0 }\n"})
    assets = collect_assets(static_dirs(root))
    css = assets.manifest.url("css/site.css")
    assert css == "/static/" + hashed_name("css/site.css", b"body { margin: 0 }\n")
    assert [f.dest for f in assets.files if f.dest.startswith("static/css/")] == [css.lstrip("/")]
