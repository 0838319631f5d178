"""Rows inside a box or a lasso: the selection geometry of every view.

Plain functions of coordinate arrays (NumPy, or Dask Series for a box),
shared by the in-memory rows (:mod:`astrokit.explorer._columns`), the lazy
ones (:mod:`astrokit.explorer._lazy`) and the selection.
"""

from __future__ import annotations

import numpy as np

__all__ = ["box_mask", "lasso_mask"]


def box_mask(x, y, bounds) -> np.ndarray:
    """Rows inside the box ``bounds = (x0, y0, x1, y1)`` (edges included).

    Examples
    --------
    >>> box_mask(np.array([0.0, 1.0, 2.0]), np.zeros(3), (0.5, -1, 2, 1)).tolist()
    [False, True, True]
    """
    if len(bounds) != 4 or not np.all(np.isfinite(np.asarray(bounds, float))):
        msg = f"bounds={bounds!r} must be four finite numbers (x0, y0, x1, y1)."
        raise ValueError(msg)
    x0, y0, x1, y1 = (float(b) for b in bounds)
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def lasso_mask(x, y, polygon) -> np.ndarray:
    """Rows inside the closed polygon (vertices of shape (k, 2), k >= 3).

    Only points inside the polygon's bounding box are tested against the
    path, so a small lasso on millions of rows stays fast.

    Examples
    --------
    >>> tri = [(0, 0), (2, 0), (0, 2)]
    >>> lasso_mask(np.array([0.5, 1.5]), np.array([0.5, 1.5]), tri).tolist()
    [True, False]
    """
    from matplotlib.path import Path as MplPath

    poly = np.asarray(polygon, dtype=float)
    if poly.ndim != 2 or poly.shape[1] != 2 or poly.shape[0] < 3:
        msg = (
            f"polygon of shape {poly.shape} is not a lasso; it needs at least "
            "three (x, y) vertices."
        )
        raise ValueError(msg)
    lo, hi = poly.min(axis=0), poly.max(axis=0)
    mask = box_mask(x, y, (lo[0], lo[1], hi[0], hi[1]))
    inside = np.flatnonzero(mask)
    if inside.size:
        pts = np.column_stack([x[inside], y[inside]])
        mask[inside] = MplPath(poly).contains_points(pts)
    return mask
