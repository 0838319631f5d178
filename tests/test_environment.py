"""pyproject.toml, environment.yml and binder/ describe the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
INTERACTIVE = {"jupyterlab", "ipywidgets", "bokeh", "holoviews", "datashader"}


def _normalise(requirement: str) -> tuple[str, str]:
    """Name and version spec; pip extras dropped (conda-forge's ``dask`` is
    ``dask[dataframe]`` and more)."""
    pattern = r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$"
    name, spec = re.match(pattern, requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_normalise(r) for r in reqs)


def _conda(path: Path) -> dict[str, str]:
    deps = yaml.safe_load(path.read_text())["dependencies"]
    pairs = dict(_normalise(d) for d in deps if isinstance(d, str))
    pairs.pop("pip", None)
    assert pairs.pop("python") == ">=3.11"
    return pairs


@pytest.mark.parametrize("path", ["environment.yml", "binder/environment.yml"])
def test_conda_environment_matches_pyproject(path):
    assert _conda(ROOT / path) == _pyproject()


def test_interactive_stack_is_pinned():
    pins = {name: spec for name, spec in _pyproject().items() if name in INTERACTIVE}
    assert set(pins) == INTERACTIVE
    assert all(spec.startswith("==") for spec in pins.values()), pins


def test_binder_builds_demo_data():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "astrokit prepare" in post_build
