"""``import astrokit`` stays light; submodules load on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import astrokit

HEAVY = [
    "matplotlib",
    "umap",
    "holoviews",
    "sklearn",
    "datashader",
    "bokeh",
    "numba",
    "fast_hdbscan",
]


def test_import_loads_no_heavy_library():
    code = "import sys, astrokit; print(' '.join(m for m in %r if m in sys.modules))"
    loaded = subprocess.check_output([sys.executable, "-c", code % HEAVY], text=True)
    assert loaded.strip() == ""


def test_submodules_load_lazily():
    code = (
        "import sys, astrokit\n"
        "before = 'astrokit.cluster' in sys.modules\n"
        "module = astrokit.cluster\n"
        "print(before, 'astrokit.cluster' in sys.modules, module.__name__)"
    )
    printed = subprocess.check_output([sys.executable, "-c", code], text=True)
    assert printed.split() == ["False", "True", "astrokit.cluster"]


def test_every_submodule_is_reachable():
    for name in astrokit._SUBMODULES:
        assert getattr(astrokit, name).__name__ == f"astrokit.{name}"
    assert callable(astrokit.discover)
    assert astrokit.Discovery.__name__ == "Discovery"


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        astrokit.nope  # noqa: B018


def test_strict_mode_turns_deprecations_into_errors(monkeypatch):
    from astrokit._shared.checks import renamed

    monkeypatch.setenv("ASTROKIT_STRICT", "1")
    with pytest.raises(FutureWarning, match="seed= is renamed random_state="):
        renamed({"seed": 1}, "seed", "random_state", 0, default=0)
