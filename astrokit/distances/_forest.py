"""The unsupervised random forest distance (Baron & Poznanski 2017), at scale.

The method
    1. Synthetic data with the same one-dimensional distributions as the real
       data but no correlations between features: every feature is drawn
       independently from its own column (a draw from the product of the
       marginals, as Baron & Poznanski did).
    2. Decision trees (scikit-learn's ``DecisionTreeClassifier``, fully grown
       by default, a random subset of features tried at each split: a random
       forest) learn to tell real rows from synthetic ones. To do so they
       must find the correlations that only the real data has, so their
       splits follow the structure of the data and ignore features that
       carry none.
    3. Two real rows are similar in a tree when they end in the same terminal
       leaf; their similarity is the fraction of trees where they do, and the
       distance is ``1 - similarity``.

Which leaves count (``leaves``)
    ``"real"`` (default) is Baron & Poznanski's rule: only leaves the tree
    classifies as real (more real than synthetic training rows) count. A row
    that falls in a synthetic leaf sits where the real data is rare, so in
    that tree it is similar to nothing; this is what makes the distance (and
    the weirdness score) sensitive to outliers: two odd rows that happen to
    share a synthetic leaf are not called similar. ``"all"`` counts every
    leaf, the Hamming distance between leaf indices (as in scikit-learn's
    ``RandomTreesEmbedding``); it gives smaller distances in sparse regions.

At scale
    Each tree is trained on its own random sample of ``max_samples`` real
    rows (a bootstrap sample when ``max_samples`` is at least the number of
    rows, as in the original) and as many synthetic rows, so training cost
    does not grow with the table, and no row is favoured: every row is in a
    tree's training sample equally often. Every row is then passed through
    the trees in chunks, keeping one small integer per row and tree (its
    leaf), ``N x n_estimators`` x 2 bytes: 200 MB for a million rows and 100
    trees. Neighbours come from those leaf codes
    (``astrokit.distances._leaf_neighbours``), never from an N x N matrix:
    exactly when rows share few leaves (small or moderate tables), else by
    sorted windows and neighbour-of-neighbour refinement. The weirdness
    score is exact at any N without pairs: a row's summed similarity to all
    others is the summed occupancy of its leaves.
"""

from __future__ import annotations

import contextlib
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from astrokit._shared import matrix as _matrix
from astrokit.distances import _graph

__all__ = ["UnsupervisedRandomForest"]

EXACT_BUDGET = 3_000_000_000
"""``algorithm="auto"`` searches exactly while the shared-leaf pairs to count,
sum over trees and leaves of occupancy squared, stay below this (a few
seconds on 2 cores); above it, approximately."""

_CHUNK = 65_536
_LEAVES = ("real", "all")
_ALGORITHMS = ("auto", "exact", "approximate")


def _human(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1000 or unit == "PB":
            return (
                f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
            )
        n_bytes /= 1000
    return ""  # pragma: no cover


@contextlib.contextmanager
def _numba_threads(n_jobs):
    import numba
    from joblib import effective_n_jobs

    wanted = max(1, min(effective_n_jobs(n_jobs), numba.config.NUMBA_NUM_THREADS))
    old = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        yield
    finally:
        numba.set_num_threads(old)


def _bar(progress, total, desc):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not progress, delay=1.0, leave=False)


def _grow_tree(X: np.ndarray, m: int, seed: int, options: dict):
    """One tree on its own sample: ``m`` real rows and ``m`` synthetic rows.

    Returns the tree and its accuracy on up to 500 real rows it was not
    trained on plus 500 fresh synthetic rows (NaN if every row was used).
    """
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(seed)
    n, d = X.shape
    if m >= n:  # bootstrap, as in a random forest
        rows = rng.integers(0, n, n)
    else:
        rows = rng.choice(n, m, replace=False)
    size = len(rows)

    def synthetic(count):  # each feature drawn independently: no correlations
        return np.column_stack([X[rng.integers(0, n, count), j] for j in range(d)])

    data = np.vstack([X[rows], synthetic(size)])
    target = np.r_[np.ones(size, np.int8), np.zeros(size, np.int8)]
    tree = DecisionTreeClassifier(random_state=seed, **options).fit(data, target)
    used = np.zeros(n, dtype=bool)
    used[rows] = True
    unused = np.flatnonzero(~used)
    if unused.size == 0:
        return tree, float("nan")
    test = rng.choice(unused, min(500, unused.size), replace=False)
    right = (tree.predict(X[test]) == 1).sum()
    right += (tree.predict(synthetic(len(test))) == 0).sum()
    return tree, float(right / (2 * len(test)))


class UnsupervisedRandomForest(BaseEstimator):
    """Distances learned by a forest that tells the data from a shuffled copy.

    Baron & Poznanski (2017, MNRAS 465, 4530): a random forest is trained to
    separate the real rows from synthetic rows whose features were shuffled
    independently; two rows are similar when they share terminal leaves.
    See the module notes for the leaf rule and how it scales.

    Parameters
    ----------
    n_estimators : int, default 100
        Trees; distances take ``n_estimators + 1`` values (0, 1/T, ..., 1).
    max_features : int, float or {"sqrt", "log2"}, default "sqrt"
        Features tried at each split (as in ``RandomForestClassifier``).
    min_samples_leaf : int, default 1
        Smallest leaf; 1 grows the trees fully, as in the original method.
    max_samples : int, float or None, default 20000
        Real rows each tree is trained on, drawn at random without
        replacement for every tree (a float is a fraction of the rows). When
        it is at least the number of rows, or None, each tree gets a
        bootstrap sample of all rows, as in a random forest. Each tree also
        gets as many synthetic rows. Every row of ``X`` is still passed
        through every tree.
    leaves : {"real", "all"}, default "real"
        Which shared leaves make two rows similar: only those classified as
        real (Baron & Poznanski) or all of them.
    n_neighbors : int, default 25
        Neighbours per row returned by :meth:`kneighbors` by default.
    algorithm : {"auto", "exact", "approximate"}, default "auto"
        Neighbour search over the fitted rows: exact counting of shared
        leaves, or sorted windows plus refinement (see ``_leafknn``).
        ``"auto"`` is exact while that is cheap (``EXACT_BUDGET``).
    random_state : int, RandomState or None, default None
        Seeds the sample, the shuffles, the forest and the approximate search.
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

    Speed, measured by ``benchmarks/bench_forest.py`` on 2 shared cores:
    1,000,000 rows x 12 features, fit plus k = 25 graph in about 2 minutes
    and 1.4 GB peak memory, recall 0.98 against exact neighbours.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> X[:, 1] = X[:, 0] + 0.1 * rng.normal(size=300)  # a correlation to find
    >>> urf = UnsupervisedRandomForest(n_estimators=50, random_state=0).fit(X)
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
        random_state=None,
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
        def positive_int(name, value):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                msg = f"{name}={value!r} must be a positive integer."
                raise ValueError(msg)

        positive_int("n_estimators", self.n_estimators)
        positive_int("min_samples_leaf", self.min_samples_leaf)
        positive_int("n_neighbors", self.n_neighbors)
        if self.leaves not in _LEAVES:
            msg = f"leaves={self.leaves!r} must be one of {_LEAVES}."
            raise ValueError(msg)
        if self.algorithm not in _ALGORITHMS:
            msg = f"algorithm={self.algorithm!r} must be one of {_ALGORITHMS}."
            raise ValueError(msg)
        m = self.max_samples
        ok = m is None or (
            not isinstance(m, bool)
            and (
                (isinstance(m, Integral) and m >= 2)
                or (isinstance(m, Real) and 0 < m <= 1)
            )
        )
        if not ok:
            msg = (
                f"max_samples={m!r} must be an integer of at least 2 (rows), a "
                "fraction in (0, 1], or None (all rows)."
            )
            raise ValueError(msg)

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
        return np.asarray(X, dtype=np.float32)

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
        from joblib import Parallel, delayed

        self._check_params()
        X = self._validate(X, reset=True)
        n = len(X)
        m = self.max_samples
        m = n if m is None else (int(m) if isinstance(m, Integral) else int(m * n))
        m = max(m, 1)
        rs = check_random_state(self.random_state)
        seeds = rs.randint(np.iinfo(np.int32).max, size=self.n_estimators)
        grow = delayed(_grow_tree)
        options = {
            "max_features": self.max_features,
            "min_samples_leaf": self.min_samples_leaf,
        }
        jobs = Parallel(n_jobs=self.n_jobs, prefer="threads", return_as="generator")
        trees, accuracy = [], []
        with _bar(self.progress, self.n_estimators, "URF: growing trees") as bar:
            for tree, acc in jobs(grow(X, m, seed, options) for seed in seeds):
                trees.append(tree)
                accuracy.append(acc)
                bar.update(1)
        self.estimators_ = trees
        finite = [a for a in accuracy if np.isfinite(a)]
        self.separability_ = float(np.mean(finite)) if finite else float("nan")
        importances = np.mean([t.feature_importances_ for t in trees], axis=0)
        total = importances.sum()
        self.feature_importances_ = importances / total if total > 0 else importances
        self._set_codes()
        self.leaves_ = self._apply(X)
        self._knn_seed = int(rs.randint(np.iinfo(np.int32).max))
        self._graph_cache = None
        return self

    def _set_codes(self) -> None:
        """Per tree, a lookup from node id to leaf code (sentinel if not counted)."""
        trees = [e.tree_ for e in self.estimators_]
        counted = []
        for estimator, tree in zip(self.estimators_, trees, strict=True):
            leaf = tree.children_left == -1
            if self.leaves == "real":
                real = np.flatnonzero(estimator.classes_ == 1)
                value = tree.value[:, 0, :]
                if real.size == 0 or value.shape[1] < 2:  # one class only
                    leaf &= estimator.classes_[0] == 1
                else:
                    leaf &= value[:, real[0]] > value[:, 1 - real[0]]
            counted.append(leaf)
        most = max(int(c.sum()) for c in counted)
        dtype = np.uint16 if most < np.iinfo(np.uint16).max else np.uint32
        self.sentinel_ = int(np.iinfo(dtype).max)
        width = max(t.node_count for t in trees)
        lut = np.full((len(trees), width), self.sentinel_, dtype=dtype)
        for t, leaf in enumerate(counted):
            lut[t, np.flatnonzero(leaf)] = np.arange(leaf.sum(), dtype=dtype)
        self._lut = lut

    def _apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf codes of the rows of ``X``, computed in chunks, trees in threads."""
        from joblib import Parallel, delayed

        n, n_trees = len(X), len(self._lut)
        codes = np.empty((n, n_trees), dtype=self._lut.dtype)
        jobs = Parallel(n_jobs=self.n_jobs, prefer="threads")
        with _bar(self.progress, n, "URF: placing rows in leaves") as bar:
            for start in range(0, n, _CHUNK):
                stop = min(start + _CHUNK, n)
                chunk = X[start:stop]
                nodes = jobs(delayed(e.apply)(chunk) for e in self.estimators_)
                for t, node in enumerate(nodes):
                    codes[start:stop, t] = self._lut[t, node]
                bar.update(stop - start)
        return codes

    # ------------------------------------------------------------- neighbours
    def _query_codes(self, X):
        check_is_fitted(self)
        if X is None:
            return None
        return self._apply(self._validate(X, reset=False))

    def _k(self, n_neighbors, *, new_rows: bool) -> int:
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        n_fit = len(self.leaves_)
        if new_rows:  # every fitted row can be a neighbour of a new row
            _graph.check_n_neighbors(k, 2**62)
            if k > n_fit:
                msg = (
                    f"n_neighbors={k} must be at most the number of fitted rows "
                    f"({n_fit})."
                )
                raise ValueError(msg)
            return int(k)
        return _graph.check_n_neighbors(k, n_fit)

    def _exact_cost(self) -> float:
        cost = 0.0
        for t in range(self.leaves_.shape[1]):
            column = self.leaves_[:, t]
            occupancy = np.bincount(column[column != self.sentinel_])
            cost += float(np.dot(occupancy, occupancy.astype(np.float64)))
        return cost

    def _search(self, query, k: int):
        """``(indices, misses)`` of the query codes (None: the fitted rows)."""
        from astrokit.distances import _leaf_neighbours

        codes, sentinel = self.leaves_, self.sentinel_
        if query is not None:
            with _numba_threads(self.n_jobs):
                return _leaf_neighbours.exact_knn(query, codes, sentinel, k)
        cached = getattr(self, "_graph_cache", None)
        if cached is not None and cached[0] == k:
            return cached[1], cached[2]
        method = self.algorithm
        if method == "auto":
            method = "exact" if self._exact_cost() <= EXACT_BUDGET else "approximate"
        with _numba_threads(self.n_jobs):
            if method == "exact":
                ind, misses = _leaf_neighbours.exact_knn(
                    codes, codes, sentinel, k, self_ids=np.arange(len(codes))
                )
            else:
                steps = _leaf_neighbours.N_ORDERS + _leaf_neighbours.N_REFINE
                with _bar(self.progress, steps, "URF: neighbour search") as bar:
                    ind, misses = _leaf_neighbours.approximate_knn(
                        codes, sentinel, k,
                        rng=np.random.default_rng(self._knn_seed),
                        progress=lambda _: bar.update(1),
                    )  # fmt: skip
        self._graph_cache = (k, ind, misses)
        return ind, misses

    def kneighbors(self, X=None, n_neighbors: int | None = None, return_distance=True):
        """The ``n_neighbors`` nearest fitted rows of each row, in forest distance.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), optional
            Query rows. None (default): the fitted rows, each without itself.
            New rows are searched exactly among the fitted ones.
        n_neighbors : int, optional
            Default: the ``n_neighbors`` parameter.
        return_distance : bool, default True

        Returns
        -------
        distances : ndarray of float32, shape (n_queries, n_neighbors)
            ``1 - (shared counted leaves) / n_estimators``, non-decreasing.
            Only when ``return_distance``.
        indices : ndarray of int32, shape (n_queries, n_neighbors)
            Positions in the fitted rows. Ties (frequent: distances take
            ``n_estimators + 1`` values) are broken by a fixed hash of the
            pair, the same on every run.

        Raises
        ------
        ValueError
            If ``n_neighbors`` is not smaller than the number of fitted rows.
        """
        query = self._query_codes(X)
        k = self._k(n_neighbors, new_rows=query is not None)
        ind, misses = self._search(query, k)
        if not return_distance:
            return ind
        dist = misses.astype(np.float32) / np.float32(self.leaves_.shape[1])
        return dist, ind

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
            Query rows; None: the fitted rows (a square, symmetric matrix).
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
        need = 4.0 * n_q * n_ref
        if need > max_bytes:
            msg = (
                f"dense_distances for {n_q:,} x {n_ref:,} rows needs "
                f"{n_q:,} x {n_ref:,} x 4 bytes = {_human(need)}, above "
                f"max_bytes={max_bytes:,} ({_human(max_bytes)}). Use "
                "kneighbors_graph() (a sparse k-nearest-neighbour graph) or "
                "weirdness() instead; raise max_bytes only if you have the memory."
            )
            raise MemoryError(msg)
        from astrokit.distances import _leaf_neighbours

        query = self._query_codes(X)
        query = self.leaves_ if query is None else query
        with _numba_threads(self.n_jobs):
            shared = _leaf_neighbours.dense(query, self.leaves_, self.sentinel_)
        n_trees = self.leaves_.shape[1]
        dist = (n_trees - shared).astype(np.float32) / np.float32(n_trees)
        if X is None:
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
            None: the fitted rows, each averaged over all *other* fitted rows
            (the original definition). Given: the mean distance of each new row
            to all fitted rows.

        Returns
        -------
        ndarray of float64, shape (n_queries,)
            Between 0 and 1; higher is weirder.
        """
        from astrokit.distances import _leaf_neighbours

        query = self._query_codes(X)
        exclude = query is None
        query = self.leaves_ if query is None else query
        mean = _leaf_neighbours.mean_similarity(
            query, self.leaves_, self.sentinel_, exclude_self=exclude
        )
        return 1.0 - mean
