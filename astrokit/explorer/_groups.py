"""Two groups compared, and selections pinned as named labels.

The explorer keeps two marked groups, ``A`` and ``B`` (each set from the
current selection), drawn in their own colours on every view, and
:func:`contrast` ranks the physical features by how much A differs from B
(cellxgene's comparison of two selections). :class:`Pins` keeps the labels
a user gives to selections (ThisNotThat's labelling): one name per row,
the latest pin winning, returned as a categorical column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit.interpret._effects import group_effect

__all__ = ["contrast", "Pins"]


def contrast(source, a: np.ndarray, b: np.ndarray, columns, *, names=("A", "B")):
    """Two groups of rows compared column by column, ranked by ``|effect|``.

    Parameters
    ----------
    source : callable
        ``source(column)``: the column as float32 over all rows.
    a, b : numpy.ndarray of bool
        The two groups (masks over the rows; a row in both counts in both).
    columns : list of str
    names : (str, str)
        The groups' names in the column titles.

    Returns
    -------
    DataFrame
        ``feature``, ``mean_<A>``, ``mean_<B>``, ``effect`` (Cohen's d of A
        against B, as :meth:`Selection.summary`), ``n_<A>``, ``n_<B>``.

    Raises
    ------
    ValueError
        A group without rows.

    Examples
    --------
    >>> v = {"f": np.array([1.0, 2, 3, 7, 8, 9], np.float32)}
    >>> a = np.array([1, 1, 1, 0, 0, 0], bool)
    >>> contrast(v.get, a, ~a, ["f"])[["feature", "mean_A", "mean_B"]]
      feature  mean_A  mean_B
    0       f     2.0     8.0
    """
    for name, mask in zip(names, (a, b), strict=True):
        if not np.any(mask):
            msg = (
                f"group {name} has no rows: select rows and set them as group "
                f"{name} first."
            )
            raise ValueError(msg)
    ka, kb = names
    rows = []
    for column in columns:
        values = source(column)
        va, vb = values[a], values[b]
        va = va[np.isfinite(va)].astype(np.float64)
        vb = vb[np.isfinite(vb)].astype(np.float64)
        if va.size == 0 or vb.size == 0:
            continue
        sa = float(va.std(ddof=1)) if va.size > 1 else np.nan
        sb = float(vb.std(ddof=1)) if vb.size > 1 else np.nan
        d = group_effect(va.mean(), sa, sa, va.size, vb.mean(), sb, sb, vb.size)
        rows.append((column, va.mean(), vb.mean(), float(d), va.size, vb.size))
    cols = ["feature", f"mean_{ka}", f"mean_{kb}", "effect", f"n_{ka}", f"n_{kb}"]
    out = pd.DataFrame(rows, columns=cols)
    order = np.argsort(-np.abs(out["effect"].to_numpy()), kind="stable")
    return out.iloc[order].reset_index(drop=True)


class Pins:
    """Named labels of table rows; ``series`` is the column they make.

    Examples
    --------
    >>> pins = Pins(pd.RangeIndex(4))
    >>> pins.pin("knot", np.array([True, True, False, False]))
    2
    >>> pins.pin("arm", np.array([False, True, True, False]))
    2
    >>> pins.series.tolist()
    ['knot', 'arm', 'arm', nan]
    """

    def __init__(self, index: pd.Index):
        self.index = index
        self.codes = np.full(len(index), -1, dtype=np.int32)
        self.names: list[str] = []

    def pin(self, name: str, mask: np.ndarray) -> int:
        """Label the rows of ``mask`` as ``name``; return how many."""
        if not isinstance(name, str) or not name.strip():
            msg = f"name={name!r} must be a non-empty string (the label's name)."
            raise ValueError(msg)
        name = name.strip()
        if not np.any(mask):
            msg = f"Nothing to pin as {name!r}: the selection is empty."
            raise ValueError(msg)
        if name not in self.names:
            self.names.append(name)
        self.codes[mask] = self.names.index(name)
        return int(np.sum(mask))

    @property
    def series(self) -> pd.Series:
        """The labels as a categorical column on the table's index (NaN: none)."""
        cat = pd.Categorical.from_codes(self.codes, categories=self.names)
        return pd.Series(cat, index=self.index, name="label")
