"""How faithful an embedding is: trustworthiness, neighbour preservation, ARI.

All three are in [0, 1] (ARI can dip slightly below 0 for worse-than-chance
agreement) and higher is better:

- *trustworthiness* (``sklearn.manifold.trustworthiness``): are the points
  that are close in the embedding also close in the data? It penalises
  embedding neighbours by how far down the data-space ranking they sit.
  It needs the full pairwise distances, so it is computed on a fixed random
  subsample of at most ``TRUST_ROWS`` rows.
- *kNN preservation*: the fraction of each row's ``n_neighbors`` nearest
  other rows in the data (or in the given kNN graph) that are also among its
  ``n_neighbors`` nearest other rows in the embedding, averaged over at
  most ``KNN_ROWS`` query rows (neighbours are searched among all rows).
- *ARI*: adjusted Rand index between the truth labels and the islands of
  the embedding, found by HDBSCAN (``sklearn.cluster.HDBSCAN`` with
  ``min_cluster_size = max(10, n / 100)``; its noise points count as one more
  group), on at most ``ARI_ROWS`` rows. HDBSCAN needs no number of clusters
  and follows islands of any shape; k-means with the true number of labels
  was tried first and rated compact, separated islands no better than a fog
  (it cuts a large island into pieces of equal size).

The subsamples are drawn with a fixed seed, so every panel of a scan is
scored on the same rows. :func:`quality` is the public call; the scan
computes :func:`reference` once and :func:`scores` per panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int, refuse_unknown, renamed
from astrokit.embedding import _input

__all__ = [
    "Reference",
    "quality",
    "reference",
    "scores",
    "TRUST_ROWS",
    "KNN_ROWS",
    "ARI_ROWS",
]

TRUST_ROWS = 2_000
KNN_ROWS = 5_000
ARI_ROWS = 20_000
_SEED = 0


@dataclass
class Reference:
    """What the scores compare each embedding with (computed once per scan)."""

    features: np.ndarray | None
    metric: str | None
    n_neighbors: int
    trust_rows: np.ndarray
    knn_rows: np.ndarray
    neighbors: np.ndarray | None


def _sample(n: int, size: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(_SEED).choice(n, size, replace=False))


def _drop_self(indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Remove each query row from its own neighbour list (or the farthest one)."""
    k = indices.shape[1] - 1
    is_self = indices == rows[:, None]
    where = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k)
    keep = np.arange(k + 1)[None, :] != where[:, None]
    return indices[keep].reshape(len(rows), k)


def reference(
    prepared, *, metric: str = "euclidean", n_neighbors: int = 15
) -> Reference:
    """Data-space neighbours of the query rows and the trustworthiness rows.

    ``n_neighbors`` (other rows) is capped at half the rows.
    """
    from sklearn.neighbors import NearestNeighbors

    from astrokit.embedding._umap import EXACT_METRICS

    n = prepared.n_rows
    k = int(min(check_int(n_neighbors, "n_neighbors", what="other rows"), (n - 1) // 2))
    trust_rows = _sample(n, TRUST_ROWS)
    knn_rows = _sample(n, KNN_ROWS)
    if prepared.is_graph:
        neighbors = prepared.indices[knn_rows, 1 : k + 1]
        if neighbors.shape[1] < k:
            k = neighbors.shape[1]
        return Reference(None, None, k, trust_rows, knn_rows, neighbors)
    if metric not in EXACT_METRICS:
        return Reference(None, None, k, trust_rows, knn_rows, None)
    metric = EXACT_METRICS[metric]
    index = NearestNeighbors(n_neighbors=k + 1, metric=metric).fit(prepared.features)
    found = index.kneighbors(prepared.features[knn_rows], return_distance=False)
    neighbors = _drop_self(found, knn_rows)
    return Reference(prepared.features, metric, k, trust_rows, knn_rows, neighbors)


def knn_preservation(ref: Reference, embedding: np.ndarray) -> float:
    """Mean fraction of data-space neighbours kept among embedding neighbours."""
    from sklearn.neighbors import NearestNeighbors

    if ref.neighbors is None:
        return float("nan")
    k = ref.n_neighbors
    index = NearestNeighbors(n_neighbors=k + 1).fit(embedding)
    found = index.kneighbors(embedding[ref.knn_rows], return_distance=False)
    low = _drop_self(found, ref.knn_rows)
    shared = (ref.neighbors[:, :, None] == low[:, None, :]).any(axis=2).sum(axis=1)
    return float(np.mean(shared / k))


def trust(ref: Reference, embedding: np.ndarray) -> float:
    """Trustworthiness on the fixed subsample (NaN for graph input)."""
    from sklearn.manifold import trustworthiness

    if ref.features is None:
        return float("nan")
    rows = ref.trust_rows
    k = int(min(ref.n_neighbors, len(rows) // 2 - 1))
    if k < 1:
        return float("nan")
    value = trustworthiness(
        ref.features[rows], embedding[rows], n_neighbors=k, metric=ref.metric
    )
    return float(value)


def agreement(embedding: np.ndarray, truth) -> float:
    """ARI between the truth and HDBSCAN's islands of the embedding."""
    import pandas as pd
    from sklearn.cluster import HDBSCAN
    from sklearn.metrics import adjusted_rand_score

    labels = pd.Series(np.asarray(truth, dtype=object)).astype("string")
    known = np.flatnonzero(labels.notna().to_numpy())
    known = known[_sample(len(known), ARI_ROWS)]
    if labels.iloc[known].nunique() < 2:
        return float("nan")
    size = max(10, len(known) // 100)
    if len(known) <= size:
        return float("nan")
    islands = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(embedding[known])
    return float(adjusted_rand_score(labels.iloc[known].to_numpy(), islands))


def scores(ref: Reference, embedding: np.ndarray, truth=None) -> dict[str, float]:
    """All scores of one embedding as a dict."""
    embedding = np.asarray(embedding, dtype=np.float64)
    out = {
        "trustworthiness": trust(ref, embedding),
        "knn_preservation": knn_preservation(ref, embedding),
    }
    if truth is not None:
        out["ari"] = agreement(embedding, truth)
    return out


def quality(
    data,
    embedding,
    *,
    truth=None,
    metric: str = "euclidean",
    n_neighbors: int = 15,
    **old_names,
) -> pd.Series:
    """How faithful an embedding is to its data: trustworthiness, kNN, ARI.

    Parameters
    ----------
    data : DataFrame, array of shape (N, d), or kNN graph
        What was embedded, as given to :func:`astrokit.embedding.embed`. A
        graph gives no trustworthiness (NaN): it needs the features.
    embedding : DataFrame with ``umap_x``, ``umap_y``, or array of shape (N, 2)
        The coordinates, one row per row of ``data``, in the same order.
    truth : str, array-like or Series, optional
        Labels to compare the embedding's islands with: a column of ``data``
        or one value per row (a Series is aligned on the index). Adds ``ari``.
    metric : str, default "euclidean"
        Distance between the rows of ``data`` (a scikit-learn metric name
        that UMAP shares; other names give NaN scores).
    n_neighbors : int, default 15
        Neighbours of the scores, a row never its own
        (:mod:`astrokit._shared.checks`); capped at half the rows. Formerly
        ``k``, still accepted for one release with a FutureWarning.

    Returns
    -------
    pandas.Series
        ``trustworthiness`` and ``knn_preservation`` (and ``ari`` with
        ``truth``), each in [0, 1], higher is better; the module notes give
        the definitions and subsample sizes.

    Raises
    ------
    ValueError
        ``embedding`` of the wrong shape; ``truth`` of the wrong length; the
        errors of :func:`astrokit.embedding.embed` for bad ``data``.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> X = rng.normal(size=(100, 2))
    >>> q = quality(X, X)  # the data embedded as itself: perfect scores
    >>> q.round(3).to_dict()
    {'trustworthiness': 1.0, 'knn_preservation': 1.0}
    """
    n_neighbors = renamed(old_names, "k", "n_neighbors", n_neighbors, default=15)
    refuse_unknown(old_names, "quality")
    prepared = _input.as_input(data)
    coords = _input.coords(embedding)
    if coords.shape != (prepared.n_rows, 2):
        msg = (
            f"embedding has shape {coords.shape}; expected ({prepared.n_rows}, 2): "
            "one (umap_x, umap_y) pair per row of data."
        )
        raise ValueError(msg)
    ref = reference(prepared, metric=metric, n_neighbors=n_neighbors)
    truth_values = _input.truth_values(truth, data, prepared)
    return pd.Series(scores(ref, coords, truth_values))
