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

__all__ = ["EmbedInput", "as_input", "check_n_neighbors", "self_first"]

_MAX_NAMES = 8


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


def _names(names: list) -> str:
    shown = ", ".join(repr(str(n)) for n in names[:_MAX_NAMES])
    more = f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else ""
    return f"[{shown}{more}]"


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
    _check_rows(n)
    indices, distances = self_first(indices.astype(np.int32), distances)
    if not isinstance(index, pd.Index) or len(index) != n:
        index = pd.RangeIndex(n)
    return EmbedInput(
        index=pd.Index(index),
        indices=np.ascontiguousarray(indices, dtype=np.int32),
        distances=np.ascontiguousarray(distances, dtype=np.float32),
    )


def _check_rows(n: int) -> None:
    if n < 3:
        what = "no rows" if n == 0 else f"{n} row{'s' if n > 1 else ''}"
        msg = (
            f"data has {what}; an embedding needs at least 3 rows "
            "(more rows than n_neighbors)."
        )
        raise ValueError(msg)


def _frame_to_array(frame: pd.DataFrame) -> tuple[np.ndarray, list]:
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        msg = (
            f"data has non-numeric columns {_names(bad)}; pass only the feature "
            "columns (e.g. table[feature_names]); keep labels such as 'galaxy' "
            "or truth columns out of the features."
        )
        raise ValueError(msg)
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return values, list(frame.columns)


def _check_features(values: np.ndarray, names: list) -> np.ndarray:
    if values.shape[1] == 0:
        msg = "data has no feature columns."
        raise ValueError(msg)
    _check_rows(values.shape[0])
    finite = np.isfinite(values)
    if not finite.all():
        counts = (~finite).sum(axis=0)
        cols = np.flatnonzero(counts)
        listed = ", ".join(
            f"{names[c]!r} ({counts[c]} row{'s' if counts[c] != 1 else ''})"
            for c in cols[:_MAX_NAMES]
        )
        msg = (
            f"data has NaN or infinite values in {len(cols)} of {len(names)} "
            f"feature columns: {listed}. UMAP needs a value in every cell: choose a "
            "missing-data policy in astrokit.features first (drop, flag or impute "
            "the rows, and report how many)."
        )
        raise ValueError(msg)
    constant = [names[c] for c in np.flatnonzero(np.ptp(values, axis=0) == 0)]
    if constant:
        msg = (
            f"feature columns {_names(constant)} are constant (one value in every "
            "row); they carry no information: drop them."
        )
        raise ValueError(msg)
    array = np.ascontiguousarray(values, dtype=np.float32)
    if not np.isfinite(array).all():
        msg = "data has values beyond float32's range; rescale the features."
        raise ValueError(msg)
    return array


def as_input(data, *, exclude: tuple = ()) -> EmbedInput:
    """Check ``data`` (features or kNN graph) and convert it for UMAP."""
    parts = _graph_parts(data)
    if parts is not None:
        return _check_graph(*parts, index=getattr(data, "index", None))
    if isinstance(data, pd.DataFrame):
        frame = data.drop(columns=list(exclude))
        values, names = _frame_to_array(frame)
        return EmbedInput(index=data.index, features=_check_features(values, names))
    array = np.asarray(data)
    if array.ndim != 2:
        msg = (
            f"data must be 2-D (rows x features) or a kNN graph; got an array of "
            f"shape {array.shape}. For a single feature use data.reshape(-1, 1)."
        )
        raise ValueError(msg)
    if array.dtype.kind not in "biuf":
        msg = f"data must be numeric; got an array of dtype {array.dtype}."
        raise ValueError(msg)
    names = [f"column {i}" for i in range(array.shape[1])]
    features = _check_features(array.astype(np.float64), names)
    return EmbedInput(index=pd.RangeIndex(array.shape[0]), features=features)


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
