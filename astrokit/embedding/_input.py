"""What ``astrokit.embedding`` accepts, checked once, with errors that say what to do.

Two kinds of input reach UMAP:

- a feature matrix (``DataFrame`` of numeric columns or a 2-D array), turned
  into a C-contiguous float32 array (UMAP computes in float32 anyway);
- a k-nearest-neighbour graph, e.g. from ``astrokit.distances``: a pair
  ``(indices, distances)`` of ``(N, k)`` arrays, an object with ``indices`` and
  ``distances`` attributes, or a ``scipy.sparse`` ``(N, N)`` matrix of
  distances with the same number of stored neighbours in every row.

Graphs are normalised to UMAP's convention: each row lists the point itself
first (distance 0), then its neighbours by increasing distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from astrokit._shared.matrix import check_rows, feature_matrix, names_list

__all__ = ["EmbedInput", "as_input", "check_n_neighbors", "self_first"]

_MIN_ROWS = 3
_PURPOSE = "an embedding"


@dataclass
class EmbedInput:
    """Checked input: features (N, d) float32 or a kNN graph, plus row labels."""

    index: pd.Index
    features: np.ndarray | None = None
    indices: np.ndarray | None = None
    distances: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(self.index)

    @property
    def is_graph(self) -> bool:
        return self.features is None


def _graph_parts(data) -> tuple[np.ndarray, np.ndarray] | None:
    """``(indices, distances)`` when ``data`` looks like a kNN graph, else None."""
    import scipy.sparse

    if scipy.sparse.issparse(data):
        return _from_sparse(data)
    if isinstance(data, tuple | list) and len(data) == 2:
        return np.asarray(data[0]), np.asarray(data[1])
    if isinstance(data, pd.DataFrame | np.ndarray):
        return None
    for ind, dist in [("indices", "distances"), ("knn_indices", "knn_dists")]:
        if hasattr(data, ind) and hasattr(data, dist):
            return np.asarray(getattr(data, ind)), np.asarray(getattr(data, dist))
    return None


def _from_sparse(matrix) -> tuple[np.ndarray, np.ndarray]:
    csr = matrix.tocsr()
    csr.sort_indices()
    n = csr.shape[0]
    if csr.shape != (n, n):
        msg = f"A sparse kNN graph must be square (N, N); got shape {csr.shape}."
        raise ValueError(msg)
    counts = np.diff(csr.indptr)
    k = int(counts.min()) if n else 0
    if k == 0:
        msg = "The sparse kNN graph has a row without neighbours; every row needs k."
        raise ValueError(msg)
    rows = np.repeat(np.arange(n), counts)
    order = np.lexsort((csr.data, rows))
    rank = np.arange(len(order)) - np.repeat(csr.indptr[:-1], counts)
    keep = order[rank < k]
    return csr.indices[keep].reshape(n, k), csr.data[keep].reshape(n, k)


def self_first(indices: np.ndarray, distances: np.ndarray):
    """Put each row's own index first (distance 0), as UMAP expects.

    Graphs that leave the point out (most rows lack it) get a self column
    prepended; graphs that include it but not always first (ties between
    duplicates) have it moved to the front, dropping the farthest neighbour
    in rows where it was missing.
    """
    n, k = indices.shape
    rows = np.arange(n)
    is_self = indices == rows[:, None]
    if is_self[:, 0].all():
        return indices, distances
    if is_self.any(axis=1).mean() < 0.5:
        indices = np.hstack([rows[:, None], indices])
        distances = np.hstack([np.zeros((n, 1), distances.dtype), distances])
        return indices, distances
    bad = np.flatnonzero(~is_self[:, 0])
    where = np.where(is_self[bad].any(axis=1), is_self[bad].argmax(axis=1), k - 1)
    keep = np.arange(k)[None, :] != where[:, None]
    indices, distances = indices.copy(), distances.copy()
    indices[bad] = np.hstack([bad[:, None], indices[bad][keep].reshape(-1, k - 1)])
    zero = np.zeros((len(bad), 1), distances.dtype)
    distances[bad] = np.hstack([zero, distances[bad][keep].reshape(-1, k - 1)])
    return indices, distances


def _check_graph(indices: np.ndarray, distances: np.ndarray, index) -> EmbedInput:
    if indices.ndim != 2 or indices.shape != distances.shape:
        msg = (
            "A kNN graph needs indices and distances of the same shape (N, k); "
            f"got {indices.shape} and {distances.shape}."
        )
        raise ValueError(msg)
    n = indices.shape[0]
    if indices.dtype.kind not in "iu":
        msg = f"kNN graph indices must be integers; got dtype {indices.dtype}."
        raise ValueError(msg)
    if n and (indices.min() < 0 or indices.max() >= n):
        msg = (
            f"kNN graph indices must lie in [0, {n - 1}] (one row per point); "
            f"got values from {indices.min()} to {indices.max()}."
        )
        raise ValueError(msg)
    distances = np.asarray(distances, dtype=np.float32)
    if not np.isfinite(distances).all() or (distances < 0).any():
        msg = "kNN graph distances must be finite and non-negative."
        raise ValueError(msg)
    check_rows(n, min_rows=_MIN_ROWS, purpose=_PURPOSE)
    indices, distances = self_first(indices.astype(np.int32), distances)
    if not isinstance(index, pd.Index) or len(index) != n:
        index = pd.RangeIndex(n)
    return EmbedInput(
        index=pd.Index(index),
        indices=np.ascontiguousarray(indices, dtype=np.int32),
        distances=np.ascontiguousarray(distances, dtype=np.float32),
    )


def _float32(values: np.ndarray, names: list) -> np.ndarray:
    """The features as float32 (UMAP computes in it), refusing overflow."""
    big = np.abs(values).max(axis=0) > np.finfo(np.float32).max
    if big.any():
        msg = (
            f"data has values beyond float32's range (about 3.4e38) in columns "
            f"{names_list([n for n, b in zip(names, big, strict=True) if b])}; "
            "UMAP computes in float32: rescale them (e.g. take logarithms)."
        )
        raise ValueError(msg)
    return np.ascontiguousarray(values, dtype=np.float32)


def as_input(data, *, exclude: tuple = ()) -> EmbedInput:
    """Check ``data`` (features or kNN graph) and convert it for UMAP."""
    parts = _graph_parts(data)
    if parts is not None:
        return _check_graph(*parts, index=getattr(data, "index", None))
    if exclude and isinstance(data, pd.DataFrame):
        data = data.drop(columns=list(exclude))
    values, names, index = feature_matrix(data, min_rows=_MIN_ROWS, purpose=_PURPOSE)
    return EmbedInput(index=index, features=_float32(values, names))


def check_n_neighbors(n_neighbors, prepared: EmbedInput) -> int:
    """Validate ``n_neighbors`` against the rows (and the graph's width)."""
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, int | np.integer):
        msg = f"n_neighbors={n_neighbors!r} must be an integer of at least 2."
        raise TypeError(msg)
    if n_neighbors < 2:
        msg = f"n_neighbors={n_neighbors} must be at least 2."
        raise ValueError(msg)
    if n_neighbors >= prepared.n_rows:
        msg = (
            f"n_neighbors={n_neighbors} must be smaller than the number of rows "
            f"({prepared.n_rows})."
        )
        raise ValueError(msg)
    if prepared.is_graph and prepared.indices.shape[1] < n_neighbors:
        width = prepared.indices.shape[1]
        msg = (
            f"n_neighbors={n_neighbors} needs a kNN graph with at least "
            f"{n_neighbors} neighbours per row (the point itself included); this "
            f"graph has {width}. Rebuild it with a larger k in astrokit.distances."
        )
        raise ValueError(msg)
    return int(n_neighbors)
