"""Columns for the explorer: which can colour a view, and as what numbers.

The explorer colours its views by any numeric column of the table: float and
int columns of every width, pandas' nullable integers and floats (``Int64``,
``Float32``; ``<NA>`` becomes NaN), booleans (0 and 1) and categoricals
(their integer codes; missing is NaN). :func:`colour_values` turns each into
one ``float32`` array, the only form the rasteriser needs.

:func:`coordinates` picks the rows of a view (finite values in both
coordinate columns, optionally one galaxy) and counts the rows it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from astrokit._shared.matrix import numeric_columns as shared_numeric_columns

__all__ = [
    "numeric_columns",
    "colour_values",
    "colour_note",
    "coordinates",
    "groups",
    "ViewRows",
]


def numeric_columns(table: pd.DataFrame) -> list[str]:
    """Names of the columns that can colour a view, in table order.

    The kit's numeric columns (:func:`astrokit._shared.matrix.numeric_columns`)
    with booleans, plus the categoricals (coloured by their codes).

    Examples
    --------
    >>> t = pd.DataFrame({"a": [1.0], "b": ["x"], "c": [True],
    ...                   "d": pd.Categorical(["k"]), "e": [1j]})
    >>> numeric_columns(t)
    ['a', 'c', 'd']
    """
    numeric = set(shared_numeric_columns(table, include_bool=True))
    return [
        str(c)
        for c, dtype in table.dtypes.items()
        if c in numeric or isinstance(dtype, pd.CategoricalDtype)
    ]


def colour_values(table: pd.DataFrame, column: str) -> np.ndarray:
    """The column as ``float32`` (NaN where missing), ready to be averaged.

    Parameters
    ----------
    table : DataFrame
    column : str
        A column listed by :func:`numeric_columns`.

    Returns
    -------
    numpy.ndarray of float32, shape (N,)
        Booleans as 0/1, categoricals as their codes (missing: NaN), nullable
        integers and floats with ``<NA>`` as NaN.

    Raises
    ------
    ValueError
        ``column`` is not in the table or is not numeric.

    Examples
    --------
    >>> t = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"),
    ...                   "c": pd.Categorical(["b", None])})
    >>> colour_values(t, "n")
    array([ 1., nan], dtype=float32)
    >>> colour_values(t, "c")
    array([ 0., nan], dtype=float32)
    """
    if column not in table.columns:
        msg = (
            f"column={column!r} is not in the table; choose one of "
            f"{numeric_columns(table)}."
        )
        raise ValueError(msg)
    series = table[column]
    if str(column) not in numeric_columns(table):
        msg = (
            f"column={column!r} has dtype {series.dtype}, which cannot colour a "
            f"view; choose a numeric column: {numeric_columns(table)}."
        )
        raise ValueError(msg)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.float32)
        codes[codes < 0] = np.nan
        return codes
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return series.to_numpy(dtype=np.float32, na_value=np.nan)
    return series.to_numpy().astype(np.float32, copy=False)


def colour_note(column: str, values: np.ndarray) -> str | None:
    """What the views cannot show of a colouring column, or None if nothing.

    Examples
    --------
    >>> colour_note("flux", np.array([np.nan, np.nan], np.float32))
    "Colour column 'flux' has no finite value (all 2 rows NaN or infinite): every \
view is blank; choose another column."
    >>> colour_note("flux", np.array([1.0, np.inf], np.float32))
    "Colour column 'flux': 1 infinite value(s) shown as missing."
    """
    finite = int(np.isfinite(values).sum())
    return count_note(column, values.size, finite, int(np.isinf(values).sum()))


def count_note(column: str, n: int, finite: int, n_inf: int) -> str | None:
    """:func:`colour_note` from counts: rows, finite values, infinite values."""
    if not finite and n:
        return (
            f"Colour column {column!r} has no finite value (all {n:,} rows "
            "NaN or infinite): every view is blank; choose another column."
        )
    if n_inf:
        return (
            f"Colour column {column!r}: {n_inf:,} infinite value(s) shown as missing."
        )
    return None


@dataclass
class ViewRows:
    """The rows one view shows: table positions and their two coordinates."""

    positions: np.ndarray
    """Positions (``iloc``) of the rows in the table, int64, shape (n,)."""
    x: np.ndarray
    y: np.ndarray
    dropped: int
    """Rows of the view's subset left out for a NaN/infinite coordinate."""

    @property
    def n(self) -> int:
        """Rows shown."""
        return int(self.x.size)

    @property
    def integral(self) -> bool:
        """True when the coordinates are whole numbers (sky pixels)."""
        sample = np.concatenate([self.x[:1000], self.y[:1000]])
        return sample.size > 0 and bool(np.all(sample == np.round(sample)))

    def frame(self, values=None) -> pd.DataFrame:
        """Datashader's input: ``x``, ``y`` (and the colour of these rows) from
        ``values`` over all rows of the table (see :func:`~astrokit.explorer.
        _raster.frame`)."""
        from astrokit.explorer._raster import frame

        v = None if values is None else values[self.positions]
        return frame(self.x, self.y, v)

    def warmup(self) -> pd.DataFrame:
        """Two rows of the view's dtypes (to compile Datashader's kernel)."""
        from astrokit.explorer._raster import frame

        return frame(self.x[:2], self.y[:2], None)

    def marked(self, mask) -> pd.DataFrame | None:
        """The rows of ``mask`` (over all table rows) as a frame, None if none."""
        from astrokit.explorer._raster import frame

        chosen = np.flatnonzero(mask[self.positions]) if mask is not None else []
        if len(chosen) == 0:
            return None
        return frame(self.x[chosen], self.y[chosen], None)

    def inside(self, kind: str, geometry) -> np.ndarray:
        """Table positions of these rows inside a ``"box"`` or ``"lasso"``."""
        from astrokit.explorer._geometry import box_mask, lasso_mask

        test = box_mask if kind == "box" else lasso_mask
        return self.positions[test(self.x, self.y, geometry)]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1), padded by 2 % (half a unit when flat)."""
        if self.x.size == 0:
            return (0.0, 0.0, 1.0, 1.0)
        return padded_bounds(
            *((float(v.min()), float(v.max())) for v in (self.x, self.y))
        )


def padded_bounds(x_span, y_span) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of two (min, max) spans, padded by 2 % (half a unit
    when flat)."""
    out = []
    for lo, hi in (x_span, y_span):
        pad = 0.02 * (hi - lo) if hi > lo else 0.5
        out.append((lo - pad, hi + pad))
    return (out[0][0], out[1][0], out[0][1], out[1][1])


def _numeric_coordinate(table: pd.DataFrame, column: str, role: str) -> np.ndarray:
    if column not in table.columns:
        msg = f"{role} column {column!r} is not in the table; pass {role}=(x, y)."
        raise ValueError(msg)
    series = table[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
        series.dtype
    ):
        msg = f"{role} column {column!r} has dtype {series.dtype}; it must be numeric."
        raise ValueError(msg)
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return series.to_numpy()


def coordinates(
    table: pd.DataFrame, pair: tuple[str, str], *, role: str, where=None
) -> ViewRows:
    """The rows with finite ``pair`` coordinates (within ``where``, a mask).

    Examples
    --------
    >>> t = pd.DataFrame({"u": [0.0, np.nan, 2.0], "v": [1.0, 1.0, 3.0]})
    >>> rows = coordinates(t, ("u", "v"), role="embedding")
    >>> rows.positions.tolist(), rows.dropped
    ([0, 2], 1)
    """
    if len(pair) != 2:
        msg = f"{role}={pair!r} must name two columns (x, y)."
        raise ValueError(msg)
    x = _numeric_coordinate(table, pair[0], role)
    y = _numeric_coordinate(table, pair[1], role)
    finite = np.isfinite(x) & np.isfinite(y)
    subset = np.ones(len(table), bool) if where is None else np.asarray(where)
    keep = finite & subset
    positions = np.flatnonzero(keep)
    # float32 halves the memory; integer pixel coordinates stay exact in it.
    small = all(v.dtype == np.float32 or v.dtype.kind in "iu" for v in (x, y))
    dtype = np.float32 if small else np.float64
    return ViewRows(
        positions=positions,
        x=x[positions].astype(dtype, copy=False),
        y=y[positions].astype(dtype, copy=False),
        dropped=int(subset.sum() - positions.size),
    )


def groups(table: pd.DataFrame, by: str | None):
    """(name, mask) per value of ``by`` present in the table, in order."""
    if by is None:
        return [("sky", None)]
    if by not in table.columns:
        msg = f"by={by!r} is not a column of the table; pass by=None for one sky view."
        raise ValueError(msg)
    series = table[by]
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        present = np.unique(codes[codes >= 0])
        return [(str(series.cat.categories[c]), codes == c) for c in present]
    values = series.to_numpy()
    return [(str(v), values == v) for v in pd.unique(series.dropna())]
