"""The unsupervised random forest distance (Baron & Poznanski 2017), at scale.

The estimator: parameters, the scikit-learn contract, neighbours, a dense
matrix for small tables and the weirdness score. How the trees learn to tell
the rows from a shuffled copy, which leaves count (``leaves``) and how it
scales (a per-tree sample of ``max_samples`` rows, one small leaf code per
row and tree, never an N x N matrix) is in ``astrokit.distances._trees``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from astrokit._shared import matrix as _matrix
from astrokit._shared.checks import check_int
from astrokit.distances import _dask, _trees

__all__ = ["UnsupervisedRandomForest"]

_LEAVES = ("real", "all")
_ALGORITHMS = ("auto", "exact", "approximate")


@_dask.accepts_dask  # fit(X) and weirdness(X) of a Dask table: distances._dask
class UnsupervisedRandomForest(BaseEstimator):
    """Distances learned by a forest that tells the data from a shuffled copy.

    Baron & Poznanski (2017, MNRAS 465, 4530): a random forest is trained to
    separate the real rows from synthetic rows whose features were shuffled
    independently; two rows are similar when they share terminal leaves.
    ``astrokit.distances._trees`` explains the leaf rule and how it scales.

    Parameters
    ----------
    n_estimators : int, default 100
        Trees; distances take ``n_estimators + 1`` values (0, 1/T, ..., 1).
    max_features : int, float or {"sqrt", "log2"}, default "sqrt"
        Features tried at each split (as in ``RandomForestClassifier``).
    min_samples_leaf : int, default 1
        Smallest leaf; 1 grows the trees fully, as in the original method.
    max_samples : int, float or None, default 20000
        Real rows each tree is trained on, drawn anew for every tree without
        replacement (a float: a fraction of the rows); at least the number of
        rows, or None: a bootstrap sample of all rows, as in a random forest.
        Each tree also gets as many synthetic rows; every row of ``X`` still
        passes through every tree. scikit-learn's name for a per-tree sample
        (elsewhere astrokit says ``max_rows``: one subsample for a fit).
    leaves : {"real", "all"}, default "real"
        Which shared leaves make two rows similar: only those classified as
        real (Baron & Poznanski) or all of them.
    n_neighbors : int, default 25
        Neighbours per row returned by :meth:`kneighbors` by default. A row
        is never its own neighbour: 25 means 25 other rows, the one rule of
        the kit (:mod:`astrokit._shared.checks`).
    algorithm : {"auto", "exact", "approximate"}, default "auto"
        Neighbour search, for the fitted rows and for new rows: exact
        counting of shared leaves, or sorted windows plus refinement
        (``astrokit.distances._leaf_neighbours``, ``_leaf_query``).
        ``"auto"`` is exact while the shared leaves to count stay below
        ``EXACT_BUDGET`` pairs (``astrokit.distances._trees``).
    random_state : int, RandomState or None, default 0
        Seeds the sample, the shuffles, the forest and the approximate search.
        The default is fixed, so two fits on the same rows give the same
        forest; None draws fresh randomness.
    n_jobs : int or None, default None
        Threads for training, applying the forest and searching neighbours
        (None: 1, -1: all cores), as in scikit-learn.
    progress : bool, default True
        Show tqdm progress bars (on stderr) for steps that last over a second.

    Attributes
    ----------
    estimators_ : list of sklearn.tree.DecisionTreeClassifier
        The trees (class 1 = real, 0 = synthetic).
    separability_ : float
        Mean accuracy of a tree at telling real from synthetic rows it was
        not trained on: near 0.5 means the features are independent and the
        distance carries little information.
    feature_importances_ : ndarray of shape (n_features_in_,)
        Which features the forest uses to tell the data from its shuffled
        copy (mean decrease in impurity).
    leaves_ : ndarray of shape (n_rows, n_estimators), uint16 or uint32
        The counted leaf of every fitted row in every tree, ``sentinel_``
        where the leaf does not count.
    sentinel_ : int
        The code of a leaf that does not count (matches nothing).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    See Also
    --------
    astrokit.distances.knn_graph : the same neighbours as a KNNGraph.

    Notes
    -----
    What "weird" means here: a row that shares counted leaves with few other
    rows, i.e. one that does not follow the correlations the trees learned.
    A row that is extreme along a trend the data already have can score
    lower than a plain Euclidean k-nearest-neighbour distance would rank it
    (lesson 03 compares both on the planted anomalies of the demo galaxies).

    Speed and memory on 10^5 to 10^6 rows: ``benchmarks/bench_forest.py``
    (compact groups and a correlated mixture, beside pynndescent).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> X[:, 1] = X[:, 0] + 0.1 * rng.normal(size=300)  # a correlation to find
    >>> urf = UnsupervisedRandomForest(n_estimators=50).fit(X)
    >>> bool(urf.separability_ > 0.6)
    True
    >>> dist, ind = urf.kneighbors(n_neighbors=5)
    >>> dist.shape, bool((ind != np.arange(300)[:, None]).all())  # self excluded
    ((300, 5), True)
    >>> urf.weirdness().shape
    (300,)
    """

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        max_features="sqrt",
        min_samples_leaf: int = 1,
        max_samples: int | float | None = 20_000,
        leaves: str = "real",
        n_neighbors: int = 25,
        algorithm: str = "auto",
        random_state=0,
        n_jobs: int | None = None,
        progress: bool = True,
    ):
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.max_samples = max_samples
        self.leaves = leaves
        self.n_neighbors = n_neighbors
        self.algorithm = algorithm
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    # ------------------------------------------------------------------ input
    def _check_params(self) -> None:
        check_int(self.n_estimators, "n_estimators", what="trees")
        check_int(self.min_samples_leaf, "min_samples_leaf", what="rows")
        check_int(self.n_neighbors, "n_neighbors", what="other rows")
        if self.leaves not in _LEAVES:
            msg = f"leaves={self.leaves!r} must be one of {_LEAVES}."
            raise ValueError(msg)
        if self.algorithm not in _ALGORITHMS:
            msg = f"algorithm={self.algorithm!r} must be one of {_ALGORITHMS}."
            raise ValueError(msg)
        _trees.sample_size(self.max_samples, 2)

    def _validate(self, X, *, reset: bool) -> np.ndarray:
        import pandas as pd

        if isinstance(X, pd.DataFrame):  # name non-numeric columns ourselves
            _matrix.feature_matrix(X, name="X", allow_nan=True, allow_constant=True)
        X = validate_data(
            self, X, reset=reset, dtype=[np.float32, np.float64],
            ensure_all_finite=False,
        )  # fmt: skip
        names = getattr(self, "feature_names_in_", None)
        names = list(names) if names is not None else None
        names = names or [f"column {i}" for i in range(X.shape[1])]
        _matrix.check_finite(X, names, name="X", purpose="the forest")
        return X

    # -------------------------------------------------------------------- fit
    def fit(self, X, y=None):
        """Train the forest on a sample of ``X`` and place every row in its leaves.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Numeric features, no NaN (choose a missing-data policy first).
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            For non-numeric columns, NaN or infinite values (the columns are
            named), or invalid parameters.
        """
        self._check_params()
        X = self._validate(X, reset=True)
        self._fingerprint = _trees.fingerprint(X)  # to know X when passed again
        X = np.asarray(X, dtype=np.float32)
        m = _trees.sample_size(self.max_samples, len(X))
        rs = check_random_state(self.random_state)
        seeds = rs.randint(np.iinfo(np.int32).max, size=self.n_estimators)
        options = {"max_features": self.max_features}
        options["min_samples_leaf"] = self.min_samples_leaf
        trees, self.separability_, self.feature_importances_ = _trees.grow_forest(
            X, m, seeds, options, n_jobs=self.n_jobs, progress=self.progress
        )
        self.estimators_ = trees
        self._lut, self.sentinel_ = _trees.leaf_lookup(trees, self.leaves)
        self.leaves_ = self._apply(X)
        self._knn_seed = int(rs.randint(np.iinfo(np.int32).max))
        self._graph_cache = None
        return self

    def _apply(self, X: np.ndarray) -> np.ndarray:
        return _trees.apply_forest(
            self.estimators_, self._lut, X, n_jobs=self.n_jobs, progress=self.progress
        )

    # ------------------------------------------------------------- neighbours
    def _query_codes(self, X, *, ties: bool = False):
        """Leaf codes (``ties``: and tie ids) of new rows; None: the fitted rows
        (``X`` None, or the training data: ``_trees.fingerprint``)."""
        check_is_fitted(self)
        if X is None:
            return None
        X = self._validate(X, reset=False)
        if _trees.is_training(X, getattr(self, "_fingerprint", None)):
            return None
        X = np.asarray(X, dtype=np.float32)
        codes = self._apply(X)
        if not ties:
            return codes
        from astrokit.distances._leaf_query import tie_ids

        return codes, tie_ids(np.ascontiguousarray(X).view(np.uint32))

    def _k(self, n_neighbors, *, new_rows: bool) -> int:
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        return _trees.check_k(k, len(self.leaves_), new_rows=new_rows)

    def _search(self, query, k: int):
        """``(indices, misses)`` of new rows' ``(codes, ties)`` or fitted rows."""
        codes, sentinel = self.leaves_, self.sentinel_
        if query is not None:  # guided by the fitted rows' own (cached) graph
            cached = getattr(self, "_graph_cache", None)
            k_fit = cached[0] if cached else min(k, len(codes) - 1)
            return _trees.query_knn(
                *query, codes, sentinel, k, algorithm=self.algorithm,
                graph=lambda: self._search(None, k_fit)[0], seed=self._knn_seed,
                n_jobs=self.n_jobs, progress=self.progress,
            )  # fmt: skip
        cached = getattr(self, "_graph_cache", None)
        if cached is not None and cached[0] == k:
            return cached[1], cached[2]
        ind, misses = _trees.fitted_knn(
            codes, sentinel, k, algorithm=self.algorithm, seed=self._knn_seed,
            n_jobs=self.n_jobs, progress=self.progress,
        )  # fmt: skip
        self._graph_cache = (k, ind, misses)
        return ind, misses

    def kneighbors(self, X=None, n_neighbors: int | None = None, return_distance=True):
        """The ``n_neighbors`` nearest fitted rows of each row, in forest distance.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), optional
            Query rows. None (default): the fitted rows, each without itself.
            So is the training data passed again (equal values in the same
            order, any dtype or memory order: a fingerprint kept at ``fit``):
            the answer of None, and ``n_neighbors`` below the number of rows
            (a row is never its own neighbour, the kit's one rule). Other
            rows are new: searched exactly while that is cheap, else guided
            by the fitted rows' own graph (``algorithm``, ``_leaf_query``).
        n_neighbors : int, optional
            Other rows per query (a new row may have every fitted row as a
            neighbour); default: the ``n_neighbors`` parameter.
        return_distance : bool, default True

        Returns
        -------
        distances : ndarray of float32, shape (n_queries, n_neighbors)
            ``1 - (shared counted leaves) / n_estimators``, non-decreasing.
            Only when ``return_distance``.
        indices : ndarray of int32, shape (n_queries, n_neighbors)
            Positions in the fitted rows. Ties (frequent: distances take
            ``n_estimators + 1`` values) are broken by a fixed hash of the
            pair (a new row: of its values), the same on every run.

        Raises
        ------
        ValueError
            If ``n_neighbors`` is not below the number of fitted rows (for
            new rows: above it).
        """
        query = self._query_codes(X, ties=True)
        k = self._k(n_neighbors, new_rows=query is not None)
        ind, misses = self._search(query, k)
        if not return_distance:
            return ind
        dist = misses.astype(np.float32)  # then in place: N x k floats once
        return np.divide(dist, self.leaves_.shape[1], out=dist), ind

    def kneighbors_graph(self, X=None, n_neighbors=None, mode: str = "distance"):
        """The k-nearest-neighbour graph as a sparse matrix (n_queries, n_fitted).

        Parameters
        ----------
        X, n_neighbors
            As in :meth:`kneighbors`.
        mode : {"distance", "connectivity"}, default "distance"
            Store the forest distances (zeros kept explicitly) or ones.

        Returns
        -------
        scipy.sparse.csr_matrix
            Each row's neighbours sorted by distance, as scikit-learn's
            ``metric="precomputed"`` estimators (DBSCAN, ...) expect.
        """
        import scipy.sparse

        if mode not in ("distance", "connectivity"):
            msg = f"mode={mode!r} must be 'distance' or 'connectivity'."
            raise ValueError(msg)
        dist, ind = self.kneighbors(X, n_neighbors)
        n, k = ind.shape
        data = dist.ravel() if mode == "distance" else np.ones(n * k, np.float32)
        indptr = np.arange(0, n * k + 1, k)
        shape = (n, len(self.leaves_))
        return scipy.sparse.csr_matrix((data, ind.ravel(), indptr), shape=shape)

    def dense_distances(self, X=None, *, max_bytes: int = 2**30) -> np.ndarray:
        """All pairwise forest distances: only for small tables.

        Parameters
        ----------
        X : array-like, optional
            Query rows; None or the training data: the fitted rows (a square,
            symmetric matrix).
        max_bytes : int, default 2**30 (1 GiB)
            Refuse above this size: the matrix grows as N^2 (4 bytes each).

        Returns
        -------
        ndarray of float32, shape (n_queries, n_fitted)

        Raises
        ------
        MemoryError
            When the matrix would exceed ``max_bytes``; the message states the
            memory it would need and points to :meth:`kneighbors_graph`.
        """
        check_is_fitted(self)
        n_ref = len(self.leaves_)
        n_q = n_ref if X is None else len(X)
        _trees.check_dense_memory(n_q, n_ref, max_bytes)
        from astrokit.distances import _leaf_neighbours

        query = self._query_codes(X)
        fitted = query is None
        query = self.leaves_ if fitted else query
        with _trees.numba_threads(self.n_jobs):
            shared = _leaf_neighbours.dense(query, self.leaves_, self.sentinel_)
        n_trees = self.leaves_.shape[1]
        dist = (n_trees - shared).astype(np.float32) / np.float32(n_trees)
        if fitted:
            np.fill_diagonal(dist, 0.0)
        return dist

    def weirdness(self, X=None) -> np.ndarray:
        """Baron & Poznanski's outlier score: mean forest distance to the rows.

        Exact, in O(N x n_estimators) time and no pairwise matrix: the summed
        similarity of a row to all others is the summed occupancy of its
        counted leaves. Equal (to float precision) to the row means of
        :meth:`dense_distances`.

        Parameters
        ----------
        X : array-like, optional
            None or the training data: the fitted rows, each averaged over all
            *other* fitted rows (the original definition). New rows: the mean
            distance of each to all fitted rows.

        Returns
        -------
        ndarray of float64, shape (n_queries,)
            Between 0 and 1; higher is weirder.
        """
        from astrokit.distances import _leaf_neighbours

        query = self._query_codes(X)
        exclude, query = query is None, (self.leaves_ if query is None else query)
        mean = _leaf_neighbours.mean_similarity(
            query, self.leaves_, self.sentinel_, exclude_self=exclude
        )
        return 1.0 - mean
