"""The outlier scores of :mod:`astrokit.outliers`, one function per method.

Each fits on the standardised feature matrix ``Z`` (float64, N x d, no NaN,
no constant column); the scores are higher for weirder rows. Every method but
``glosh`` keeps a model that scores new rows against the fitted ones.

- ``knn``: mean Euclidean distance to the ``n_neighbors`` nearest other rows
  (a row is never its own neighbour): how empty the row's neighbourhood is,
  on the scale of the whole table (global density).
- ``lof``: local outlier factor (Breunig et al. 2000): the row's density
  relative to its neighbours' densities (local contrast), with as many
  neighbours as the group scale ``min_cluster_size`` (see
  :class:`astrokit.outliers.OutlierScorer`).
- ``isolation``: isolation forest (Liu, Ting & Zhou 2008): how few random
  axis-parallel cuts isolate the row (``-score_samples``).
- ``forest``: Baron & Poznanski (2017) weirdness: the mean unsupervised random
  forest distance to all other rows
  (:class:`astrokit.distances.UnsupervisedRandomForest`).
- ``glosh``: GLOSH (Campello et al. 2015), HDBSCAN's outlier score, from the
  condensed cluster tree (see :func:`glosh`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.matrix import feature_matrix

__all__ = [
    "METHODS",
    "prepare",
    "check_methods",
    "fit_neighbours",
    "neighbour_scores",
    "fit_isolation",
    "fit_forest",
    "glosh",
]

METHODS: dict[str, str] = {
    "forest": "Baron & Poznanski (2017) weirdness: mean unsupervised random "
    "forest distance to all other rows (rows that break the learned correlations)",
    "lof": "local outlier factor: the row's density over its neighbours' "
    "densities, neighbours at the group scale (min_cluster_size); finds small "
    "dense groups and rows in a locally thin spot",
    "isolation": "isolation forest: few random cuts isolate the row; "
    "finds rows in the sparse tails of the feature distributions",
    "glosh": "GLOSH (HDBSCAN): how early the row leaves its cluster as the "
    "density threshold rises; groups smaller than min_cluster_size are outliers",
    "knn": "mean Euclidean distance to the n_neighbors nearest rows "
    "(standardised features): how empty the neighbourhood is",
}
"""The methods :func:`astrokit.outliers.score` knows, with what each measures."""

ISOLATION_SAMPLES = 2048
"""Rows per isolation tree (scikit-learn's default is 256). On the demo galaxies
256 rows per tree hold only about two of the planted anomalies each time, and
the trees isolate the extremes of the bulk first; 2048 resolves the tails of
an 11-feature table better (see ``benchmarks/bench_outliers.py``)."""


NEW_ROWS_PAIRS = 5_000_000
"""(row, neighbour) pairs of new rows searched at once (16 bytes each: 80 MB),
so that scoring a million new rows with LOF's hundreds of neighbours stays
within memory."""


def _lrd(dist: np.ndarray, ind: np.ndarray, kdist: np.ndarray) -> np.ndarray:
    """Local reachability density from the distances to the neighbours ``ind``."""
    reach = np.maximum(dist, kdist[ind])  # reachability distance to each one
    return 1.0 / (reach.mean(axis=1) + 1e-10)  # as scikit-learn, for duplicates


def fit_neighbours(Z: np.ndarray, n_neighbors: int, *, lof_neighbors=None, n_jobs=None):
    """``(model, knn, lof)`` of the fitted rows; ``model`` scores new rows.

    A row is never its own neighbour: each row's neighbours are other rows
    (``kneighbors()`` without a query), as in
    ``sklearn.neighbors.LocalOutlierFactor``, whose ``negative_outlier_factor_``
    with ``n_neighbors=lof_neighbors`` is ``-lof`` here. ``knn`` is the mean
    distance to the ``n_neighbors`` nearest rows; ``lof`` compares each row
    with its ``lof_neighbors`` nearest (default ``n_neighbors``). One search
    serves both.
    """
    from sklearn.neighbors import NearestNeighbors

    from astrokit.embedding._place import LazyIndex

    lof_k = n_neighbors if lof_neighbors is None else lof_neighbors
    nn = NearestNeighbors(n_neighbors=max(n_neighbors, lof_k), n_jobs=n_jobs).fit(Z)
    dist, ind = nn.kneighbors()
    knn = dist[:, :n_neighbors].mean(axis=1)
    dist, ind = dist[:, :lof_k], ind[:, :lof_k]
    kdist = dist[:, -1]
    lrd = _lrd(dist, ind, kdist)
    index = LazyIndex(Z.astype(np.float32), n_jobs, exact=nn)  # if new rows come
    return (index, kdist, lrd, n_neighbors, lof_k), knn, lrd[ind].mean(axis=1) / lrd


def neighbour_scores(model, Z: np.ndarray):
    """``(knn, lof)`` of new rows against the fitted rows of ``model``.

    A new row's neighbours are its nearest fitted rows (as
    ``LocalOutlierFactor(novelty=True).score_samples``, up to the sign),
    exact up to ``EXACT_SAMPLE_ROWS`` fitted rows, else from pynndescent's
    index (:func:`astrokit.embedding._place.neighbour_index`: at 200,000
    fitted rows x 12 features and 250 neighbours, 3,800 rows per second
    against 310 for the exact search, recall 0.999).
    """
    index, kdist, lrd, n_neighbors, lof_k = model
    knn, lof = np.empty(len(Z)), np.empty(len(Z))
    step = max(1, NEW_ROWS_PAIRS // max(n_neighbors, lof_k))  # bounded memory
    for start in range(0, len(Z), step):
        part = slice(start, start + step)
        ind, dist = index.query(Z[part].astype(np.float32), k=max(n_neighbors, lof_k))
        dist = dist.astype(np.float64)
        knn[part] = dist[:, :n_neighbors].mean(axis=1)
        dist, ind = dist[:, :lof_k], ind[:, :lof_k]
        lof[part] = lrd[ind].mean(axis=1) / _lrd(dist, ind, kdist)
    return knn, lof


def fit_isolation(Z: np.ndarray, *, random_state=None, n_jobs=None):
    """Isolation forest of 200 trees of ``ISOLATION_SAMPLES`` rows each.

    Its score of a row is ``-model.score_samples(rows)``.
    """
    from sklearn.ensemble import IsolationForest

    model = IsolationForest(
        n_estimators=200,
        max_samples=min(ISOLATION_SAMPLES, len(Z)),
        random_state=random_state,
        n_jobs=n_jobs,
    )
    return model.fit(Z)


def fit_forest(Z: np.ndarray, *, random_state=None, n_jobs=None, progress=True):
    """Unsupervised random forest (trees trained on <= 20,000 rows each).

    ``model.weirdness()`` scores the fitted rows (each against all *other*
    fitted rows), ``model.weirdness(rows)`` new rows against the fitted ones.
    """
    from astrokit.distances._forest import UnsupervisedRandomForest

    model = UnsupervisedRandomForest(
        random_state=random_state, n_jobs=n_jobs, progress=progress
    )
    return model.fit(Z.astype(np.float32))


def glosh(Z: np.ndarray, *, min_samples: int, min_cluster_size: int) -> np.ndarray:
    """GLOSH outlier scores from HDBSCAN's condensed tree (fitted rows only).

    GLOSH (Campello et al. 2015, eq. 8): a row leaves its cluster C at the
    density level ``lambda_i`` (1 / mutual-reachability distance);
    ``lambda_max(C)`` is the highest level at which any row of C *or of any
    of its sub-clusters, at any depth,* is still in a cluster; the score is
    ``1 - lambda_i / lambda_max(C)``, in [0, 1). Sub-cluster deaths are
    propagated from the deepest clusters upwards, as the paper defines it.
    The ``hdbscan`` package (``outlier_scores`` in ``_hdbscan_tree.pyx``)
    propagates them one pass in parent order instead, root first, so a
    grandchild's death need not reach its grandparent and its scores can be
    lower than these (``tests/test_outliers.py`` works one case by hand).

    scikit-learn's ``HDBSCAN`` (1.3 to 1.9 at least) does not expose the
    scores, so this reads two private pieces of it: the single-linkage tree
    ``_single_linkage_tree_`` and ``sklearn.cluster._hdbscan._tree.
    _condense_tree``. If a future version moves them, this raises an
    ImportError that says so (and a test fails with the same message).
    HDBSCAN keeps no model that places new rows, so GLOSH scores only the
    rows it is fitted on.
    """
    from sklearn.cluster import HDBSCAN

    try:
        from sklearn.cluster._hdbscan._tree import _condense_tree
    except ImportError as err:
        msg = (
            "method 'glosh' needs scikit-learn's private HDBSCAN condensed tree "
            "(sklearn.cluster._hdbscan._tree._condense_tree), which this "
            "scikit-learn version lacks; leave 'glosh' out of methods."
        )
        raise ImportError(msg) from err
    n = len(Z)
    model = HDBSCAN(
        min_cluster_size=min_cluster_size, min_samples=min_samples, copy=True
    )
    tree = _condense_tree(model.fit(Z)._single_linkage_tree_, min_cluster_size)
    parent, child, lam = tree["parent"], tree["child"], tree["value"]
    deaths = np.zeros(parent.max() + 1)
    np.maximum.at(deaths, parent, lam)  # highest level of a row leaving each cluster
    sub = child >= n  # cluster -> sub-cluster edges; children numbered after parents
    for p, c in sorted(zip(parent[sub], child[sub], strict=True), key=lambda e: -e[1]):
        deaths[p] = max(deaths[p], deaths[c])
    rows = ~sub
    top = deaths[parent[rows]]
    ok = (top > 0) & np.isfinite(lam[rows]) & np.isfinite(top)
    out = np.zeros(n)
    out[child[rows]] = np.where(ok, 1.0 - lam[rows] / np.where(ok, top, 1.0), 0.0)
    return out


def prepare(features, columns=None):
    """``(values, names, index)``: the feature columns, checked.

    A DataFrame's feature columns are ``columns``, else those listed in
    ``features.attrs["features"]`` (as :func:`astrokit.features.derive` sets
    it), else all of them.
    """
    if columns is None and isinstance(features, pd.DataFrame):
        columns = features.attrs.get("features") or None
    values, names, index = feature_matrix(
        features,
        name="features",
        columns=columns,
        min_rows=2,
        purpose="outlier scoring (each row against at least n_neighbors others)",
    )
    return values, names, index


def check_methods(methods) -> list[str]:
    names = [methods] if isinstance(methods, str) else list(methods)
    unknown = [m for m in names if m not in METHODS]
    if unknown or not names:
        msg = (
            f"methods={methods!r}: unknown method(s) {unknown}; choose from "
            f"{list(METHODS)}."
        )
        raise ValueError(msg)
    return list(dict.fromkeys(names))
