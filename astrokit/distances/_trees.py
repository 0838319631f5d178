"""The forest's trees: grown on real versus synthetic rows, read as leaf codes.

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
    sorted windows and neighbour-of-neighbour refinement; new rows likewise,
    the approximate way by a best-first search over the fitted rows' graph
    (``astrokit.distances._leaf_query``: on compact, well-separated groups
    the trees stop at pure leaves of thousands of rows and the exact count
    grows as N^2). The weirdness
    score is exact at any N without pairs: a row's summed similarity to all
    others is the summed occupancy of its leaves.

The estimator (:class:`astrokit.distances.UnsupervisedRandomForest`) keeps
the scikit-learn contract; the work is here: :func:`grow_forest` (trees and
their accuracy on rows they did not see), :func:`leaf_lookup` (node id to
leaf code, the ``sentinel`` for leaves that do not count),
:func:`apply_forest` (rows to codes, in chunks), :func:`fitted_knn` (the
fitted rows' neighbours from their codes) and :func:`fingerprint` (the
training rows passed again are recognised as the fitted rows).
"""

from __future__ import annotations

import contextlib
from numbers import Integral, Real

import numpy as np

__all__ = [
    "CHUNK",
    "EXACT_BUDGET",
    "apply_forest",
    "check_dense_memory",
    "check_k",
    "exact_cost",
    "fingerprint",
    "fitted_knn",
    "grow_forest",
    "grow_tree",
    "human",
    "is_training",
    "leaf_lookup",
    "numba_threads",
    "progress_bar",
    "query_knn",
    "sample_size",
]

CHUNK = 65_536
"""Rows passed through the trees at a time."""

EXACT_BUDGET = 3_000_000_000
"""``algorithm="auto"`` searches exactly while the shared-leaf pairs to count,
sum over trees and leaves of occupancy squared, stay below this (a few
seconds on 2 cores); above it, approximately."""


def human(n_bytes: float) -> str:
    """A byte count for a message: ``"1.1 GB"``.

    Examples
    --------
    >>> human(512), human(1.5e9)
    ('512 bytes', '1.5 GB')
    """
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1000 or unit == "PB":
            return (
                f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
            )
        n_bytes /= 1000
    return ""  # pragma: no cover


@contextlib.contextmanager
def numba_threads(n_jobs):
    """Run the numba kernels inside on ``n_jobs`` threads (scikit-learn's rule)."""
    import numba
    from joblib import effective_n_jobs

    wanted = max(1, min(effective_n_jobs(n_jobs), numba.config.NUMBA_NUM_THREADS))
    old = numba.get_num_threads()
    numba.set_num_threads(wanted)
    try:
        yield
    finally:
        numba.set_num_threads(old)


def progress_bar(progress: bool, total: int, desc: str):
    """A tqdm bar on stderr, shown only for steps that last over a second."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not progress, delay=1.0, leave=False)


def sample_size(max_samples, n_rows: int) -> int:
    """Real rows per tree for ``max_samples`` (rows, a fraction, or None: all).

    Not :func:`astrokit._shared.checks.check_max_rows`: this is
    scikit-learn's ``max_samples``, which also takes a fraction.

    Examples
    --------
    >>> sample_size(0.25, 1000), sample_size(None, 1000), sample_size(50, 1000)
    (250, 1000, 50)
    """
    m = max_samples
    ok = m is None or (
        not isinstance(m, bool)
        and (
            (isinstance(m, Integral) and m >= 2) or (isinstance(m, Real) and 0 < m <= 1)
        )
    )
    if not ok:
        msg = (
            f"max_samples={m!r} must be an integer of at least 2 (rows), a "
            "fraction in (0, 1], or None (all rows)."
        )
        raise ValueError(msg)
    if m is None:
        return n_rows
    return max(int(m) if isinstance(m, Integral) else int(m * n_rows), 1)


def fingerprint(X: np.ndarray) -> tuple:
    """``(shape, sha256 of the values)``: how the forest knows its training rows.

    The rows are hashed as float64 in C order, chunk by chunk (``-0.0`` as
    ``0.0``), so a copy of ``X``, or the same values in another memory order
    or dtype (float32 widened to float64 is exact), give the same fingerprint,
    and any changed value gives another. About 0.1-0.2 s for 10^6 x 12.

    Examples
    --------
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> fingerprint(X) == fingerprint(np.asfortranarray(X, dtype=np.float32))
    True
    >>> Y = X.copy(); Y[2, 1] += 1e-12
    >>> fingerprint(X) == fingerprint(Y)
    False
    """
    import hashlib

    digest = hashlib.sha256()
    for start in range(0, len(X), CHUNK):
        rows = np.ascontiguousarray(X[start : start + CHUNK], dtype=np.float64)
        digest.update(rows + 0.0)  # -0.0 + 0.0 is 0.0: equal values, equal bytes
    return tuple(X.shape), digest.hexdigest()


def is_training(X: np.ndarray, known) -> bool:
    """Whether ``X`` has the training data's :func:`fingerprint` ``known``.

    The shape is compared first, so rows of another count cost nothing.
    """
    return bool(known) and tuple(X.shape) == known[0] and fingerprint(X) == known


def check_dense_memory(n_queries: int, n_ref: int, max_bytes: int) -> None:
    """MemoryError, stating the memory needed, above ``max_bytes``."""
    need = 4.0 * n_queries * n_ref
    if need > max_bytes:
        msg = (
            f"dense_distances for {n_queries:,} x {n_ref:,} rows needs "
            f"{n_queries:,} x {n_ref:,} x 4 bytes = {human(need)}, above "
            f"max_bytes={max_bytes:,} ({human(max_bytes)}). Use "
            "kneighbors_graph() (a sparse k-nearest-neighbour graph) or "
            "weirdness() instead; raise max_bytes only if you have the memory."
        )
        raise MemoryError(msg)


def grow_tree(X: np.ndarray, m: int, seed: int, options: dict):
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


def grow_forest(X, m: int, seeds, options: dict, *, n_jobs, progress: bool):
    """``(trees, separability, importances)``: a :func:`grow_tree` per seed.

    The trees grow in threads; separability is their mean held-out accuracy
    (NaN when no tree had rows left over), importances the mean decrease in
    impurity, normalised to sum to 1.
    """
    from joblib import Parallel, delayed

    jobs = Parallel(n_jobs=n_jobs, prefer="threads", return_as="generator")
    trees, accuracy = [], []
    with progress_bar(progress, len(seeds), "URF: growing trees") as bar:
        for tree, acc in jobs(delayed(grow_tree)(X, m, s, options) for s in seeds):
            trees.append(tree)
            accuracy.append(acc)
            bar.update(1)
    finite = [a for a in accuracy if np.isfinite(a)]
    separability = float(np.mean(finite)) if finite else float("nan")
    importances = np.mean([t.feature_importances_ for t in trees], axis=0)
    total = importances.sum()
    return trees, separability, importances / total if total > 0 else importances


def leaf_lookup(estimators, leaves: str) -> tuple[np.ndarray, int]:
    """Per tree, node id -> leaf code; ``(lut, sentinel)``.

    ``leaves="real"`` counts only leaves with more real than synthetic
    training rows; ``"all"`` counts every leaf. Codes are uint16 when every
    tree has fewer counted leaves than 65,535, else uint32; the sentinel is
    the dtype's largest value.
    """
    trees = [e.tree_ for e in estimators]
    counted = []
    for estimator, tree in zip(estimators, trees, strict=True):
        leaf = tree.children_left == -1
        if leaves == "real":
            real = np.flatnonzero(estimator.classes_ == 1)
            value = tree.value[:, 0, :]
            if real.size == 0 or value.shape[1] < 2:  # one class only
                leaf &= estimator.classes_[0] == 1
            else:
                leaf &= value[:, real[0]] > value[:, 1 - real[0]]
        counted.append(leaf)
    most = max(int(c.sum()) for c in counted)
    dtype = np.uint16 if most < np.iinfo(np.uint16).max else np.uint32
    sentinel = int(np.iinfo(dtype).max)
    width = max(t.node_count for t in trees)
    lut = np.full((len(trees), width), sentinel, dtype=dtype)
    for t, leaf in enumerate(counted):
        lut[t, np.flatnonzero(leaf)] = np.arange(leaf.sum(), dtype=dtype)
    return lut, sentinel


def apply_forest(estimators, lut: np.ndarray, X: np.ndarray, *, n_jobs, progress):
    """Leaf codes (N, n_trees) of the rows of ``X``, in chunks, trees in threads."""
    from joblib import Parallel, delayed

    n, n_trees = len(X), len(lut)
    codes = np.empty((n, n_trees), dtype=lut.dtype)
    jobs = Parallel(n_jobs=n_jobs, prefer="threads")
    with progress_bar(progress, n, "URF: placing rows in leaves") as bar:
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            chunk = X[start:stop]
            nodes = jobs(delayed(e.apply)(chunk) for e in estimators)
            for t, node in enumerate(nodes):
                codes[start:stop, t] = lut[t, node]
            bar.update(stop - start)
    return codes


def check_k(k, n_fit: int, *, new_rows: bool) -> int:
    """``n_neighbors`` checked: below ``n_fit`` for fitted rows, at most it for new."""
    from astrokit._shared.checks import check_int, check_n_neighbors

    if not new_rows:
        return check_n_neighbors(k, n_fit)
    check_int(k, "n_neighbors", what="other rows")  # every fitted row may be one
    if k > n_fit:
        msg = f"n_neighbors={k} must be at most the number of fitted rows ({n_fit})."
        raise ValueError(msg)
    return int(k)


def exact_cost(codes: np.ndarray, sentinel: int, query=None) -> float:
    """Shared-leaf pairs an exact search counts: sum of occupancy squared.

    With ``query``: the summed occupancy of the query rows' leaves among
    ``codes`` (:func:`astrokit.distances._leaf_query.query_cost`).
    """
    from astrokit.distances._leaf_query import query_cost

    return query_cost(codes if query is None else query, codes, sentinel)


def fitted_knn(codes, sentinel, k, *, algorithm, seed, n_jobs, progress):
    """``(indices, misses)`` (N, k) of the fitted rows, each row left out.

    ``algorithm="auto"`` is exact while :func:`exact_cost` stays within
    :data:`EXACT_BUDGET`, else approximate (seeded by ``seed``).
    """
    from astrokit.distances import _leaf_neighbours as leaf

    if algorithm == "auto":
        cheap = exact_cost(codes, sentinel) <= EXACT_BUDGET
        algorithm = "exact" if cheap else "approximate"
    with numba_threads(n_jobs):
        if algorithm == "exact":
            with progress_bar(progress, len(codes), "URF: neighbour search") as bar:
                return leaf.exact_knn(
                    codes, codes, sentinel, k, self_ids=np.arange(len(codes)),
                    progress=bar.update,
                )  # fmt: skip
        steps = leaf.N_ORDERS + leaf.N_REFINE
        with progress_bar(progress, steps, "URF: neighbour search") as bar:
            return leaf.approximate_knn(
                codes, sentinel, k, rng=np.random.default_rng(seed),
                progress=lambda _: bar.update(1),
            )  # fmt: skip


def query_knn(
    query, ties, codes, sentinel, k, *, algorithm, graph, seed, n_jobs, progress
):
    """``(indices, misses)`` (n_queries, k) of new rows among the fitted ones.

    ``algorithm="auto"`` is exact while the shared-leaf pairs to count stay
    within :data:`EXACT_BUDGET`, else approximate
    (:func:`astrokit.distances._leaf_query.approximate_query`), which needs
    the fitted rows' own graph: ``graph()`` returns its indices. ``ties``:
    per query row, the id its ties are hashed with (``_leaf_query.tie_ids``).
    """
    from astrokit.distances import _leaf_neighbours as leaf
    from astrokit.distances import _leaf_query

    if algorithm == "auto":
        cheap = exact_cost(codes, sentinel, query) <= EXACT_BUDGET
        algorithm = "exact" if cheap else "approximate"
    if len(codes) <= k:  # every fitted row is a neighbour
        algorithm = "exact"
    fitted = graph() if algorithm == "approximate" else None
    with numba_threads(n_jobs):
        with progress_bar(progress, len(query), "URF: neighbours of new rows") as bar:
            if algorithm == "exact":
                return leaf.exact_knn(
                    query, codes, sentinel, k, ties=ties, progress=bar.update
                )
            ind, misses = _leaf_query.approximate_query(
                query, codes, sentinel, k, fitted, ties=ties,
                rng=np.random.default_rng(seed), progress=bar.update,
            )  # fmt: skip
        short = np.flatnonzero((ind < 0).any(axis=1))  # too few rows reached
        if short.size:
            ind[short], misses[short] = leaf.exact_knn(
                query[short], codes, sentinel, k, ties=ties[short]
            )
    return ind, misses
