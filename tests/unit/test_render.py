"""render.py: `x.name` on a plain dict resolves exactly as in stock Jinja, and a site's own
card partial still replaces the theme's inside the card loops."""

from collections import OrderedDict

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.build import build
from sitegen.render import _DICT_ATTRIBUTES, Renderer, _Environment

from conftest import story_text

# Names of dict's own methods and dunders, which getattr() finds before any key, and others.
NAMES = sorted(_DICT_ATTRIBUTES) + ["title", "url", "tags", "count", "missing", "", "0", "__missing__", "__name__", "Items"]
names = st.sampled_from(NAMES)
values = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2))


def resolved(env: jinja2.Environment, obj, name: str):
    value = env.getattr(obj, name)
    if isinstance(value, jinja2.Undefined):
        return ("undefined", value._undefined_name, value._undefined_obj is obj, type(value))
    return value


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(names, values, max_size=6), names)
def test_dict_lookups_match_stock_jinja(data, name):
    fast, stock = _Environment(undefined=jinja2.StrictUndefined), jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert resolved(fast, data, name) == resolved(stock, data, name)


@given(names)
def test_other_mappings_and_objects_take_the_stock_path(name):
    fast, stock = _Environment(), jinja2.Environment()
    for obj in (OrderedDict(title="t", items=1), type("View", (dict,), {"title": "attr"})(title="key"), "text", 3):
        assert resolved(fast, obj, name) == resolved(stock, obj, name)


def test_templates_render_the_same_including_method_names_and_undefined():
    source = "{{ d.title }}|{{ d['items'] }}|{{ d.items is callable }}|{{ d.get('url') }}|{{ d.nope is defined }}"
    context = {"d": {"title": "<T>", "items": [1], "url": "/u/"}}
    outputs = [env_class(autoescape=True).from_string(source).render(context) for env_class in (_Environment, jinja2.Environment)]
    assert outputs[0] == outputs[1] == "&lt;T&gt;|[1]|True|/u/|False"


def test_a_missing_key_is_still_an_error_with_its_name(tmp_path):
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts/x.html").write_text("{{ card.nope }}")
    renderer = Renderer(tmp_path)
    try:
        renderer.render("x.html", {"card": {"title": "t"}})
    except Exception as exc:  # LayoutError, pointing at the layout line
        assert "nope" in str(exc.message) and exc.location.line == 1
    else:
        raise AssertionError("an undefined key must fail the render")


def test_site_card_partial_replaces_the_themes_in_every_card_loop(make_site):
    root = make_site({
        "content/stories/a.md": story_text("Alpha", tags="[AI Act, Chips]"),
        "content/stories/b.md": story_text("Beta", date="2026-03-02", tags="[AI Act, Chips]"),
        "layouts/partials/card.html": '<p class="own-card">{{ card.title }}{% if show_shared is defined %} shared{% endif %}</p>\n',
    })
    build(root, root / "public")
    for page, expected in (("index.html", 2), ("tags/ai-act/index.html", 2), ("stories/a/index.html", 1)):
        html = (root / "public" / page).read_text(encoding="utf-8")
        assert html.count("own-card") == expected, page
        assert "card__title" not in html and "card__dek" not in html, page
    assert "Beta shared" in (root / "public/stories/a/index.html").read_text(encoding="utf-8")
