"""SiteConfig: [tool.sitegen] in the site root's pyproject.toml, read once and validated."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ConfigError

CONFIG_FILE = "pyproject.toml"


@dataclass(frozen=True)
class SiteConfig:
    """Every setting has a default, so a folder with only content/ builds."""

    title: str = "sitegen site"
    description: str = "Explainers on artificial-intelligence policy."
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    publisher: str = ""  # organisation named in structured data; defaults to title
    related_count: int = 5  # "Continue reading" cards per story
    page_size: int = 12  # cards per home/tag listing page
    feed_entries: int = 20
    feed_full_content: bool = True
    raw_html: bool = False  # allow raw HTML inside Markdown bodies
    timezone: str = "UTC"  # used for dates given without a time

    @property
    def site_publisher(self) -> str:
        return self.publisher or self.title

    def absolute_url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


_TYPES = {f.name: f.type for f in fields(SiteConfig)}
_PYTYPES = {"str": str, "int": int, "bool": bool}
_TYPE_NAMES = {str: "a quoted text", int: "a whole number", bool: "true or false"}


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read [tool.sitegen] from root/pyproject.toml; missing file or table means defaults."""
    path = root / CONFIG_FILE
    table: dict = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{CONFIG_FILE}: cannot be read as TOML: {exc}") from exc
        tool = data.get("tool", {})  # `tool = 5` is valid TOML too
        table = tool.get("sitegen", {}) if isinstance(tool, dict) else None
        if not isinstance(table, dict):
            raise ConfigError(f"{CONFIG_FILE}: [tool.sitegen] must be a table")
    config = config_from_table(table)
    if base_url is not None:
        config = replace(config, base_url=_check_base_url(base_url, "--base-url"))
    return config


def config_from_table(table: dict) -> SiteConfig:
    problems: list[str] = []
    values: dict = {}
    for key, value in table.items():
        if key not in _TYPES:
            close = difflib.get_close_matches(key, list(_TYPES), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(sorted(_TYPES))}"
            problems.append(f"unknown key '{key}'{hint}")
            continue
        expected = _PYTYPES[_TYPES[key]]
        if type(value) is not expected:
            problems.append(f"'{key}' must be {_TYPE_NAMES[expected]}, not {value!r}")
            continue
        values[key] = value
    for key in ("related_count", "page_size", "feed_entries"):
        if key in values and values[key] < 1:
            problems.append(f"'{key}' must be at least 1")
    if "base_url" in values:
        try:
            values["base_url"] = _check_base_url(values["base_url"], "'base_url'")
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(f"{CONFIG_FILE}: [tool.sitegen] {p}" for p in problems))
    return SiteConfig(**values)


def _check_base_url(url: str, what: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{what} must start with http:// or https://, got {url!r}")
    return url.rstrip("/") + "/"
