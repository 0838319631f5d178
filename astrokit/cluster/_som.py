"""A self-organising map (Kohonen 1982) with minisom: nodes on a grid.

A SOM is a grid of nodes, each holding a prototype vector in feature space,
trained so that neighbouring nodes hold similar prototypes. Every row then
belongs to its best-matching node: a clustering with many small groups laid
out so that similar groups sit side by side, and a two-dimensional map
whose axes are the grid's. Averaging the rows of each node (the "average
object per node", Baron 2024) shows how the features change across the map.

:class:`SelfOrganizingMap` wraps ``minisom.MiniSom`` (a small, well-kept
NumPy implementation) as a scikit-learn estimator: PCA initialisation
(deterministic), ``random_state`` seeding the order of training rows, and
best-matching nodes found for all rows at once (minisom's ``winner`` works
row by row). :func:`node_average` tabulates the average object per node.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from astrokit._shared.checks import check_int, check_random_state
from astrokit._shared.matrix import feature_matrix

__all__ = ["SelfOrganizingMap", "node_average", "COLUMNS"]

COLUMNS = ["som_row", "som_col"]
"""The grid position of each row's node."""


def _auto_shape(n_rows: int) -> tuple[int, int]:
    """Vesanto's rule of thumb: about 5 sqrt(N) nodes, on a square grid."""
    side = int(np.clip(np.ceil(np.sqrt(5 * np.sqrt(n_rows))), 2, 30))
    return side, side


class SelfOrganizingMap(BaseEstimator):
    """A self-organising map: each row to a node of a 2-D grid.

    Parameters
    ----------
    shape : (int, int) or "auto", default "auto"
        Rows and columns of the node grid; "auto" gives about 5 sqrt(N)
        nodes (Vesanto & Alhoniemi 2000), a square of at most 30 x 30.
    sigma : float, default 1.5
        Width of the neighbourhood on the grid (in nodes) at the start.
    learning_rate : float, default 0.5
    n_iterations : int, default 5000
        Training steps (one row each).
    random_state : int, default 0
        Seeds the order in which rows are shown.

    Attributes
    ----------
    shape_ : (int, int)
    codebook_ : ndarray, shape (rows, cols, d)
        The prototype of each node.
    quantization_error_ : float
        Mean distance of the rows to their node's prototype.
    topographic_error_ : float
        Fraction of rows whose two best nodes are not grid neighbours (0:
        the map keeps neighbourhoods).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (100, 3)), rng.normal(6, 1, (100, 3))])
    >>> som = SelfOrganizingMap(shape=(4, 4)).fit(X)
    >>> nodes = som.predict(X)
    >>> first, second = nodes.iloc[:100], nodes.iloc[100:]  # two blobs, apart
    >>> list(nodes.columns), bool((first.mean() - second.mean()).abs().max() > 1)
    (['som_row', 'som_col'], True)
    """

    def __init__(
        self,
        *,
        shape="auto",
        sigma: float = 1.5,
        learning_rate: float = 0.5,
        n_iterations: int = 5000,
        random_state=0,
    ):
        self.shape = shape
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.random_state = random_state

    def _check_shape(self, n_rows: int) -> tuple[int, int]:
        if isinstance(self.shape, str) and self.shape == "auto":
            return _auto_shape(n_rows)
        try:
            rows, cols = self.shape
        except (TypeError, ValueError):
            rows = cols = None
        if not all(isinstance(v, int | np.integer) and v >= 1 for v in (rows, cols)):
            msg = f"shape={self.shape!r} must be 'auto' or two integers >= 1."
            raise ValueError(msg)
        if rows * cols < 2:
            msg = f"shape={self.shape!r} gives one node; use at least two."
            raise ValueError(msg)
        return int(rows), int(cols)

    def fit(self, X, y=None):
        """Train the map on the rows of ``X`` (standardise the features first).

        Raises
        ------
        ValueError
            Fewer than 2 rows, NaN or infinite values, constant columns, a
            bad ``shape``, ``sigma`` or ``learning_rate`` not positive.
        """
        from minisom import MiniSom

        values, self.feature_names_in_, _ = feature_matrix(
            X, name="data", min_rows=2, purpose="a self-organising map"
        )
        self.n_features_in_ = values.shape[1]
        self.shape_ = self._check_shape(len(values))
        for name in ("sigma", "learning_rate"):
            value = getattr(self, name)
            if not (
                isinstance(value, int | float) and np.isfinite(value) and value > 0
            ):
                msg = f"{name}={value!r} must be a number > 0."
                raise ValueError(msg)
        n_iterations = check_int(self.n_iterations, "n_iterations")
        seed = check_random_state(self.random_state)
        seed = np.random.default_rng(seed).integers(2**31) if seed is not None else None
        som = MiniSom(
            *self.shape_,
            values.shape[1],
            sigma=float(self.sigma),
            learning_rate=float(self.learning_rate),
            random_seed=None if seed is None else int(seed),
        )
        som.pca_weights_init(values)
        som.train(values, n_iterations, random_order=True)
        self.codebook_ = som.get_weights().copy()
        self.quantization_error_ = float(som.quantization_error(values))
        self.topographic_error_ = float(som.topographic_error(values))
        return self

    def _nodes(self, X):
        from scipy.spatial.distance import cdist

        values, _, index = feature_matrix(X, name="data", allow_constant=True)
        if values.shape[1] != self.n_features_in_:
            msg = (
                f"data has {values.shape[1]} columns; the map was fitted on "
                f"{self.n_features_in_}."
            )
            raise ValueError(msg)
        flat = self.codebook_.reshape(-1, self.n_features_in_)
        best = np.argmin(cdist(values, flat), axis=1)
        return np.column_stack(np.unravel_index(best, self.shape_)), index

    def predict(self, X) -> pd.DataFrame:
        """Each row's best-matching node: ``som_row``, ``som_col`` on its index."""
        nodes, index = self._nodes(X)
        return pd.DataFrame(nodes, index=index, columns=COLUMNS)

    def fit_predict(self, X, y=None) -> pd.DataFrame:
        """Fit, then :meth:`predict` the same rows."""
        return self.fit(X).predict(X)


def node_average(data, nodes: pd.DataFrame, *, columns=None) -> pd.DataFrame:
    """The average object per node: each node's count and feature means.

    Parameters
    ----------
    data : DataFrame
        Rows to average (features, or any numeric columns of the table).
    nodes : DataFrame
        ``som_row``, ``som_col`` per row (:meth:`SelfOrganizingMap.predict`),
        on the same index as ``data``.
    columns : list of str, optional
        Average only these columns.

    Returns
    -------
    DataFrame
        Indexed by (``som_row``, ``som_col``), one row per occupied node:
        ``count`` and the mean of each column. ``frame[name].unstack()`` is
        the grid of one feature.

    Raises
    ------
    ValueError
        ``nodes`` without the node columns, or rows of ``data`` it lacks.
    """
    if not isinstance(nodes, pd.DataFrame) or not set(COLUMNS) <= set(nodes):
        msg = f"nodes must be a DataFrame with columns {COLUMNS} (from predict)."
        raise ValueError(msg)
    frame = data if columns is None else data[list(columns)]
    frame = frame.select_dtypes("number")
    missing = ~frame.index.isin(nodes.index)
    if missing.any():
        msg = f"nodes has no node for {int(missing.sum())} row(s) of data."
        raise ValueError(msg)
    grouped = frame.groupby([nodes.loc[frame.index, c] for c in COLUMNS])
    return grouped.mean().assign(count=grouped.size()).loc[:, ["count", *frame]]
