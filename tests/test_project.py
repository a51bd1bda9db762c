"""The project's promises: the README's commands, CI and Netlify agree."""

import re
import tomllib

from conftest import REPO


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_ci_runs_the_readme_test_command_verbatim():
    build_command, test_command = readme_commands()[:2]
    assert "pytest" in test_command
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_netlify_builds_like_the_readme():
    config = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))
    build_command = readme_commands()[0]
    assert config["build"]["publish"] == "public"
    # Netlify installs into its own environment, so it runs the README's install + build part.
    assert build_command.endswith(config["build"]["command"])
    assert config["build"]["environment"]["PYTHON_VERSION"] >= "3.11"
