"""Placing new rows on a fitted embedding: a kNN regression from the sample.

A UMAP fitted on a sample of a large table must still give every other row
two coordinates. ``UMAP.transform`` does it by a few optimisation epochs per
batch, at about a thousand rows per second (10^8 rows take a day). Here a
new row goes to the distance-weighted mean of the embedding coordinates of
its ``n_neighbors`` nearest sample rows in feature space, with
scikit-learn's ``weights="distance"`` rule (a row equal to sample rows lands
exactly on them). The neighbours come from a library: scikit-learn's exact
search for samples up to :data:`EXACT_SAMPLE_ROWS` rows, pynndescent's
index above (an exact search in 11 dimensions runs at about 2,000 rows per
second, whatever the algorithm). The weighted mean is written here because
``KNeighborsRegressor`` cannot take pynndescent's index.

``benchmarks/bench_placement.py`` (full tier, UMAP of 50,000 rows, 100,000
others placed; quiet 2-core machine, 2026-12-01): trustworthiness (25
neighbours) 0.949 with k = 10 against 0.957 for ``UMAP.transform`` (k = 5
and 25: 0.950 and 0.949), at 73,000 against 1,340 rows per CPU second.

A row's coordinates do not depend on the other rows placed with it (a Dask
partition, a chunk): pynndescent's query is seeded once per call, and its
random entry points are used only when the search trees give fewer than k
candidates, which ``search_tree_leaf_budget=3`` (three leaves per query)
avoids; measured on 3,000 continuous rows, none changed when the batch was
split or reversed. Rows at exactly equal distances (repeated values) may
still swap tied neighbours.

Two forms, for two callers:

- :class:`NeighbourPlacer`: a fitted object that pickles (the sample, its
  coordinates and the index: 470 bytes a sample row, 23 MB for 50,000
  rows of 11 features, sent once to each worker), whose
  :meth:`~NeighbourPlacer.transform` a Dask partition can call;
- :func:`place`: the same as a pure function of (sample features, sample
  embedding, new rows).

:func:`astrokit.embedding.embed` uses it with ``max_rows=...`` and
``placement="neighbours"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from astrokit._shared.checks import check_int
from astrokit._shared.matrix import feature_matrix

__all__ = [
    "NeighbourPlacer",
    "place",
    "PLACE_NEIGHBORS",
    "CHUNK_ROWS",
    "EXACT_SAMPLE_ROWS",
    "PLACEMENTS",
    "neighbour_index",
    "LazyIndex",
]

PLACE_NEIGHBORS = 10
"""Sample rows each new row is placed from (see ``benchmarks/bench_placement.py``)."""

CHUNK_ROWS = 100_000
"""New rows placed per neighbour query (k distances and indices per row each)."""

EXACT_SAMPLE_ROWS = 10_000
"""Up to this many sample rows the neighbour search is exact (scikit-learn).

Above it, pynndescent's index: on 50,000 sample rows x 12 standardised
features, 100,000 queries at k = 10 ran at 91,000 rows per CPU second
(recall 0.964 of the exact neighbours) against 1,800-2,500 for
scikit-learn's exact search (brute force, ball tree or KD-tree), after a
build of 4 s (once numba's cache holds pynndescent's code).
"""

PLACEMENTS = ("umap", "neighbours")
"""How :func:`astrokit.embedding.embed` places rows outside its fitted sample."""


def check_placement(placement) -> str:
    """``placement`` if it is one of :data:`PLACEMENTS`, else a ValueError."""
    if placement not in PLACEMENTS:
        msg = (
            f"placement={placement!r} is not one of {list(PLACEMENTS)}: 'umap' "
            "uses UMAP.transform, 'neighbours' the nearest fitted rows."
        )
        raise ValueError(msg)
    return placement


def _values(data, name: str, columns=None) -> tuple[np.ndarray, list, pd.Index]:
    return feature_matrix(
        data, name=name, columns=columns, allow_constant=True, purpose="placement"
    )


class NeighbourPlacer(BaseEstimator):
    """Embedding coordinates of new rows from their nearest fitted rows.

    Parameters
    ----------
    n_neighbors : int, default 10
        Nearest sample rows (in feature space, Euclidean) whose coordinates
        are averaged, weighted by the inverse distance.
    n_jobs : int or None, default None
        Threads of the neighbour search (None: 1, -1: all cores).

    Attributes
    ----------
    index_ : object
        The neighbour index over the sample rows (see :data:`EXACT_SAMPLE_ROWS`).
    coords_ : ndarray of shape (S, 2)
        The sample rows' coordinates.
    n_neighbors_ : int
        ``n_neighbors``, at most the number of sample rows.
    columns_ : list
        The embedding's column names (``umap_x``, ``umap_y``).
    feature_names_in_ : list
    n_features_in_ : int

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> emb = pd.DataFrame(X[:, :2] * 2, columns=["umap_x", "umap_y"])
    >>> placer = NeighbourPlacer(n_neighbors=5).fit(X, emb)
    >>> placed = placer.transform(X[:2])  # two sample rows: back on their spots
    >>> bool(np.allclose(placed, emb.iloc[:2], atol=1e-5))
    True
    >>> placer.transform(np.zeros((1, 3))).shape
    (1, 2)
    """

    def __init__(self, n_neighbors: int = PLACE_NEIGHBORS, *, n_jobs=None):
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs

    def fit(self, features, embedding) -> NeighbourPlacer:
        """Keep the sample rows and their coordinates.

        Parameters
        ----------
        features : DataFrame or array of shape (S, d)
            The sample's features (those the embedding was fitted on).
        embedding : DataFrame or array of shape (S, 2)
            The sample's coordinates, row for row.

        Raises
        ------
        ValueError
            NaN or non-numeric values; a different number of rows;
            ``n_neighbors`` above the number of sample rows.
        """
        values, names, _ = _values(features, "features")
        coords, columns, _ = _values(embedding, "embedding")
        if len(coords) != len(values):
            msg = (
                f"embedding has {len(coords)} rows and features {len(values)}: "
                "pass the coordinates of exactly the rows of features."
            )
            raise ValueError(msg)
        k = check_int(self.n_neighbors, "n_neighbors", what="sample rows")
        if k > len(values):
            msg = (
                f"n_neighbors={k} must be at most the number of sample rows "
                f"({len(values)}); pass a smaller n_neighbors or a larger sample."
            )
            raise ValueError(msg)
        self.n_neighbors_ = k
        self.index_ = neighbour_index(values.astype(np.float32), self.n_jobs)
        self.coords_ = coords.astype(np.float32)
        self.columns_ = (
            list(columns) if isinstance(embedding, pd.DataFrame) else ["x", "y"]
        )
        self.feature_names_in_ = names if isinstance(features, pd.DataFrame) else None
        self.n_features_in_ = len(names)
        return self

    def transform(self, features) -> pd.DataFrame:
        """Coordinates of the rows of ``features``, on their index.

        Parameters
        ----------
        features : DataFrame or array of shape (M, d)
            The fitted feature columns (a DataFrame is read by the fitted
            column names when the sample was a DataFrame).

        Returns
        -------
        DataFrame
            The embedding's columns (float32), indexed like ``features``.

        Raises
        ------
        ValueError
            Another number of feature columns; NaN or non-numeric values.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "index_")
        columns = self.feature_names_in_ if isinstance(features, pd.DataFrame) else None
        values, names, index = _values(features, "features", columns)
        if len(names) != self.n_features_in_:
            msg = (
                f"features has {len(names)} columns; this NeighbourPlacer was "
                f"fitted on {self.n_features_in_}: pass the same feature columns."
            )
            raise ValueError(msg)
        out = np.empty((len(values), len(self.columns_)), dtype=np.float32)
        for start in range(0, len(values), CHUNK_ROWS):
            part = values[start : start + CHUNK_ROWS].astype(np.float32)
            out[start : start + CHUNK_ROWS] = self._predict(part)
        return pd.DataFrame(out, index=index, columns=self.columns_)

    def _predict(self, values: np.ndarray) -> np.ndarray:
        """Inverse-distance weighted mean of the neighbours' coordinates.

        scikit-learn's ``weights="distance"`` rule: a row at distance 0 from
        sample rows takes their mean alone.
        """
        ind, dist = self.index_.query(values, k=self.n_neighbors_)
        exact = dist <= 0
        with np.errstate(divide="ignore"):
            weights = np.where(exact.any(axis=1, keepdims=True), exact, 1.0 / dist)
        weights /= weights.sum(axis=1, keepdims=True)
        return np.einsum("nk,nkc->nc", weights, self.coords_[ind])


def neighbour_index(values: np.ndarray, n_jobs=None):
    """A Euclidean index with ``query(X, k) -> (indices, distances)`` over ``values``.

    Exact (scikit-learn) up to :data:`EXACT_SAMPLE_ROWS`, else pynndescent's
    ``NNDescent`` (its graph built once, queries approximate; a row's answer
    does not depend on the rows queried with it). Both pickle, for Dask
    workers. Also what :mod:`astrokit.outliers` scores new rows with.
    """
    if len(values) <= EXACT_SAMPLE_ROWS:
        from sklearn.neighbors import NearestNeighbors

        from astrokit.embedding._umap import _ExactIndex

        return _ExactIndex(NearestNeighbors(n_jobs=n_jobs).fit(values))
    from astrokit.embedding._umap import load_umap, quiet

    load_umap()  # numba's disk cache on for pynndescent too
    import pynndescent

    with quiet():
        index = pynndescent.NNDescent(
            values, n_neighbors=30, random_state=0, n_jobs=n_jobs or 1,
            compressed=False, search_tree_leaf_budget=3,
        )  # fmt: skip
        index.prepare()
    return _Approximate(index, values)


class _Approximate:
    """pynndescent's index; rows it cannot fill are searched exactly.

    pynndescent walks its neighbour graph, so a query whose nearest rows form
    a small island of the graph (repeated values, a tight clump) can come
    back with fewer than ``k`` neighbours (index -1, distance inf); those
    rows are searched exactly (scikit-learn, brute force) instead.
    """

    def __init__(self, index, values: np.ndarray):
        self.index = index
        self.values = values

    def query(self, X, k: int):
        from astrokit.embedding._umap import quiet

        with quiet():
            ind, dist = self.index.query(X, k=k)
        short = (ind < 0).any(axis=1) | ~np.isfinite(dist).all(axis=1)
        if short.any():
            from sklearn.neighbors import NearestNeighbors

            exact = NearestNeighbors(n_neighbors=k, algorithm="brute")
            d, i = exact.fit(self.values).kneighbors(np.asarray(X)[short])
            ind[short], dist[short] = i, d
        return ind, dist


class LazyIndex:
    """:func:`neighbour_index` over ``values``, built at the first query.

    For a model that may never see a new row (outlier scores of the fitted
    rows only): building pynndescent's graph takes seconds per 50,000 rows,
    and in a fresh process about a minute more to compile (numba cannot
    cache pynndescent's ``nn_descent``). :meth:`build` builds it now.
    """

    def __init__(self, values: np.ndarray, n_jobs=None, *, exact=None):
        self.values = values
        self.n_jobs = n_jobs
        self.index = None
        self.exact = exact  # a fitted NearestNeighbors to reuse while exact

    def build(self):
        """The index, built on the first call."""
        if self.index is None and self.exact is not None:
            if len(self.values) <= EXACT_SAMPLE_ROWS:
                from astrokit.embedding._umap import _ExactIndex

                self.index = _ExactIndex(self.exact)
        if self.index is None:
            self.index = neighbour_index(self.values, self.n_jobs)
        return self.index

    def query(self, X, k: int):
        return self.build().query(X, k)


def place(
    sample_features,
    sample_embedding,
    new,
    *,
    n_neighbors: int = PLACE_NEIGHBORS,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Coordinates of ``new`` rows from the embedding of a sample.

    ``NeighbourPlacer(n_neighbors).fit(sample_features, sample_embedding)
    .transform(new)``: a pure function of its arguments, for one Dask
    partition at a time.

    Parameters
    ----------
    sample_features : DataFrame or array of shape (S, d)
    sample_embedding : DataFrame or array of shape (S, 2)
    new : DataFrame or array of shape (M, d)
    n_neighbors, n_jobs
        As for :class:`NeighbourPlacer`.

    Returns
    -------
    DataFrame
        Indexed like ``new``; the columns of ``sample_embedding``.

    Examples
    --------
    >>> sample = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> coords = pd.DataFrame(sample * 10, columns=["umap_x", "umap_y"])
    >>> place(sample, coords, np.array([[1.0, 1.0]]), n_neighbors=2)
       umap_x  umap_y
    0    10.0    10.0
    """
    placer = NeighbourPlacer(n_neighbors, n_jobs=n_jobs)
    return placer.fit(sample_features, sample_embedding).transform(new)
