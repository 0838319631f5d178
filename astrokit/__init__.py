"""astrokit: discover structure in multi-wavelength astronomical data.

The kit is a set of plain functions and scikit-learn estimators over one
pandas table (one row per pixel, region, star or galaxy). Submodules are
imported on first use, so ``import astrokit`` stays fast::

    import astrokit as ak
    table = ak.data.load_demo()
    ak.inspect.coverage_report(table)
    found = ak.discover(table)  # the whole loop: groups, outliers, why
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = [
    "data",
    "inspect",
    "features",
    "distances",
    "sequence",
    "embedding",
    "cluster",
    "interpret",
    "outliers",
    "transfer",
    "stars",
    "plot",
    "explorer",
    "report",
    "cli",
]
_LOOP = ["discover", "Discovery"]
"""The whole loop in one call (``astrokit._discover``), loaded on first use."""
__all__ = ["__version__", *_LOOP, *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"astrokit.{name}")
    if name in _LOOP:
        return getattr(importlib.import_module("astrokit._discover"), name)
    msg = f"module 'astrokit' has no attribute {name!r}"
    raise AttributeError(msg)
