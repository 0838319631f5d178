"""The forest on a Dask table: trees from a sample, leaves and weirdness per partition.

:class:`astrokit.distances.UnsupervisedRandomForest` dispatches here when
``fit``, ``kneighbors`` or ``weirdness`` gets a ``dask.dataframe.DataFrame``.

Fit
    The trees are trained in memory on the client, on a uniform sample of
    at most ``SAMPLE_ROWS`` rows of the table (every row when the table is
    that small, so the forest is then the in-memory one, tree for tree).
    ``leaves_`` holds the sample's leaves; ``fit_rows_`` the sample's
    positions in the table.

Weirdness, exact at any size
    Baron & Poznanski's score of a row is its mean forest distance to every
    other row: one minus its summed similarity, and the summed similarity
    is the summed occupancy of the row's counted leaves
    (``astrokit.distances._leaf_neighbours.mean_similarity``). That is a
    map-reduce: each partition counts its rows per (tree, leaf), the counts
    are summed over partitions on the cluster (a ``n_estimators`` x leaves
    array, megabytes whatever the rows), and each partition then scores its
    rows against the total. On a table that fits, the result equals the
    in-memory ``fit(X).weirdness()`` row for row. The forest passes every
    row through the trees twice (to count, then to score), rather than
    keeping ``N x n_estimators`` leaf codes on the workers.

Neighbours
    ``kneighbors`` of a Dask table gives each row its nearest sample rows
    (by index label): the sample's own graph is computed once on the client,
    and each partition queries its other rows as new rows, guided by it.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from astrokit._shared import dask as _engine
from astrokit.distances import _trees

__all__ = [
    "SAMPLE_ROWS",
    "accepts_dask",
    "fit",
    "kneighbors",
    "weirdness",
    "sample_positions",
]

SAMPLE_ROWS = _engine.SAMPLE_ROWS
"""Rows the trees are trained on (a uniform sample) when the table is larger."""


def sample_positions(n_rows: int, max_rows: int, random_state) -> np.ndarray:
    """Sorted positions of a uniform sample of ``max_rows`` of ``n_rows`` rows."""
    if n_rows <= max_rows:
        return np.arange(n_rows)
    if isinstance(random_state, np.random.RandomState):
        random_state = int(random_state.randint(np.iinfo(np.int32).max))
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, max_rows, replace=False))


def _check_columns(forest, table) -> None:
    fitted = getattr(forest, "feature_names_in_", None)
    names = list(table.columns)
    if fitted is not None and list(fitted) != names:
        msg = (
            f"The table has columns {names}; this forest was fitted on "
            f"{list(fitted)}: pass the same feature columns in the same order."
        )
        raise ValueError(msg)


def fit(forest, table, y=None, *, max_rows: int = SAMPLE_ROWS):
    """Fit ``forest`` on a sample of the Dask ``table``; returns the forest.

    ``fit_index_`` keeps the sample's index labels (what :func:`kneighbors`
    names the neighbours by).
    """
    _engine.check_dask_frame(table, "X")
    progress = forest.progress
    lengths = _engine.partition_lengths(table, progress=progress)
    rows = sample_positions(int(lengths.sum()), max_rows, forest.random_state)
    sample = _engine.take(table, rows, lengths=lengths, progress=progress)
    forest.fit(sample)
    forest.fit_rows_ = rows
    forest.fit_index_ = sample.index
    return forest


def _codes(forest, part: pd.DataFrame) -> np.ndarray:
    X = forest._validate(part, reset=False) if len(part) else part.to_numpy()
    X = np.asarray(X, dtype=np.float32)
    return _trees.apply_forest(
        forest.estimators_, forest._lut, X, n_jobs=1, progress=False
    )


def _occupancy(forest, part: pd.DataFrame) -> np.ndarray:
    """Rows of ``part`` per (tree, counted leaf): int64 (n_trees, n_leaves)."""
    codes = _codes(forest, part)
    width = int(forest._lut.max(initial=0, where=forest._lut != forest.sentinel_))
    counts = np.zeros((codes.shape[1], width + 1), dtype=np.int64)
    for t in range(codes.shape[1]):
        kept = codes[:, t][codes[:, t] != forest.sentinel_].astype(np.int64)
        counts[t] += np.bincount(kept, minlength=width + 1)[: width + 1]
    return counts


def _total(*counts) -> np.ndarray:
    return np.sum(counts, axis=0)


def _score(part: pd.DataFrame, forest, occupancy, n_rows: int) -> pd.Series:
    """Weirdness of each row of ``part`` against the whole table's occupancy."""
    codes = _codes(forest, part)
    n_trees = codes.shape[1]
    total = np.zeros(len(part), dtype=np.float64)
    for t in range(n_trees):
        column = codes[:, t].astype(np.int64)
        counted = column != forest.sentinel_
        total[counted] += occupancy[t, column[counted]] - 1  # the row itself
    mean = total / (n_trees * max(n_rows - 1, 1))
    return pd.Series(1.0 - mean, index=part.index, name="weirdness")


def weirdness(forest, table):
    """Each row's mean forest distance to the other rows of the Dask ``table``.

    Returns a lazy Dask Series named ``"weirdness"`` (float64) with the
    table's index and divisions; the leaf occupancies of all rows are
    counted first (one pass over the table, on the cluster).
    """
    from dask import delayed
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(forest)
    _engine.check_dask_frame(table, "X")
    _check_columns(forest, table)
    model = delayed(forest, pure=False, traverse=False)
    parts = [delayed(_occupancy)(model, p) for p in table.to_delayed()]
    counted = _engine.gather(
        [delayed(_total)(*parts), *[delayed(len)(p) for p in table.to_delayed()]],
        desc="URF: counting leaf occupancies", progress=forest.progress,
    )  # fmt: skip
    occupancy, n_rows = counted[0], int(np.sum(counted[1:]))
    occupancy = delayed(occupancy, pure=False, traverse=False)
    meta = pd.Series([], index=table._meta.index, dtype=np.float64, name="weirdness")
    return table.map_partitions(
        _score, model, occupancy, n_rows, meta=meta, align_dataframes=False
    )


def _neighbours(part, forest, k: int, graph, labels, return_distance: bool):
    """The ``k`` nearest fitted rows of each row of ``part``, by index label.

    Rows of the sample (found by their index label) take their row of the
    fitted rows' own graph (themselves left out, as ``kneighbors()``); the
    others are queried as new rows (``forest.kneighbors(rows)``).
    """
    ind = np.empty((len(part), k), dtype=np.int64)
    dist = np.empty((len(part), k), dtype=np.float32)
    at = labels.get_indexer(part.index)
    fitted = at >= 0
    if fitted.any():
        ind[fitted], dist[fitted] = graph[1][at[fitted]], graph[0][at[fitted]]
    if not fitted.all():
        new = part.iloc[np.flatnonzero(~fitted)]
        dist[~fitted], ind[~fitted] = forest.kneighbors(new, n_neighbors=k)
    out = {f"neighbour_{j}": labels[ind[:, j]] for j in range(k)}
    if return_distance:
        out.update({f"distance_{j}": dist[:, j] for j in range(k)})
    return pd.DataFrame(out, index=part.index)


def kneighbors(forest, table, n_neighbors=None, return_distance=True):
    """Each row's nearest sample rows of a forest fitted on a Dask table.

    Returns a lazy Dask DataFrame with the table's index and divisions:
    ``neighbour_0`` ... ``neighbour_{k-1}``, the index labels of the nearest
    fitted (sample) rows, nearest first, and with ``return_distance`` their
    forest distances ``distance_0`` ...; a sample row's neighbours are the
    other sample rows. On a table no larger than the sample, these are the
    in-memory ``fit(X).kneighbors()``, labelled by the index.
    """
    from dask import delayed
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(forest)
    _engine.check_dask_frame(table, "X")
    _check_columns(forest, table)
    labels = getattr(forest, "fit_index_", None)
    if labels is None:
        msg = (
            "kneighbors of a Dask table names the neighbours by the sample's "
            "index labels: fit this forest on the Dask table first "
            "(forest.fit(table))."
        )
        raise ValueError(msg)
    k = forest._k(n_neighbors, new_rows=False)
    graph = forest.kneighbors(n_neighbors=k)  # the sample's own, on the client
    model = delayed(forest, pure=False, traverse=False)
    graph = delayed(graph, pure=False, traverse=False)
    names = [f"neighbour_{j}" for j in range(k)]
    meta = pd.DataFrame(
        {n: pd.Series([], dtype=labels.dtype) for n in names}, index=table._meta.index
    )
    if return_distance:
        for j in range(k):
            meta[f"distance_{j}"] = pd.Series([], dtype=np.float32)
    return table.map_partitions(
        _neighbours, model, k, graph, labels, return_distance, meta=meta,
        align_dataframes=False,
    )  # fmt: skip


def accepts_dask(cls):
    """Class decorator: ``fit``, ``kneighbors``, ``weirdness`` send Dask tables here.

    The estimator's own methods stay as they are for in-memory data; a
    ``dask.dataframe.DataFrame`` goes to :func:`fit`, :func:`kneighbors` or
    :func:`weirdness`.
    """
    versions = (("fit", fit), ("kneighbors", kneighbors), ("weirdness", weirdness))
    for name, dask_version in versions:
        method = getattr(cls, name)

        def wrapper(self, X=None, *args, _method=method, _dask=dask_version, **kw):
            if _engine.is_dask(X):
                return _dask(self, X, *args, **kw)
            return _method(self, X, *args, **kw)

        functools.update_wrapper(wrapper, method)
        setattr(cls, name, wrapper)
    return cls
