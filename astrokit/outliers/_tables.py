"""Tables of :mod:`astrokit.outliers` (re-exported there; documented here):
the top rows, precision against a truth column, and why a row is weird."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int, check_n_neighbors, keyword_only_after
from astrokit._shared.matrix import standardize
from astrokit.outliers._methods import prepare

__all__ = ["KINDS", "top", "precision_at_k", "explain"]

KINDS: dict[str, str] = {
    "forest": "correlation-breaking: ordinary values in an unusual combination",
    "knn": "isolated: far from every other row (an empty neighbourhood)",
    "glosh": "isolated: leaves its cluster early, or sits in a group smaller "
    "than min_cluster_size",
    "isolation": "extreme along a direction: in the far tail of some features",
    "lof": "small dense group, or a locally thin spot: less dense than its "
    "min_cluster_size neighbours",
}
"""The kind of outlier each method of :data:`METHODS` sees (and is blind to
the others): what ``flagged_by`` in :func:`top` tells about a row."""


def _column(scores: pd.DataFrame, column: str) -> pd.Series:
    if not isinstance(scores, pd.DataFrame) or column not in scores.columns:
        have = list(scores.columns) if isinstance(scores, pd.DataFrame) else None
        msg = f"column={column!r} is not a column of scores; it has {have}."
        raise ValueError(msg)
    return scores[column]


@keyword_only_after(1)
def top(
    scores: pd.DataFrame,
    *,
    n: int = 20,
    column: str = "combined",
    threshold: float = 0.99,
) -> pd.DataFrame:
    """The ``n`` weirdest rows by ``column``, weirdest first, and who flags them.

    Parameters
    ----------
    scores : DataFrame
        From :func:`score`.
    n : int, default 20
    column : str, default "combined"
        Any column of ``scores`` (e.g. ``"knn"``).
    threshold : float, default 0.99
        A method *flags* a row when the row's percentile ``<method>_pct`` is
        at least this (0.99: the method's top 1%).

    Returns
    -------
    pandas.DataFrame
        The rows of ``scores``, with ``rank`` (1 = weirdest), ``flagged_by``
        (the methods that flag the row, highest percentile first, joined by
        ``", "``; empty when none does: see :data:`KINDS` for what each
        method sees) and ``n_flagged``. A row flagged by ``forest`` alone
        breaks a correlation without being far out; one flagged by ``knn``
        and ``glosh`` but not ``lof`` is part of a small isolated group.

    Raises
    ------
    ValueError
        ``column`` not in ``scores``; ``n`` not a positive integer;
        ``threshold`` outside (0, 1].

    Examples
    --------
    >>> s = pd.DataFrame(
    ...     {"knn_pct": [0.2, 1.0, 0.995], "lof_pct": [0.3, 0.5, 1.0]},
    ...     index=[10, 11, 12],
    ... )
    >>> s["combined"] = s.max(axis=1)
    >>> top(s, n=2)[["rank", "flagged_by", "n_flagged"]]
        rank flagged_by  n_flagged
    11     1        knn          1
    12     2   lof, knn          2
    """
    values = _column(scores, column)
    n = check_int(n, "n", what="rows")
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        msg = (
            f"threshold={threshold!r} must be a percentile in (0, 1], e.g. 0.99 "
            "for each method's top 1%."
        )
        raise ValueError(msg)
    order = values.sort_values(ascending=False, kind="stable").index[:n]
    out = scores.loc[order].copy()
    out["rank"] = np.arange(1, len(out) + 1)
    pct = out[[c for c in out.columns if str(c).endswith("_pct")]]
    flags = []
    for _, row in pct.iterrows():
        hit = row[row >= threshold].sort_values(ascending=False, kind="stable")
        flags.append(", ".join(str(c)[: -len("_pct")] for c in hit.index))
    out["flagged_by"] = flags
    out["n_flagged"] = (pct >= threshold).sum(axis=1).astype(int)
    return out


@keyword_only_after(2)
def precision_at_k(scores, truth, *, k: int | None = None) -> float | pd.Series:
    """Fraction of the ``k`` highest-scored rows that are true anomalies.

    Parameters
    ----------
    scores : Series or array of shape (N,), or DataFrame
        Higher is weirder: one column of :func:`astrokit.outliers.score`, or
        the whole table, which gives one precision per method and
        ``combined`` (the ``_pct`` columns rank as their method does).
    truth : Series or array of shape (N,), bool
        The planted anomalies (e.g. ``table["truth_anomaly"]``). A Series
        is aligned on the scores' index (it may hold more rows).
    k : int, optional
        Default: the number of true anomalies among the scored rows, where
        precision equals recall.

    Returns
    -------
    float, or Series of float for a DataFrame (index: the columns).

    Raises
    ------
    ValueError
        Lengths that differ, scores' rows absent from ``truth``, no true
        anomaly (with ``k=None``), or ``k`` out of range.

    Examples
    --------
    >>> precision_at_k([0.9, 0.1, 0.8, 0.3], [True, False, False, True])
    0.5
    >>> precision_at_k([0.9, 0.1, 0.8, 0.3], [True, False, False, True], k=1)
    1.0
    >>> s = pd.DataFrame({"knn": [0.9, 0.1, 0.8], "knn_pct": [1.0, 0.3, 0.7]})
    >>> precision_at_k(s, pd.Series([True, False, False]), k=1)
    knn    1.0
    Name: precision_at_k, dtype: float64
    """
    if isinstance(scores, pd.DataFrame):
        columns = [c for c in scores.columns if not str(c).endswith("_pct")]
        values = {c: precision_at_k(scores[c], truth, k=k) for c in columns}
        return pd.Series(values, name="precision_at_k", dtype=float)
    if isinstance(scores, pd.Series) and isinstance(truth, pd.Series):
        absent = scores.index.difference(truth.index)
        if len(absent):
            msg = (
                f"truth lacks {len(absent)} of the scored rows (e.g. {absent[0]!r}); "
                "pass the truth column of the table the features came from."
            )
            raise ValueError(msg)
        truth = truth.reindex(scores.index)
    s = np.asarray(scores, dtype=float)
    t = np.asarray(truth, dtype=bool)
    if s.shape != t.shape or s.ndim != 1:
        msg = f"scores {s.shape} and truth {t.shape} must be 1-D of the same length."
        raise ValueError(msg)
    if k is None:
        k = int(t.sum())
        if k == 0:
            msg = "truth marks no anomaly among the scored rows; pass k explicitly."
            raise ValueError(msg)
    k = check_int(k, "k", what="top rows")
    if k > len(s):
        msg = f"k={k} must be at most the number of scored rows ({len(s)})."
        raise ValueError(msg)
    order = np.argsort(-s, kind="stable")[:k]
    return float(t[order].mean())


_AGAINST = ("neighbours", "table")


def _robust_z(value: np.ndarray, rows: np.ndarray, floor: np.ndarray):
    """``(median, z)`` of ``value`` against ``rows``: MAD-scaled, floored."""
    median = np.median(rows, axis=0)
    mad = 1.4826 * np.median(np.abs(rows - median), axis=0)
    return median, (value - median) / np.maximum(mad, floor)


def explain(
    features: pd.DataFrame,
    row,
    *,
    columns: Sequence[str] | None = None,
    n_neighbors: int = 25,
    against: str = "neighbours",
    top: int | None = 5,
) -> pd.DataFrame:
    """Why is this row weird? The features where it departs from the others.

    Two contexts, both as robust z-scores ``(value - median) / (1.4826 x
    MAD)``, how many (robust) standard deviations the row lies from what
    the context has:

    - ``neighbours``: the row's ``n_neighbors`` nearest other rows
      (Euclidean, standardised features; a row is never its own
      neighbour): what sets it apart from the rows most like it;
    - ``table``: all rows: what sets it apart from the table as a whole.

    The two differ when the row belongs to a small group of similar odd
    rows: against its neighbours (the group) it looks ordinary in the
    features the group shares, against the table those features stand out.
    A MAD below 1% of the feature's standard deviation over the table is
    raised to that, so identical rows give large but finite z.

    Parameters
    ----------
    features : DataFrame or array of shape (N, d)
        As for :func:`astrokit.outliers.score`.
    row : label
        The row's index label (e.g. from ``top(scores).index``); for an
        array, its position.
    columns : list of str, optional
        Feature columns (default: ``attrs["features"]``, else all).
    n_neighbors : int, default 25
    against : {"neighbours", "table"}, default "neighbours"
        Which z orders the features.
    top : int or None, default 5
        How many features to return; None for all.

    Returns
    -------
    pandas.DataFrame
        One row per feature, largest ``|z|`` of ``against`` first: ``value``,
        ``neighbours_median``, ``neighbours_z``, ``table_median``,
        ``table_z``.

    Raises
    ------
    ValueError
        As :func:`astrokit.outliers.score`; ``row`` not in the index; an
        unknown ``against``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    >>> X.loc[5, "b"] = 9.0
    >>> explain(X, 5, top=1).index.tolist()
    ['b']
    """
    from sklearn.neighbors import NearestNeighbors

    if against not in _AGAINST:
        msg = f"against={against!r} must be one of {_AGAINST}."
        raise ValueError(msg)
    values, names, index = prepare(features, columns)
    z = standardize(values)
    k = check_n_neighbors(n_neighbors, len(z))
    if row not in index:
        msg = f"row={row!r} is not in the features' index (e.g. {index[0]!r})."
        raise ValueError(msg)
    pos = index.get_loc(row)
    _, ind = NearestNeighbors(n_neighbors=k + 1).fit(z).kneighbors(z[[pos]])
    ind = ind[0][ind[0] != pos][:k]
    floor = 0.01 * values.std(axis=0)
    near_median, near_z = _robust_z(values[pos], values[ind], floor)
    all_median, all_z = _robust_z(values[pos], values, floor)
    out = pd.DataFrame(
        {
            "value": values[pos],
            "neighbours_median": near_median,
            "neighbours_z": near_z,
            "table_median": all_median,
            "table_z": all_z,
        },
        index=pd.Index(names, name="feature"),
    )
    order = np.argsort(-np.abs(out[f"{against}_z"].to_numpy()), kind="stable")
    out = out.iloc[order]
    return out if top is None else out.head(top)
