"""A wheel built from the project carries the default theme: a folder with only content/ builds."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO, story_text, write_files


@pytest.mark.slow
def test_installed_wheel_builds_a_content_only_site(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(wheels.glob("sitegen-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    site = write_files(tmp_path / "site", {"content/stories/only.md": story_text("Only content")})
    # PYTHONPATH puts the installed wheel ahead of the editable checkout; cwd is outside the repo.
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import sitegen; print(sitegen.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target))
    result = subprocess.run([sys.executable, "-m", "sitegen", "build", "-s", str(site)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (site / "public/stories/only/index.html").is_file()
    assert list((site / "public/static/css").glob("*.css"))
