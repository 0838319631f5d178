"""``import astrokit`` stays light; submodules load on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import astrokit

HEAVY = ["matplotlib", "umap", "holoviews", "sklearn", "datashader", "bokeh", "numba"]


def test_import_loads_no_heavy_library():
    code = "import sys, astrokit; print(' '.join(m for m in %r if m in sys.modules))"
    loaded = subprocess.check_output([sys.executable, "-c", code % HEAVY], text=True)
    assert loaded.strip() == ""


def test_submodules_load_lazily():
    assert astrokit.data.__name__ == "astrokit.data"


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        astrokit.nope  # noqa: B018
