"""The explorer's rows and selection on a Dask DataFrame, kept lazy.

A table too large for memory stays a ``dask.dataframe.DataFrame``. Each view
is a lazy frame of its two coordinates (and the colour) that Datashader
aggregates partition by partition (``Canvas.points`` takes Dask DataFrames
natively), so a view update is one parallel pass and nothing is collected
into pandas. :class:`LazyRows` offers a view what
:class:`~astrokit.explorer._columns.ViewRows` offers for a pandas table
(its frame, overlays, the rows inside a box or lasso), but as Dask
expressions: a box or lasso becomes a lazy boolean mask, a Dask Series on the
table's index partitioned like the table.

:class:`LazySelection` is the :class:`~astrokit.explorer._selection.
Selection` of such a mask: ``frame`` is ``table[mask]`` (lazy), ``summary()``
a few Dask reductions, and ``save()`` streams the selected rows partition by
partition into one Parquet or CSV file written under a temporary name and
then moved into place (as the in-memory selection does). Every mask and
frame is built from the table itself, so Dask aligns them partition by
partition without a shuffle.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.dask import is_dask
from astrokit.explorer._columns import _numeric_coordinate, padded_bounds
from astrokit.explorer._raster import frame
from astrokit.explorer._selection import (
    SUMMARY_COLUMNS,
    Selection,
    box_mask,
    lasso_mask,
    ranked,
)

__all__ = ["LazyRows", "LazySelection", "LazyPins", "moments", "is_dask"]


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
    where : dask Series of bool, optional
        The subset (e.g. one galaxy); default every row.

    Call :meth:`reductions`, compute them (for every view at once) and pass
    the result to :meth:`set_stats` before use.
    """

    def __init__(self, table, pair, *, role: str, where=None):
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
        self.keep = finite if where is None else finite & where
        self.where = where
        self.n, self.dropped, self.integral = 0, 0, False
        self._bounds = (0.0, 0.0, 1.0, 1.0)

    def reductions(self) -> dict:
        """Lazy scalars: rows shown, rows of ``where``, ranges, whole numbers."""
        shown = self.xy[self.keep]
        x, y = shown["x"], shown["y"]
        whole = ((x == x.round()) & (y == y.round())).all()
        total = self.keep.size if self.where is None else self.where.sum()
        return {
            "n": self.keep.sum(),
            "total": total,
            "range": (x.min(), x.max(), y.min(), y.max()),
            "whole": whole,
        }

    def set_stats(self, stats: dict) -> None:
        """Keep the computed :meth:`reductions`."""
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

    def frame(self, values=None):
        """Datashader's lazy input: ``x``, ``y`` and ``values`` (a lazy Series
        of the table named ``"v"``, or ``"c"`` for categories), shown rows."""
        xy = self.xy if values is None else self.xy.assign(**{values.name: values})
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


def _lasso_partition(part: pd.DataFrame, polygon: np.ndarray) -> pd.Series:
    x, y = part["x"].to_numpy(), part["y"].to_numpy()
    return pd.Series(lasso_mask(x, y, polygon), index=part.index)


def moments(values, masks: dict) -> dict:
    """Lazy ``(n, sum, sum of squares)`` of the finite ``values`` per mask.

    ``masks`` maps a name to a lazy boolean Series of the table, or None for
    every row.
    """
    values = values.where(_finite(values)).astype("float64")
    out = {}
    for name, mask in masks.items():
        v = values if mask is None else values.where(mask)
        out[name] = (v.count(), v.sum(), (v * v).sum())
    return out


def _triplet(sums) -> tuple[int, float, float]:
    n, s, q = sums
    return int(n), float(s), float(q)


class LazyPins:
    """Named labels of the rows of a Dask table, as a lazy categorical column.

    The latest pin wins where two overlap, as in the in-memory explorer.
    """

    def __init__(self, table):
        self.table = table
        self.pins: list[tuple[str, object]] = []

    def pin(self, name: str, mask) -> int:
        """Label the rows of ``mask`` as ``name``; return how many."""
        if not isinstance(name, str) or not name.strip():
            msg = f"name={name!r} must be a non-empty string (the label's name)."
            raise ValueError(msg)
        name = name.strip()
        n = 0 if mask is None else int(mask.sum().compute())
        if n == 0:
            msg = f"Nothing to pin as {name!r}: the selection is empty."
            raise ValueError(msg)
        self.pins.append((name, mask))
        return n

    @property
    def series(self):
        """The labels as a lazy categorical Series on the table's index."""
        names = list(dict.fromkeys(name for name, _ in self.pins))
        first = self.table.columns[0]
        labels = self.table[first].map_partitions(
            lambda s: pd.Series(np.nan, index=s.index, dtype=object),
            meta=pd.Series(dtype=object),
        )
        for name, mask in self.pins:
            labels = labels.mask(mask, name)
        return labels.astype(pd.CategoricalDtype(names)).rename("label")


class LazySelection(Selection):
    """A :class:`Selection` of a Dask table: ``mask`` is a lazy boolean Series.

    ``frame`` and ``index`` stay lazy (``.compute()`` them when small);
    ``len()`` and ``summary()`` compute what they need; ``save()`` streams.
    """

    def __init__(self, table, *, reference=None, source=None):
        self.table = table
        self.mask = None
        self.reference = reference
        self.source = source
        self.labels = None
        self._totals = {}
        self._count: int | None = None

    def __len__(self) -> int:
        if self.mask is None:
            return 0
        if self._count is None:
            self._count = int(self.mask.sum().compute())
        return self._count

    def __repr__(self) -> str:
        return (
            f"<Selection: {len(self):,} rows of a Dask table in "
            f"{self.table.npartitions} partitions (a lazy mask)>"
        )

    @property
    def empty(self) -> bool:
        """True when no mask is set (a mask is not computed to say so)."""
        return self.mask is None

    @property
    def positions(self):
        msg = (
            "A selection of a Dask table has no positions: use .mask (a lazy "
            "boolean Series), .index or .frame."
        )
        raise TypeError(msg)

    @property
    def index(self):
        """Index labels of the selected rows (a lazy Dask Index)."""
        return self.frame.index

    @property
    def frame(self):
        """The selected rows (a lazy Dask DataFrame)."""
        return self.table[self.mask]

    def clear(self) -> None:
        """Select nothing."""
        self.mask, self._count = None, None

    def set_mask(self, mask, *, count: int | None = None) -> None:
        """Replace the selection by a lazy boolean Series of the table."""
        dtype = getattr(getattr(mask, "_meta", None), "dtype", None)
        boolean = dtype is not None and pd.api.types.is_bool_dtype(dtype)
        if not (is_dask(mask) and boolean) or (
            mask.npartitions != self.table.npartitions
        ):
            msg = (
                f"mask of type {type(mask).__name__} does not fit: a Dask "
                f"boolean Series of the table ({self.table.npartitions} "
                "partitions), e.g. table['x'] > 0, is needed."
            )
            raise ValueError(msg)
        self.mask, self._count = mask, count

    def set_positions(self, positions) -> None:
        msg = (
            "A Dask table has no positions to select: use set_mask with a lazy "
            "boolean Series of the table."
        )
        raise TypeError(msg)

    def _in_reference(self, mask):
        return mask if self.reference is None else mask & self.reference

    def prepare(self, columns) -> None:
        """Compute the whole-table sums behind :meth:`summary` in one pass."""
        import dask

        todo = [c for c in columns if c not in self._totals]
        lazy = {c: moments(self.source(c), {"all": self.reference}) for c in todo}
        for column, sums in dask.compute(lazy)[0].items():
            self._totals[column] = _triplet(sums["all"])

    def summary(self, *, columns=None) -> pd.DataFrame:
        """As :meth:`Selection.summary`, by Dask reductions (one pass)."""
        import dask

        from astrokit.explorer._columns import numeric_columns

        self._require_rows("summarise")
        meta = self.table._meta
        columns = numeric_columns(meta) if columns is None else list(columns)
        self.prepare(columns)
        chosen = self._in_reference(self.mask)
        lazy = {c: moments(self.source(c), {"sel": chosen}) for c in columns}
        sums = {
            c: (_triplet(s["sel"]), self._totals[c])
            for c, s in dask.compute(lazy)[0].items()
        }
        return ranked(sums, SUMMARY_COLUMNS, rest=True)

    def _write(self, tmp: Path, suffix: str) -> None:
        """Stream the selected rows, a few partitions at a time, into ``tmp``."""
        import dask

        rows = self.frame
        if self.labels is not None:
            rows = rows.assign(label=self.labels[self.mask])
        parts = rows.to_delayed()
        batch = max(1, min(8, len(parts)))
        writer, written = None, 0
        try:
            for start in range(0, len(parts), batch):
                for part in dask.compute(*parts[start : start + batch]):
                    if len(part) == 0:
                        continue
                    part = part.copy()
                    part.attrs = {}  # attrs hold WCS headers etc.
                    writer = _append(tmp, suffix, part, writer)
                    written += len(part)
        finally:
            if writer is not None and suffix == ".parquet":
                writer.close()
        if written == 0:
            msg = "No row is inside the selection: nothing to save."
            raise ValueError(msg)
        self._count = written


def _append(tmp: Path, suffix: str, part: pd.DataFrame, writer):
    """Append ``part`` to ``tmp``; return the Parquet writer (or True for CSV)."""
    if suffix == ".csv":
        part.to_csv(tmp, mode="a" if writer else "w", header=not writer)
        return True
    import pyarrow as pa
    import pyarrow.parquet as pq

    if writer is None:
        schema = pa.Schema.from_pandas(part, preserve_index=True)
        writer = pq.ParquetWriter(tmp, schema)
    writer.write_table(
        pa.Table.from_pandas(part, schema=writer.schema, preserve_index=True)
    )
    return writer
