"""The clustering methods behind :func:`astrokit.cluster.cluster`.

Each takes a finite float matrix and returns raw integer labels (-1 noise).
:func:`as_matrix` turns user input into that matrix, with clear errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.matrix import feature_matrix

__all__ = ["METHODS", "as_matrix", "run_method"]

METHODS = ("gmm", "kmeans", "agglomerative", "dbscan", "hdbscan")


def as_matrix(data, *, min_rows: int = 2) -> tuple[np.ndarray, pd.Index, list]:
    """``(X, index, names)`` from a DataFrame or a 2-D array, checked.

    See :func:`astrokit._shared.matrix.feature_matrix` for the errors.
    """
    X, names, index = feature_matrix(data, min_rows=min_rows, purpose="clustering")
    return X, index, names


def _kmeans(X, n, random_state, options):
    from sklearn.cluster import KMeans

    opts = {"n_init": 10} | options
    return KMeans(n_clusters=n, random_state=random_state, **opts).fit_predict(X)


def _gmm(X, n, random_state, options):
    from sklearn.mixture import GaussianMixture

    opts = {"n_init": 3} | options
    gmm = GaussianMixture(n_components=n, random_state=random_state, **opts)
    return gmm.fit(X).predict(X)


AGGLOMERATIVE_MAX_ROWS = 5_000
"""Ward linkage holds all pairwise distances: peak memory of a 24,598-row
table was 3.2 GB fitting 20,000 rows, 956 MB at 10,000, 383 MB at 5,000."""


def _agglomerative(X, n, random_state, options):
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.neighbors import KNeighborsClassifier

    opts = dict(options)
    max_rows = opts.pop("max_rows", AGGLOMERATIVE_MAX_ROWS)
    fit = np.arange(len(X))
    if max_rows is not None and len(X) > max_rows:
        rng = np.random.default_rng(random_state)
        fit = np.sort(rng.choice(len(X), int(max_rows), replace=False))
    labels = AgglomerativeClustering(n_clusters=n, **opts).fit_predict(X[fit])
    if len(fit) == len(X):
        return labels
    return KNeighborsClassifier(n_neighbors=1).fit(X[fit], labels).predict(X)


def _dbscan(X, n, random_state, options):
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import NearestNeighbors

    opts = dict(options)
    min_samples = int(min(opts.pop("min_samples", max(10, 2 * X.shape[1])), len(X)))
    if "eps" not in opts:
        rng = np.random.default_rng(0)
        query = X[rng.choice(len(X), min(len(X), 10_000), replace=False)]
        dist, _ = NearestNeighbors(n_neighbors=min_samples).fit(X).kneighbors(query)
        eps = float(np.percentile(dist[:, -1], 95))
        opts["eps"] = eps if eps > 0 else 1e-9
    return DBSCAN(min_samples=min_samples, **opts).fit_predict(X)


def _hdbscan(X, n, random_state, options):
    from sklearn.cluster import HDBSCAN

    opts = dict(options)
    size = opts.pop("min_cluster_size", max(10, len(X) // 100))
    size = int(max(2, min(size, len(X))))
    samples = int(max(1, min(opts.pop("min_samples", 10), len(X) - 1)))
    opts.setdefault("copy", True)
    return HDBSCAN(min_cluster_size=size, min_samples=samples, **opts).fit_predict(X)


_RUN = {
    "gmm": _gmm,
    "kmeans": _kmeans,
    "agglomerative": _agglomerative,
    "dbscan": _dbscan,
    "hdbscan": _hdbscan,
}


def run_method(method: str, X: np.ndarray, n: int | None, random_state, options: dict):
    """Raw labels of ``method`` on ``X`` (``n`` clusters where it applies)."""
    return np.asarray(_RUN[method](X, n, random_state, dict(options)), dtype=np.int64)
