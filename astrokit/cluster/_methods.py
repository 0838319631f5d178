"""The clustering methods behind :class:`astrokit.cluster.Clusterer`.

:func:`fit_method` fits one of :data:`METHODS` on a finite float matrix and
returns the fitted scikit-learn estimator with its raw labels (-1 noise);
:func:`fit_on_sample` fits on at most ``max_rows`` random rows and gives a
predictor that labels any row (the estimator itself for gmm and kmeans, else
the nearest fitted row's label). :func:`as_matrix` turns user input into the
matrix, with clear errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_max_rows
from astrokit._shared.matrix import feature_matrix

__all__ = [
    "METHODS",
    "NEEDS_N",
    "AGGLOMERATIVE_MAX_ROWS",
    "as_matrix",
    "check_method",
    "resolve_max_rows",
    "sample_rows",
    "fit_method",
    "fit_on_sample",
    "smallest_group",
    "embedding_scale",
]

METHODS: dict[str, str] = {
    "gmm": "Gaussian mixture (full covariances, best of 3 starts): elliptical "
    "clusters; n_clusters by BIC when not given",
    "kmeans": "k-means (10 starts): round clusters of similar size; n_clusters "
    "by silhouette when not given",
    "agglomerative": "Ward linkage, fitted on at most 5,000 rows (the others "
    "take their nearest fitted row's label); n_clusters by silhouette",
    "dbscan": "density: rows with min_samples neighbours within eps form "
    "clusters, the rest is noise (-1); finds the number itself",
    "hdbscan": "hierarchical density (sklearn.cluster.HDBSCAN, fast_hdbscan on "
    "large tables): clusters of at least min_cluster_size rows at any density; "
    "sparse rows are noise (-1)",
}
"""The methods :func:`astrokit.cluster.cluster` knows, with what each finds."""

NEEDS_N = ("gmm", "kmeans", "agglomerative")
"""Methods that take ``n_clusters`` (the others find the number themselves)."""

AGGLOMERATIVE_MAX_ROWS = 5_000
"""Ward linkage holds all pairwise distances: peak memory of a 24,598-row
table was 3.2 GB fitting 20,000 rows, 956 MB at 10,000, 383 MB at 5,000."""


def as_matrix(data, *, min_rows: int = 2) -> tuple[np.ndarray, pd.Index, list]:
    """``(X, index, names)`` from a DataFrame or a 2-D array, checked.

    See :func:`astrokit._shared.matrix.feature_matrix` for the errors.
    """
    X, names, index = feature_matrix(data, min_rows=min_rows, purpose="clustering")
    return X, index, names


def check_method(method) -> str:
    """``method`` if it is a key of :data:`METHODS`, else a ValueError."""
    if method not in METHODS:
        msg = (
            f"method={method!r} is not a clustering method; use one of {list(METHODS)}."
        )
        raise ValueError(msg)
    return method


def resolve_max_rows(max_rows, method: str) -> int | None:
    """``max_rows`` with ``"auto"`` resolved: 5,000 for agglomerative, else all."""
    if isinstance(max_rows, str) and max_rows == "auto":
        return AGGLOMERATIVE_MAX_ROWS if method == "agglomerative" else None
    return check_max_rows(max_rows)


def sample_rows(n: int, max_rows: int | None, random_state) -> np.ndarray:
    """Sorted positions of at most ``max_rows`` of ``n`` rows, drawn at random."""
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n, int(max_rows), replace=False))


def smallest_group(n_rows: int, n_neighbors: int | None = None) -> int:
    """The smallest group: 1% of the rows, at least 10 (HDBSCAN's default).

    :func:`astrokit.discover` also gives ``n_neighbors``, that of its UMAP
    embedding, and asks for twice that: with ``min_dist=0`` UMAP packs rows
    into knots of about ``n_neighbors`` rows (at a floor of 10, a 240-row
    Gaussian embedded with 10 neighbours fell into 7 groups; into 2 from 16
    rows up).
    """
    return max(10, n_rows // 100, 2 * (n_neighbors or 0))


def embedding_scale(data, method: str, options: dict) -> dict:
    """``options`` with HDBSCAN's ``min_cluster_size`` at a UMAP embedding's scale.

    :func:`astrokit.embedding.embed` records its ``n_neighbors`` in the
    embedding's ``attrs``; HDBSCAN on it then asks for groups of at least
    ``smallest_group(N, n_neighbors)`` rows, as :func:`astrokit.discover`
    does, unless ``min_cluster_size`` is given.
    """
    knots = getattr(data, "attrs", {}).get("n_neighbors")
    if method != "hdbscan" or "min_cluster_size" in options or not knots:
        return dict(options)
    return dict(options, min_cluster_size=smallest_group(len(data), int(knots)))


def _kmeans(X, n, random_state, options):
    from sklearn.cluster import KMeans

    opts = {"n_init": 10} | options
    model = KMeans(n_clusters=n, random_state=random_state, **opts).fit(X)
    return model, model.labels_


def _gmm(X, n, random_state, options):
    from sklearn.mixture import GaussianMixture

    opts = {"n_init": 3} | options
    model = GaussianMixture(n_components=n, random_state=random_state, **opts)
    return model, model.fit(X).predict(X)


def _agglomerative(X, n, random_state, options):
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(n_clusters=n, **options).fit(X)
    return model, model.labels_


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
    model = DBSCAN(min_samples=min_samples, **opts).fit(X)
    return model, model.labels_


FAST_HDBSCAN_ROWS = 5_000
"""From this many rows :func:`_hdbscan` uses ``fast_hdbscan``."""
FAST_HDBSCAN_OPTIONS = frozenset(
    {"allow_single_cluster", "cluster_selection_method",
     "cluster_selection_epsilon", "max_cluster_size"}
)  # fmt: skip
"""Options of :func:`_hdbscan` that ``fast_hdbscan`` takes; any other (a
``metric``, an ``algorithm``) sends the fit to ``sklearn.cluster.HDBSCAN``."""


def _hdbscan(X, n, random_state, options):
    """HDBSCAN by ``fast_hdbscan`` (Boruvka's spanning tree on a k-d tree) from
    :data:`FAST_HDBSCAN_ROWS` rows, else by scikit-learn.

    The same algorithm and the same clusters (nine 37,000-46,000-row demo
    embeddings at min_samples=465: ARI 0.999-1.000 between the two; blobs of
    1,000-20,000 rows: 0.996-1.000), four times faster on large tables:
    scikit-learn's spanning tree is Prim's over all pairs of rows (7 s
    against 1.7 s per demo embedding on two cores). ``fast_hdbscan``'s
    ``min_samples`` does not count the row itself, scikit-learn's does.
    Small tables stay with scikit-learn, as fast there, which keeps a table
    of a few rows as one group under ``allow_single_cluster``
    (``fast_hdbscan`` labels it noise).
    """
    opts = dict(options)
    size = opts.pop("min_cluster_size", smallest_group(len(X)))
    size = int(max(2, min(size, len(X))))
    samples = int(max(1, min(opts.pop("min_samples", size), len(X) - 1)))
    if len(X) >= FAST_HDBSCAN_ROWS and set(opts) <= FAST_HDBSCAN_OPTIONS:
        import fast_hdbscan

        model = fast_hdbscan.HDBSCAN(
            min_cluster_size=size, min_samples=max(1, samples - 1),
            reproducible=True, **opts,
        ).fit(np.ascontiguousarray(X, dtype=np.float64))  # fmt: skip
        return model, model.labels_
    from sklearn.cluster import HDBSCAN

    opts.setdefault("copy", True)
    model = HDBSCAN(min_cluster_size=size, min_samples=samples, **opts).fit(X)
    return model, model.labels_


_FIT = {
    "gmm": _gmm,
    "kmeans": _kmeans,
    "agglomerative": _agglomerative,
    "dbscan": _dbscan,
    "hdbscan": _hdbscan,
}


def fit_method(method: str, X: np.ndarray, n: int | None, random_state, options):
    """``(estimator, raw labels of X)`` of ``method`` (``n`` clusters if it applies)."""
    model, labels = _FIT[method](X, n, random_state, dict(options))
    return model, np.asarray(labels, dtype=np.int64)


def fit_on_sample(
    method: str, X: np.ndarray, n: int | None, *, max_rows, random_state, options
):
    """``(estimator, predictor, rows, raw)``: fit on <= ``max_rows`` rows, label all.

    ``rows`` are the fitted positions, ``raw`` the raw labels of every row of
    ``X``. gmm and kmeans predict natively; the other methods have no
    ``predict``, so a new row takes the label of its nearest fitted row.
    """
    rows = sample_rows(len(X), max_rows, random_state)
    model, labels = fit_method(method, X[rows], n, random_state, options)
    if method in ("gmm", "kmeans"):
        predictor = model
    else:
        from sklearn.neighbors import KNeighborsClassifier

        predictor = KNeighborsClassifier(n_neighbors=1).fit(X[rows], labels)
    if len(rows) == len(X):
        return model, predictor, rows, labels
    return model, predictor, rows, np.asarray(predictor.predict(X), dtype=np.int64)
