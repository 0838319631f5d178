"""The explorer's selection of a Dask table: a lazy mask, its sums, its file.

:class:`LazySelection` is the :class:`~astrokit.explorer._selection.
Selection` of a lazy boolean mask (a Dask Series of the table): ``frame``
is ``table[mask]`` (lazy), ``summary()`` one pass of
:func:`~astrokit.explorer._lazy.moments`, and ``save()`` streams the
selected rows, a few partitions at a time, into one Parquet or CSV file
written under a temporary name and then moved into place (as the in-memory
selection does: an interrupted save leaves no file). :class:`LazyPins` are
the explorer's pinned labels as a lazy categorical column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.dask import is_dask
from astrokit.explorer._lazy import moments
from astrokit.explorer._selection import SUMMARY_COLUMNS, Selection, ranked

__all__ = ["LazySelection", "LazyPins"]


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
        todo = [c for c in columns if c not in self._totals]
        if todo:
            for column, sums in moments(
                self.table, todo, {"all": self.reference}
            ).items():
                self._totals[column] = sums["all"]

    def summary(self, *, columns=None) -> pd.DataFrame:
        """As :meth:`Selection.summary`, by Dask reductions (one pass)."""
        from astrokit.explorer._columns import numeric_columns

        self._require_rows("summarise")
        meta = self.table._meta
        columns = numeric_columns(meta) if columns is None else list(columns)
        masks = {"sel": self._in_reference(self.mask)}
        todo = [c for c in columns if c not in self._totals]
        if todo:
            masks["all"] = self.reference
        sums = moments(self.table, columns, masks)
        for column in todo:
            self._totals[column] = sums[column]["all"]
        pairs = {c: (sums[c]["sel"], self._totals[c]) for c in columns}
        return ranked(pairs, SUMMARY_COLUMNS, rest=True)

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
