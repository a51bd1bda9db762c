"""Jinja2 layouts -> page HTML. The site's layouts/ first, then the theme shipped with sitegen."""

from __future__ import annotations

import hashlib
import json
import traceback
from pathlib import Path
from typing import Callable, Mapping

import jinja2
import jinja2.meta
from markupsafe import Markup

from .errors import LayoutError, SourceLocation

LAYOUTS_DIR = "layouts"
STATIC_DIR = "static"


def theme_dir() -> Path:
    """The default theme (layouts/ and static/) ships inside the package, so a site folder
    with only content/ builds; a site's own layouts/ and static/ override it file by file."""
    return Path(__file__).parent / "theme"


def layout_dirs(root: Path) -> list[Path]:
    dirs = [root / LAYOUTS_DIR, theme_dir() / LAYOUTS_DIR]
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [u.resolve() for u in unique]:
            unique.append(folder)
    return unique


def static_dirs(root: Path) -> list[Path]:
    """Theme static files first, so the site's own files of the same name replace them."""
    dirs = [theme_dir() / STATIC_DIR, root / STATIC_DIR]
    unique: list[Path] = []
    for folder in dirs:
        if folder.is_dir() and folder.resolve() not in [u.resolve() for u in unique]:
            unique.append(folder)
    return unique


def layouts_digest(root: Path) -> str:
    """A hash over every layout file that could be used, to key cached pages."""
    digest = hashlib.sha256()
    for folder in layout_dirs(root):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(b"\1")
    return digest.hexdigest()


def json_for_script(value) -> Markup:
    """JSON that is safe inside <script>: no '<', '>' or '&' that could end the element,
    and no U+2028/U+2029 that break older JavaScript parsers."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


_DICT_ATTRIBUTES = frozenset(dir(dict))  # what getattr() finds on a plain dict: its methods


class _Environment(jinja2.Environment):
    """Jinja's environment, with `x.name` on the plain dicts the views hand to layouts
    looked up as it always resolves: Jinja tries the attribute first and the key only
    after AttributeError, and raising that error for every `card.title` cost a quarter
    of the time spent in layouts. A name that is one of dict's own (`items`, `keys`,
    ...) and any other object still go the stock way."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (TypeError, LookupError, AttributeError):  # as the stock lookup catches
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


class Renderer:
    """One Jinja environment per build; render(template, context) -> HTML text."""

    def __init__(self, root: Path, asset_url: Callable[[str], str] | None = None) -> None:
        self.root = root
        self.dirs = layout_dirs(root)
        self.env = _Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # A Renderer lives for one build (the preview makes a new one when a layout
            # changes), so Jinja need not stat every layout file again for every page.
            auto_reload=False,
        )
        self.env.filters["jsonld"] = json_for_script
        self.env.globals["asset"] = asset_url or (lambda path: "/static/" + path.lstrip("/"))
        self._digests: dict[str, str] = {}
        self._refs: dict[str, tuple[str | None, ...]] = {}

    def with_assets(self, asset_url: Callable[[str], str]) -> "Renderer":
        """Reuse this renderer (its compiled layouts) for a build with a new asset manifest.
        Only valid while no layout file was added, removed or edited."""
        self.env.globals["asset"] = asset_url
        return self

    def template_digest(self, name: str) -> str:
        """A hash over a layout and every layout it extends, includes or imports, so a
        cached page is re-rendered only when a layout it uses changes. A reference made
        with a variable cannot be followed: then every layout counts."""
        if name not in self._digests:
            names = self._referenced(name)
            if names is None:
                self._digests[name] = layouts_digest(self.root)
            else:
                digest = hashlib.sha256()
                for used in sorted(names):
                    digest.update(used.encode() + b"\0" + self._source(used).encode() + b"\1")
                self._digests[name] = digest.hexdigest()
        return self._digests[name]

    def _referenced(self, name: str) -> set[str] | None:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current not in self._refs:
                try:
                    tree = self.env.parse(self._source(current))
                    self._refs[current] = tuple(jinja2.meta.find_referenced_templates(tree))
                except jinja2.TemplateSyntaxError:
                    self._refs[current] = ()  # rendering reports it with its line; the source is in the digest
            for ref in self._refs[current]:
                if ref is None:
                    return None
                todo.append(ref)
        return seen

    def _source(self, name: str) -> str:
        try:
            return self.env.loader.get_source(self.env, name)[0]
        except jinja2.TemplateNotFound:
            return "\0missing"

    def render(self, template: str, context: Mapping) -> str:
        try:
            return self.env.get_template(template).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise LayoutError(self._location(exc.filename, exc.lineno), f"layout syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise LayoutError(SourceLocation(f"{LAYOUTS_DIR}/{template}"), f"layout '{exc.name}' not found; add it to layouts/") from None
        except jinja2.UndefinedError as exc:
            filename, line = _template_frame(exc)
            raise LayoutError(self._location(filename, line, template), f"layout uses an undefined value: {exc.message}") from None
        except LayoutError as exc:  # raised by a helper such as asset(): point at the layout line that called it
            filename, line = _template_frame(exc)
            raise LayoutError(self._location(filename, line, template), exc.message, exc.hint) from None

    def _location(self, filename: str | None, line: int | None, fallback: str = "") -> SourceLocation:
        path = Path(filename) if filename else None
        if path is not None:
            for folder in self.dirs:
                try:
                    rel = path.resolve().relative_to(folder.resolve())
                except ValueError:
                    continue
                where = f"{LAYOUTS_DIR}/{rel.as_posix()}"
                if folder != self.root / LAYOUTS_DIR:
                    where = f"(theme) {where}"
                return SourceLocation(where, line or 0)
        return SourceLocation(f"{LAYOUTS_DIR}/{fallback}" if fallback else LAYOUTS_DIR, line or 0)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    # Jinja rewrites tracebacks so that template code shows as frames of the .html file.
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno)
    return found
