"""The Sequencer (Baron & Ménard 2020) as a scikit-learn estimator.

Why the kit has its own: the ``thesequencer`` package on PyPI dates from
2020 and pins Python 3.7-era numpy and networkx; its distances are computed
pair by pair in Python. Here the algorithm of the paper is written again on
whole distance matrices (:mod:`astrokit.sequence._metrics`) and scipy's
compiled graph routines (:mod:`astrokit.sequence._tree`):

1. for every metric and every scale (the feature axis cut into
   ``scale`` consecutive chunks, each chunk of each row normalised to unit
   sum when ``normalize``), the distance matrix of each chunk, its minimum
   spanning tree (MST) and that tree's elongation;
2. per metric and scale, the chunks' matrices averaged with their
   elongations as weights, its MST and elongation (``elongations_``);
3. the MSTs of step 2 (or the ``n_best`` most elongated) merged into one
   sparse graph: each edge's proximity (1 / distance) averaged with the trees'
   elongations as weights; its MST is the final tree: its elongation is
   ``elongation_``, and the weighted breadth-first walk from its least
   central node is the sequence ``order_``.

Every distance matrix is (N, N) float64, so memory grows as N squared:
:data:`MAX_ROWS` rows at most (about 0.8 GB per matrix); sequence a random
sample of a larger table.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from astrokit._shared.checks import check_int
from astrokit._shared.matrix import feature_matrix, names_list
from astrokit.sequence._metrics import (
    DISTRIBUTION_METRICS,
    METRICS,
    check_values,
    distance_matrix,
)
from astrokit.sequence._tree import Tree, spanning_tree

__all__ = ["Sequencer", "MAX_ROWS", "MIN_CHUNK"]

logger = logging.getLogger("astrokit.sequence")

MAX_ROWS = 10_000
"""Most rows the Sequencer accepts: each (N, N) float64 matrix is 8 N**2 bytes."""

MIN_CHUNK = 20
"""Default scales: powers of two while a chunk keeps at least this many columns
(the reference code's rule)."""

_MIN_ROWS = 4
_PURPOSE = "the Sequencer"


def default_scales(n_columns: int) -> list[int]:
    """1, 2, 4, ... while every chunk keeps at least :data:`MIN_CHUNK` columns.

    >>> default_scales(400), default_scales(11)
    ([1, 2, 4, 8, 16], [1])
    """
    scales = [1]
    while n_columns // (scales[-1] * 2) >= MIN_CHUNK:
        scales.append(scales[-1] * 2)
    return scales


def _check_constant_rows(values: np.ndarray, index: pd.Index) -> None:
    flat = np.flatnonzero(np.ptp(values, axis=1) == 0)
    if flat.size:
        msg = (
            f"data has {flat.size} constant row(s) (one value in every column), "
            f"e.g. rows {names_list(index[flat], limit=5)}; a flat row has no "
            "shape to put in a sequence: drop them (e.g. "
            "data[data.std(axis=1) > 0])."
        )
        raise ValueError(msg)


def _check_grid(grid, n_columns: int) -> np.ndarray:
    if grid is None:
        return np.arange(n_columns, dtype=np.float64)
    grid = np.asarray(grid, dtype=np.float64)
    if grid.shape != (n_columns,):
        msg = (
            f"grid has shape {grid.shape}; it needs one x value per column of "
            f"data: ({n_columns},)."
        )
        raise ValueError(msg)
    if not np.isfinite(grid).all() or (np.diff(grid) <= 0).any():
        msg = "grid must be finite and strictly increasing (e.g. wavelengths)."
        raise ValueError(msg)
    return grid


class Sequencer(BaseEstimator):
    """Find the one-dimensional sequence in a set of objects, if there is one.

    Parameters
    ----------
    metrics : "auto" or list of str, default "auto"
        Distances among :data:`METRICS` (``"euclidean"``, ``"emd"``,
        ``"energy"``, ``"kl"``). ``"auto"``: all four for strictly positive
        data, all but ``"kl"`` when a value is zero, and ``"euclidean"``
        alone when a value is negative (log ratios, standardised features).
        The choice is kept in ``metrics_``.
    scales : list of int, optional
        Into how many consecutive chunks the columns are cut (1: whole
        rows). Default: 1, 2, 4, ... while a chunk keeps at least
        :data:`MIN_CHUNK` columns (``[1]`` for a few features).
    grid : array of shape (d,), optional
        The x value of each column (wavelengths), increasing; used by
        ``"emd"`` and ``"energy"``. Default 0, 1, ..., d - 1.
    normalize : bool, optional
        Divide each chunk of each row by its sum before the Euclidean
        distance (the distribution metrics always do). Default: when every
        value is non-negative (spectra), not otherwise.
    n_best : int, optional
        Merge only the ``n_best`` most elongated (metric, scale) trees into
        the final graph (the paper's option for many irrelevant scales);
        default all.

    Attributes
    ----------
    order_ : ndarray of int, shape (N,)
        Row positions in sequence order: ``X[order_]`` is the ordered data.
    rank_ : Series
        Each row's place in the sequence (0 first), on the input's index.
    elongation_ : float
        Elongation of the final tree: N for a perfect chain of N rows, near
        1 for a star; the figure of merit of the sequence.
    elongations_ : DataFrame
        One row per (metric, scale): its tree's elongation and whether it
        was merged.
    metrics_, scales_, normalize_ : the settings used.
    tree_ : scipy.sparse matrix
        The final minimum spanning tree (one entry per edge).
    n_features_in_ : int

    Examples
    --------
    >>> from astrokit.sequence import make_toy_spectra
    >>> grid, spectra, truth = make_toy_spectra(n_objects=60, n_pixels=80)
    >>> seq = Sequencer(grid=grid).fit(spectra)
    >>> seq.metrics_, seq.scales_
    (['euclidean', 'emd', 'energy', 'kl'], [1, 2, 4])
    >>> from scipy.stats import spearmanr
    >>> bool(abs(spearmanr(seq.rank_, truth)[0]) > 0.99)
    True
    """

    def __init__(
        self, *, metrics="auto", scales=None, grid=None, normalize=None, n_best=None
    ):
        self.metrics = metrics
        self.scales = scales
        self.grid = grid
        self.normalize = normalize
        self.n_best = n_best

    # -- settings -------------------------------------------------------------
    def _metrics(self, values: np.ndarray) -> list[str]:
        if isinstance(self.metrics, str) and self.metrics == "auto":
            lowest = values.min()
            if lowest < 0:
                return ["euclidean"]
            return ["euclidean", "emd", "energy"] + (["kl"] if lowest > 0 else [])
        metrics = [self.metrics] if isinstance(self.metrics, str) else self.metrics
        metrics = list(metrics)
        unknown = [m for m in metrics if m not in METRICS]
        if unknown or not metrics:
            msg = f"metrics={self.metrics!r}: use 'auto' or a list from {METRICS}."
            raise ValueError(msg)
        for metric in metrics:
            check_values(values, metric)
        return metrics

    def _scales(self, n_columns: int) -> list[int]:
        if self.scales is None:
            return default_scales(n_columns)
        scales = [self.scales] if isinstance(self.scales, int) else list(self.scales)
        for scale in scales:
            check_int(scale, "scales", what="chunks of the columns")
        widest = max(scales)
        if n_columns // widest < 2:
            msg = (
                f"scales={self.scales!r}: {widest} chunks of {n_columns} columns "
                "leave fewer than 2 columns per chunk; use smaller scales."
            )
            raise ValueError(msg)
        return sorted(set(scales))

    def _check(self, X):
        values, _, index = feature_matrix(
            X, name="data", allow_constant=True, min_rows=_MIN_ROWS, purpose=_PURPOSE
        )
        if len(values) > MAX_ROWS:
            gb = 8 * len(values) ** 2 / 1e9
            msg = (
                f"data has {len(values)} rows; the Sequencer holds (N, N) "
                f"distance matrices ({gb:.1f} GB each here) and accepts at most "
                f"{MAX_ROWS}: sequence a random sample (data.sample(n))."
            )
            raise ValueError(msg)
        _check_constant_rows(values, index)
        if self.n_best is not None:
            check_int(self.n_best, "n_best", what="trees, or None")
        return values, index

    # -- the algorithm --------------------------------------------------------
    def _chunks(self, values, grid, scale, metric):
        normalize = metric in DISTRIBUTION_METRICS or self.normalize_
        for columns in np.array_split(np.arange(values.shape[1]), scale):
            chunk = values[:, columns]
            if normalize:
                sums = chunk.sum(axis=1)
                if (sums <= 0).any():
                    msg = (
                        f"scale {scale}: a chunk of columns {columns[0]} to "
                        f"{columns[-1]} sums to zero in {(sums <= 0).sum()} row(s) "
                        "and cannot be normalised; add an offset to every row, "
                        "or use smaller scales."
                    )
                    raise ValueError(msg)
                chunk = chunk / sums[:, None]
            yield chunk, grid[columns]

    def _metric_scale_tree(self, values, grid, metric, scale) -> Tree:
        """Step 1 and 2 for one metric and scale."""
        total, weights = None, 0.0
        for chunk, chunk_grid in self._chunks(values, grid, scale, metric):
            dist = distance_matrix(chunk, chunk_grid, metric)
            weight = Tree(spanning_tree(dist)).elongation
            total = dist * weight if total is None else total + dist * weight
            weights += weight
        return Tree(spanning_tree(total / weights))

    def fit(self, X, y=None):
        """Order the rows of ``X`` (N objects x d columns) into a sequence.

        Parameters
        ----------
        X : DataFrame or array of shape (N, d)
            One object per row (a spectrum on a common grid, or a feature
            vector); no NaN, no constant row; at least 4 rows.
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Fewer than 4 rows or more than :data:`MAX_ROWS`; NaN or
            infinite values; constant rows; negative values for a
            distribution metric (zeros for ``"kl"``); a bad ``grid``,
            ``scales`` or ``metrics``; a chunk that sums to zero.
        """
        import scipy.sparse

        values, index = self._check(X)
        self.n_features_in_ = values.shape[1]
        grid = _check_grid(self.grid, values.shape[1])
        self.metrics_ = self._metrics(values)
        self.scales_ = self._scales(values.shape[1])
        self.normalize_ = (
            bool(values.min() >= 0) if self.normalize is None else bool(self.normalize)
        )
        trees, rows = [], []
        for metric in self.metrics_:
            for scale in self.scales_:
                tree = self._metric_scale_tree(values, grid, metric, scale)
                trees.append(tree)
                rows.append((metric, scale, tree.elongation))
                logger.info("%s, scale %d: elongation %.1f", metric, scale, rows[-1][2])
        table = pd.DataFrame(rows, columns=["metric", "scale", "elongation"])
        keep = np.argsort(-table["elongation"].to_numpy(), kind="stable")
        keep = keep[: self.n_best] if self.n_best else keep
        table["merged"] = np.isin(np.arange(len(table)), keep)
        self.elongations_ = table
        n = len(values)
        proximity = scipy.sparse.csr_matrix((n, n))
        for i in keep:
            edges = trees[i].graph.copy()
            edges.data = trees[i].elongation / edges.data
            proximity = proximity + edges
        proximity = proximity * (1.0 / table["elongation"].to_numpy()[keep].sum())
        proximity.data = 1.0 / proximity.data  # back to distances
        final = Tree(spanning_tree(proximity))
        self.tree_ = final.edges
        self.elongation_ = final.elongation
        self.order_ = final.order()
        rank = np.empty(n, dtype=np.int64)
        rank[self.order_] = np.arange(n)
        self.rank_ = pd.Series(rank, index=index, name="sequence_rank")
        return self

    def fit_transform(self, X, y=None) -> pd.Series:
        """Fit and return ``rank_``: each row's place in the sequence."""
        return self.fit(X).rank_
