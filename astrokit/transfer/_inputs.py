"""Checked inputs of a label transfer: features (NaN allowed), labels, groups.

Features may be NaN (outside a footprint: the trees learn a branch for it)
but never infinite. Labels may be NaN (the rows nobody measured: they are
what a transfer predicts), never infinite or non-numeric; each label is
trained on its own labelled rows. :func:`sky_blocks` makes the groups of a
spatial held-out split.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from astrokit._shared.matrix import check_unique_index, feature_matrix, names_list

__all__ = [
    "check_features",
    "check_labels",
    "check_groups",
    "check_names",
    "sky_blocks",
]


def check_names(table: pd.DataFrame, names, what: str) -> list:
    """``names`` as a list of columns of ``table``, unknown ones refused."""
    if isinstance(names, str):
        names = [names]
    names = list(dict.fromkeys(names))
    if not names:
        msg = f"{what}=[] names no column; pass at least one column of the table."
        raise ValueError(msg)
    unknown = [n for n in names if n not in table.columns]
    if unknown:
        cols = [str(c) for c in table.columns]
        hints = {n: difflib.get_close_matches(str(n), cols, n=2) for n in unknown}
        close = "; ".join(f"{n!r}: did you mean {h}?" for n, h in hints.items() if h)
        msg = (
            f"{what}: unknown column(s) {unknown}. {close + ' ' if close else ''}"
            f"The table has columns {names_list(table.columns, limit=20)}."
        )
        raise ValueError(msg)
    return names


def check_features(X, name: str = "features") -> tuple[np.ndarray, list, pd.Index]:
    """A float64 matrix (NaN allowed, infinities refused), names, index."""
    values, names, index = feature_matrix(
        X, name=name, allow_nan=True, allow_constant=True, purpose="label transfer"
    )
    bad = np.isinf(values).any(axis=0)
    if bad.any():
        cols = [names[i] for i in np.flatnonzero(bad)]
        msg = (
            f"{name} has infinite values in columns {names_list(cols)}; replace "
            "them by NaN (missing: the trees learn a branch for it), e.g. "
            "X.replace([np.inf, -np.inf], np.nan)."
        )
        raise ValueError(msg)
    return values, names, index


def check_labels(Y, n_rows: int, index: pd.Index) -> pd.DataFrame:
    """Labels as a float64 DataFrame on ``index``; NaN kept, infinities refused."""
    if isinstance(Y, pd.Series):
        Y = Y.to_frame(name="label" if Y.name is None else Y.name)
    elif not isinstance(Y, pd.DataFrame):
        values = np.asarray(Y)
        if values.ndim == 1:
            values = values[:, None]
        if values.ndim != 2:
            msg = f"labels must be 1-D or 2-D; got shape {values.shape}."
            raise ValueError(msg)
        if len(values) != n_rows:
            index = pd.RangeIndex(len(values))  # the length check below says why
        names = ["label"] if values.shape[1] == 1 else [
            f"label {i}" for i in range(values.shape[1])
        ]  # fmt: skip
        Y = pd.DataFrame(values, columns=names, index=index)
    check_unique_index(Y, "labels")
    if len(Y) != n_rows:
        msg = (
            f"labels has {len(Y)} rows but the features have {n_rows}; pass one "
            "label row per feature row (NaN where a label was not measured)."
        )
        raise ValueError(msg)
    if Y.shape[1] == 0:
        msg = "labels has no columns; pass at least one label."
        raise ValueError(msg)
    bad = [c for c, t in Y.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
    if bad:
        msg = (
            f"labels has non-numeric columns {names_list(bad)}; label transfer "
            "is a regression (for classes, encode them or use a classifier)."
        )
        raise ValueError(msg)
    Y = Y.astype(np.float64)
    if isinstance(Y.index, pd.RangeIndex) and not isinstance(index, pd.RangeIndex):
        Y.index = index
    elif not Y.index.equals(index):
        msg = (
            "labels and features have different indexes; align them first "
            "(labels.reindex(features.index)), so that each label meets its row."
        )
        raise ValueError(msg)
    infinite = [c for c in Y.columns if np.isinf(Y[c]).any()]
    if infinite:
        msg = (
            f"labels has infinite values in {names_list(infinite)}; replace them "
            "by NaN (not measured) or drop those rows."
        )
        raise ValueError(msg)
    return Y


def check_groups(groups, index: pd.Index) -> np.ndarray | None:
    """Group labels for a grouped held-out split, one per row, or None."""
    if groups is None:
        return None
    if isinstance(groups, pd.Series) and not groups.index.equals(index):
        groups = groups.reindex(index)
    values = np.asarray(groups)
    if values.shape != (len(index),):
        msg = (
            f"groups has shape {values.shape}; pass one group label per row "
            f"({len(index)}), e.g. ak.transfer.sky_blocks(table)."
        )
        raise ValueError(msg)
    if pd.isna(values).any():
        msg = "groups has missing values; every row needs a group label."
        raise ValueError(msg)
    return values


def sky_blocks(table: pd.DataFrame, *, size: int = 10) -> pd.Series:
    """Square blocks of ``size`` x ``size`` pixels on each galaxy's grid.

    Neighbouring pixels share their surroundings (and, in real maps, their
    beam), so a random held-out split puts near-copies of the training
    pixels in the test set and flatters the score. Holding out whole blocks
    (``LabelTransfer().fit(X, Y, groups=sky_blocks(table))``) tests on
    pixels whose neighbours were not seen, closer to predicting a region an
    instrument did not observe.

    Parameters
    ----------
    table : DataFrame
        A pixel table with ``galaxy``, ``x`` and ``y``.
    size : int, default 10
        Side of a block in pixels.

    Returns
    -------
    pandas.Series of str
        ``"<galaxy>:<bx>:<by>"`` per row, on the table's index.

    Examples
    --------
    >>> t = pd.DataFrame({"galaxy": "g", "x": [0, 9, 10], "y": [0, 0, 25]})
    >>> sky_blocks(t).tolist()
    ['g:0:0', 'g:0:0', 'g:1:2']
    """
    missing = [c for c in ("galaxy", "x", "y") if c not in table.columns]
    if missing:
        msg = f"sky_blocks needs a pixel table with columns {missing}."
        raise ValueError(msg)
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        msg = f"size={size!r} must be an integer of at least 1 (pixels)."
        raise ValueError(msg)
    bx = (table["x"].to_numpy() // size).astype(int).astype(str)
    by = (table["y"].to_numpy() // size).astype(int).astype(str)
    name = table["galaxy"].astype(str).to_numpy()
    blocks = np.char.add(np.char.add(np.char.add(name, ":"), bx), np.char.add(":", by))
    return pd.Series(blocks, index=table.index, name="block")
