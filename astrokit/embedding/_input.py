"""What ``astrokit.embedding`` accepts, checked once, with errors that say what to do.

Two kinds of input reach UMAP:

- a feature matrix (``DataFrame`` of numeric columns or a 2-D array), turned
  into a C-contiguous float32 array (UMAP computes in float32 anyway);
- a k-nearest-neighbour graph, e.g. from ``astrokit.distances``: a pair
  ``(indices, distances)`` of ``(N, k)`` arrays, an object with ``indices`` and
  ``distances`` attributes, or a ``scipy.sparse`` ``(N, N)`` matrix of
  distances with the same number of stored neighbours in every row.

Graphs are normalised to UMAP's convention: each row lists the point itself
first (distance 0), then its neighbours by increasing distance. ``n_neighbors``
follows the kit's rule (:mod:`astrokit._shared.checks`): a row is never its
own neighbour, so a graph serves ``n_neighbors`` up to the number of *other*
rows it lists per row, and umap-learn, which counts the point itself, is
given ``n_neighbors + 1``.

:func:`coords` and :func:`truth_values` read an embedding's coordinates and
the labels a score compares it with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_n_neighbors
from astrokit._shared.matrix import check_rows, feature_matrix, names_list

__all__ = [
    "COLUMNS",
    "METHOD_COLUMNS",
    "EmbedInput",
    "as_input",
    "check_neighbors",
    "coords",
    "embedding_columns",
    "self_first",
    "truth_values",
]

COLUMNS = ["umap_x", "umap_y"]
"""The columns of a UMAP embedding."""

METHOD_COLUMNS = {
    "umap": COLUMNS,
    "pca": ["pca_x", "pca_y"],
    "tsne": ["tsne_x", "tsne_y"],
}
"""The columns of an embedding by each method of :func:`astrokit.embedding.embed`."""

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


def as_input(data, *, exclude: tuple = (), columns=None) -> EmbedInput:
    """Check ``data`` (features or kNN graph) and convert it for UMAP.

    ``exclude`` drops DataFrame columns (a truth column); ``columns`` keeps
    only the named ones (features only: a graph has no columns).
    """
    parts = _graph_parts(data)
    if parts is not None:
        if columns is not None:
            msg = (
                f"columns={columns!r} selects feature columns; a kNN graph has "
                "none (select the columns when building it: "
                "astrokit.distances.knn_graph(X, columns=...))."
            )
            raise ValueError(msg)
        return _check_graph(*parts, index=getattr(data, "index", None))
    if exclude and isinstance(data, pd.DataFrame):
        data = data.drop(columns=list(exclude))
    values, names, index = feature_matrix(
        data, columns=columns, min_rows=_MIN_ROWS, purpose=_PURPOSE
    )
    return EmbedInput(index=index, features=_float32(values, names))


def check_neighbors(n_neighbors, prepared: EmbedInput) -> int:
    """``n_neighbors`` (other rows) checked against the rows and a graph's width."""
    n_neighbors = check_n_neighbors(n_neighbors, prepared.n_rows)
    others = prepared.indices.shape[1] - 1 if prepared.is_graph else n_neighbors
    if others < n_neighbors:
        msg = (
            f"n_neighbors={n_neighbors} needs a kNN graph with at least "
            f"{n_neighbors} neighbours per row besides the row itself (a row is "
            f"never its own neighbour); this graph has {others}. Rebuild it with "
            f"astrokit.distances.knn_graph(..., n_neighbors={n_neighbors})."
        )
        raise ValueError(msg)
    return n_neighbors


def embedding_columns(embedding: pd.DataFrame) -> list:
    """The two coordinate columns of an embedding DataFrame.

    One of the :data:`METHOD_COLUMNS` pairs, or the only two columns.
    """
    found = [pair for pair in METHOD_COLUMNS.values() if set(pair) <= set(embedding)]
    if len(found) == 1:
        return found[0]
    if not found and embedding.shape[1] == 2:
        return list(embedding.columns)
    msg = (
        f"embedding has columns {names_list(embedding.columns)}; pass one with "
        f"exactly one coordinate pair of {list(METHOD_COLUMNS.values())}, or two "
        "columns."
    )
    raise ValueError(msg)


def coords(embedding) -> np.ndarray:
    """The (N, 2) coordinates of an embedding DataFrame or array, as float64."""
    if isinstance(embedding, pd.DataFrame):
        return embedding[embedding_columns(embedding)].to_numpy(dtype=float)
    return np.asarray(embedding, dtype=float)


def truth_values(truth, data, prepared: EmbedInput) -> np.ndarray | None:
    """One label per row of ``prepared``: a column name of ``data``, a Series
    (aligned on the index) or a sequence of the rows' length; None passes."""
    if truth is None:
        return None
    if isinstance(truth, str):
        return data[truth].to_numpy()
    if isinstance(truth, pd.Series) and prepared.index.isin(truth.index).all():
        return truth.reindex(prepared.index).to_numpy()
    values = np.asarray(truth)
    if len(values) != prepared.n_rows:
        msg = f"truth has {len(values)} values; data has {prepared.n_rows} rows."
        raise ValueError(msg)
    return values
