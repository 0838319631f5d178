"""Placing new rows on a fitted embedding: a kNN regression from the sample.

A UMAP fitted on a sample of a large table must still give every other row
two coordinates. ``UMAP.transform`` does it by a few optimisation epochs per
batch, at thousands of rows per second (10^8 rows take hours). Here a new
row goes to the distance-weighted mean of the embedding coordinates of its
``n_neighbors`` nearest sample rows in feature space: scikit-learn's
``KNeighborsRegressor(weights="distance")`` fitted on (sample features,
sample embedding), so the code is scikit-learn's, not ours; only the checks,
the index and the chunking (bounded memory) are here. A new row equal to a
sample row lands exactly on it (scikit-learn gives zero-distance neighbours
all the weight). ``benchmarks/bench_placement.py`` compares it with
``UMAP.transform``: on 100,000 rows of the full tier placed from a UMAP of
50,000 others, trustworthiness (25 neighbours) 0.949 with k = 10 against
0.957 for ``UMAP.transform`` (k = 5 and 25 give 0.950 and 0.949), at 3,700
against 1,060 rows per CPU second (a busy shared 2-core machine; the
neighbour search is most of the cost, so a faster index would speed both).

Two forms, for two callers:

- :class:`NeighbourPlacer`: a small fitted object that pickles (the sample
  and its coordinates, about 50 bytes a sample row), whose
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

__all__ = ["NeighbourPlacer", "place", "PLACE_NEIGHBORS", "CHUNK_ROWS", "PLACEMENTS"]

PLACE_NEIGHBORS = 10
"""Sample rows each new row is placed from (see ``benchmarks/bench_placement.py``)."""

CHUNK_ROWS = 100_000
"""New rows placed per neighbour query (k distances and indices per row each)."""

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
    regressor_ : sklearn.neighbors.KNeighborsRegressor
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
        from sklearn.neighbors import KNeighborsRegressor

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
        self.regressor_ = KNeighborsRegressor(
            n_neighbors=self.n_neighbors_, weights="distance", n_jobs=self.n_jobs
        ).fit(values.astype(np.float32), coords.astype(np.float32))
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

        check_is_fitted(self, "regressor_")
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
            out[start : start + CHUNK_ROWS] = self.regressor_.predict(part)
        return pd.DataFrame(out, index=index, columns=self.columns_)


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
