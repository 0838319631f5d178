"""astrokit: discover structure in multi-wavelength astronomical data.

The kit is a set of plain functions and scikit-learn estimators over one
pandas table (one row per pixel, region, star or galaxy). Submodules are
imported on first use, so ``import astrokit`` stays fast::

    import astrokit as ak
    table = ak.data.load_demo()
    ak.inspect.coverage_report(table)
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = [
    "data",
    "inspect",
    "features",
    "distances",
    "embedding",
    "cluster",
    "interpret",
    "outliers",
    "plot",
    "explorer",
    "report",
    "cli",
]
__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"astrokit.{name}")
    msg = f"module 'astrokit' has no attribute {name!r}"
    raise AttributeError(msg)
