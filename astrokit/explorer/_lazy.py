"""The explorer's rows on a Dask DataFrame, kept lazy, and their sums.

A table too large for memory stays a ``dask.dataframe.DataFrame``. Each view
is a lazy frame of its two coordinates (and the colour) that Datashader
aggregates partition by partition (``Canvas.points`` takes Dask DataFrames
natively), so a view update is one parallel pass and nothing is collected
into pandas. :class:`LazyRows` offers a view what
:class:`~astrokit.explorer._columns.ViewRows` offers for a pandas table
(its frame, overlays, the rows inside a box or lasso), but as Dask
expressions: a box or lasso becomes a lazy boolean mask, a Dask Series on the
table's index partitioned like the table. Every mask and frame is built from
the table itself, so Dask aligns them partition by partition without a
shuffle.

What must be numbers is computed with one task per partition doing NumPy
inside, then added up: :func:`view_stats` (every view's rows and ranges) and
:func:`moments` (count, sum and sum of squares of columns under masks, for
the selection's summary and the groups' contrast). Built from many small
Dask reductions instead (hundreds of tasks), a summary of 2,000 rows in 6
partitions took 31 s instead of 0.7 s on a loaded 2-core machine. The
selection itself is in :mod:`astrokit.explorer._lazy_selection`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.dask import is_dask
from astrokit.explorer._choices import values_of
from astrokit.explorer._columns import _numeric_coordinate, padded_bounds
from astrokit.explorer._geometry import box_mask, lasso_mask
from astrokit.explorer._raster import frame

__all__ = ["LazyRows", "moments", "view_stats", "is_dask"]


def _finite(series):
    return series.abs() < np.inf  # False for NaN too


class LazyRows:
    """The rows one view of a Dask table shows: finite coordinates in ``where``.

    Parameters
    ----------
    table : dask.dataframe.DataFrame
    pair : (str, str)
        Coordinate columns.
    role : str
        ``"embedding"`` or ``"sky"``, for error messages.
    group : (str, value), optional
        Only the rows where that column has that value (one galaxy);
        default every row.

    Compute :func:`view_stats` (for every view at once) and pass each
    view's to :meth:`set_stats` before use.
    """

    def __init__(self, table, pair, *, role: str, group=None):
        if len(pair) != 2:
            msg = f"{role}={pair!r} must name two columns (x, y)."
            raise ValueError(msg)
        for column in pair:  # presence and dtype, on the empty meta frame
            _numeric_coordinate(table._meta, column, role)
        dtypes = [table._meta[c].dtype for c in pair]
        small = all(d == np.float32 or d.kind in "iu" for d in dtypes)
        dtype = np.float32 if small else np.float64
        xy = table[list(pair)].rename(columns=dict(zip(pair, ("x", "y"), strict=True)))
        self.xy = xy.astype({"x": dtype, "y": dtype})
        self.dtype = dtype
        finite = _finite(self.xy["x"]) & _finite(self.xy["y"])
        self.pair, self.group = tuple(pair), group
        if group is not None:  # (column, value): one galaxy
            finite = finite & (table[group[0]] == group[1])
        self.keep = finite
        self.n, self.dropped, self.integral = 0, 0, False
        self._bounds = (0.0, 0.0, 1.0, 1.0)

    def set_stats(self, stats: dict) -> None:
        """Keep this view's :func:`view_stats`."""
        self.n = int(stats["n"])
        self.dropped = int(stats["total"]) - self.n
        self.integral = self.n > 0 and bool(stats["whole"])
        if self.n:
            x0, x1, y0, y1 = (float(v) for v in stats["range"])
            self._bounds = padded_bounds((x0, x1), (y0, y1))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1), padded as for an in-memory view."""
        return self._bounds

    def frame(self, values=None, marks=None):
        """Datashader's lazy input: ``x``, ``y`` and ``values`` (a lazy Series
        of the table named ``"v"``, or ``"c"`` for categories), shown rows;
        ``marks`` ({name: lazy mask of the table}) adds the columns ``"mark
        NAME"`` that :func:`~astrokit.explorer._raster.aggregate` counts in
        the same pass."""
        columns = {} if values is None else {values.name: values}
        for name, mask in (marks or {}).items():
            columns[f"mark {name}"] = mask.astype(np.float32).where(mask)
        xy = self.xy.assign(**columns) if columns else self.xy
        return xy[self.keep]

    def warmup(self) -> pd.DataFrame:
        """Two rows of the view's dtypes (to compile Datashader's kernel)."""
        return frame(np.zeros(2, self.dtype), np.zeros(2, self.dtype), None)

    def marked(self, mask):
        """The rows of ``mask`` (a lazy mask of the table) shown here, or None."""
        return None if mask is None else self.xy[self.keep & mask]

    def inside(self, kind: str, geometry):
        """A lazy boolean mask of the table: this view's rows inside a
        ``"box"`` or ``"lasso"`` (checked now; computed when used)."""
        if kind == "box":
            box_mask(np.zeros(0), np.zeros(0), geometry)  # bad bounds raise now
            inside = box_mask(self.xy["x"], self.xy["y"], geometry)
        else:
            lasso_mask(np.zeros(0), np.zeros(0), geometry)  # as must a bad lasso
            polygon = np.asarray(geometry, dtype=float)
            inside = self.xy.map_partitions(
                _lasso_partition, polygon, meta=pd.Series(dtype=bool)
            )
        return inside & self.keep


def _partition_stats(part: pd.DataFrame, specs) -> tuple[int, list]:
    out = []
    for pair, group in specs:
        x, y = (part[c].to_numpy(dtype=np.float64, na_value=np.nan) for c in pair)
        keep = np.isfinite(x) & np.isfinite(y)
        total = len(part)
        if group is not None:
            inside = (part[group[0]] == group[1]).fillna(False).to_numpy(dtype=bool)
            keep &= inside
            total = int(inside.sum())
        x, y = x[keep], y[keep]
        empty = x.size == 0
        out.append({
            "n": int(keep.sum()),
            "total": total,
            "range": np.array([np.inf, -np.inf, np.inf, -np.inf]) if empty
            else np.array([x.min(), x.max(), y.min(), y.max()]),
            "whole": bool(np.all(x == np.round(x)) and np.all(y == np.round(y))),
        })  # fmt: skip
    return len(part), out


def view_stats(table, rows: list) -> tuple[list[dict], int]:
    """Rows shown, rows of the view's group, ranges and whole-number
    coordinates of every view in ``rows`` (:class:`LazyRows`), and the rows
    of ``table``: one pass over it (one task per partition)."""
    import dask

    specs = [(r.pair, r.group) for r in rows]
    task = dask.delayed(_partition_stats, pure=True)
    done = dask.compute(*[task(part, specs) for part in table.to_delayed()])
    stats = []
    for i in range(len(specs)):
        parts = [d[1][i] for d in done]
        ranges = np.array([p["range"] for p in parts]).reshape(-1, 4)
        stats.append({
            "n": sum(p["n"] for p in parts),
            "total": sum(p["total"] for p in parts),
            "range": (ranges[:, 0].min(), ranges[:, 1].max(),
                      ranges[:, 2].min(), ranges[:, 3].max()),
            "whole": all(p["whole"] for p in parts),
        })  # fmt: skip
    return stats, sum(d[0] for d in done)


def _lasso_partition(part: pd.DataFrame, polygon: np.ndarray) -> pd.Series:
    x, y = part["x"].to_numpy(), part["y"].to_numpy()
    return pd.Series(lasso_mask(x, y, polygon), index=part.index)


def _partition_moments(part: pd.DataFrame, columns, *masks) -> np.ndarray:
    """(masks, columns, 3): count, sum and sum of squares of the finite values."""
    out = np.zeros((len(masks), len(columns), 3))
    chosen = []
    for mask in masks:
        if mask is not None and len(mask) != len(part):
            msg = (
                f"a mask of {len(mask)} rows for a partition of {len(part)}: masks "
                "must be built from the explored table itself (e.g. table['x'] > 0)."
            )
            raise ValueError(msg)
        chosen.append(None if mask is None else mask.to_numpy(dtype=bool))
    for j, column in enumerate(columns):
        values = values_of(part, column).astype(np.float64)
        finite = np.isfinite(values)
        for i, mask in enumerate(chosen):
            v = values[finite if mask is None else finite & mask]
            out[i, j] = (v.size, v.sum(), v @ v)
    return out


def moments(table, columns, masks: dict) -> dict:
    """``{column: {mask name: (n, sum, sum of squares)}}`` of the finite values.

    ``masks`` maps a name to a lazy boolean Series of ``table``, or None for
    every row. One task per partition computes every column under every mask
    (columns and derived features as :func:`~astrokit.explorer._choices.
    values_of` gives them), and the per-partition sums are added: a single
    pass, however many columns.
    """
    import dask

    names, columns = list(masks), list(columns)
    parts = table.to_delayed()
    split = [
        [None] * len(parts) if masks[n] is None else masks[n].to_delayed()
        for n in names
    ]
    task = dask.delayed(_partition_moments, pure=True)
    done = dask.compute(
        *[task(part, columns, *ms) for part, *ms in zip(parts, *split, strict=True)]
    )
    total = np.sum(done, axis=0) if done else np.zeros((len(names), len(columns), 3))
    return {
        c: {
            n: (int(total[i, j, 0]), float(total[i, j, 1]), float(total[i, j, 2]))
            for i, n in enumerate(names)
        }
        for j, c in enumerate(columns)
    }
