"""The outlier scores of :mod:`astrokit.outliers`, one function per method.

Each takes the standardised feature matrix ``Z`` (float64, N x d, no NaN, no
constant column) and returns one score per row, higher meaning weirder.

- ``knn``: mean Euclidean distance to the ``k`` nearest rows: how empty the
  row's neighbourhood is, on the scale of the whole table (global density).
- ``lof``: local outlier factor (Breunig et al. 2000) on the same graph: the
  row's density relative to its neighbours' densities (local contrast).
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
    "knn_and_lof",
    "isolation",
    "forest",
    "glosh",
]

METHODS: dict[str, str] = {
    "forest": "Baron & Poznanski (2017) weirdness: mean unsupervised random "
    "forest distance to all other rows (rows that break the learned correlations)",
    "lof": "local outlier factor: the row's density over its neighbours' "
    "densities (n_neighbors); finds rows in a locally thin spot",
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


def knn_and_lof(Z: np.ndarray, k: int, *, n_jobs=None):
    """``(knn, lof)``: mean distance to the k nearest rows, and the LOF."""
    from sklearn.neighbors import NearestNeighbors

    dist, ind = NearestNeighbors(n_neighbors=k, n_jobs=n_jobs).fit(Z).kneighbors()
    kdist = dist[:, -1]
    reach = np.maximum(dist, kdist[ind])  # reachability distance to each neighbour
    lrd = 1.0 / (reach.mean(axis=1) + 1e-10)  # as scikit-learn, for duplicates
    return dist.mean(axis=1), lrd[ind].mean(axis=1) / lrd


def isolation(Z: np.ndarray, *, random_state=None, n_jobs=None) -> np.ndarray:
    """Isolation forest score: 200 trees of ``ISOLATION_SAMPLES`` rows each."""
    from sklearn.ensemble import IsolationForest

    model = IsolationForest(
        n_estimators=200,
        max_samples=min(ISOLATION_SAMPLES, len(Z)),
        random_state=random_state,
        n_jobs=n_jobs,
    )
    return -model.fit(Z).score_samples(Z)


def forest(Z: np.ndarray, *, random_state=None, n_jobs=None, progress=True):
    """Unsupervised random forest weirdness (trees trained on <= 20,000 rows)."""
    from astrokit.distances._forest import UnsupervisedRandomForest

    model = UnsupervisedRandomForest(
        random_state=random_state, n_jobs=n_jobs, progress=progress
    )
    return model.fit(Z.astype(np.float32)).weirdness()


def glosh(Z: np.ndarray, *, min_samples: int, min_cluster_size: int) -> np.ndarray:
    """GLOSH outlier scores from HDBSCAN's condensed tree.

    scikit-learn's ``HDBSCAN`` (1.3 to 1.9 at least) does not expose the
    scores, so they are computed here as in the reference ``hdbscan`` package
    (Campello et al. 2015, eq. 8): a row leaves its cluster C at density
    level ``lambda_i`` (1 / mutual-reachability distance); ``lambda_max(C)``
    is the highest level at which any row of C or of its sub-clusters is
    still inside; the score is ``1 - lambda_i / lambda_max(C)``, in [0, 1).
    It reads two private pieces of scikit-learn (the single-linkage tree
    ``_single_linkage_tree_`` and ``_condense_tree``); if a future version
    moves them, this raises an ImportError that says so.
    """
    from sklearn.cluster import HDBSCAN

    try:
        from sklearn.cluster._hdbscan._tree import _condense_tree
    except ImportError as err:  # pragma: no cover - depends on sklearn's privates
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
    """``(values, Z, names, index)``: the features and their standardised form.

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
    z = (values - values.mean(axis=0)) / values.std(axis=0)
    return values, z, names, index


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
