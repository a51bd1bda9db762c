"""config.py: [tool.sitegen] with defaults and clear errors."""

import pytest

from sitegen.config import SiteConfig, load_config
from sitegen.errors import ConfigError


def test_defaults_without_pyproject(tmp_path):
    assert load_config(tmp_path) == SiteConfig()


def test_reads_tool_sitegen(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.sitegen]\ntitle = "X"\nbase_url = "https://x.example"\nrelated_count = 3\n')
    config = load_config(tmp_path)
    assert (config.title, config.base_url, config.related_count) == ("X", "https://x.example/", 3)


def test_command_line_base_url_wins(tmp_path):
    assert load_config(tmp_path, "https://y.example/a").base_url == "https://y.example/a/"


@pytest.mark.parametrize("body, words", [
    ('titel = "X"', "did you mean 'title'"),
    ("page_size = 0", "at least 1"),
    ('related_count = "5"', "must be a whole number"),
    ('base_url = "example.org"', "http"),
    ("title = [", "TOML"),
])
def test_bad_config_is_explained(tmp_path, body, words):
    (tmp_path / "pyproject.toml").write_text(f"[tool.sitegen]\n{body}\n")
    with pytest.raises(ConfigError, match="pyproject.toml") as caught:
        load_config(tmp_path)
    assert words in str(caught.value)
