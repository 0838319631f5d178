"""The k-nearest-neighbour graph object and the metric spaces.

:class:`KNNGraph` is what every metric of :mod:`astrokit.distances` returns:
``(N, k)`` neighbour indices and distances, the point itself left out,
nearest first, plus the row labels of the table it came from.

The four geometric metrics all reduce to exact Euclidean neighbours in a
transformed space (so scikit-learn's trees answer them quickly at any N):

- ``euclidean``: features standardised (zero mean, unit variance);
- ``cosine``: standardised rows scaled to unit length;
  ``1 - cos = |u - v|^2 / 2``;
- ``correlation``: standardised rows centred on their own mean and scaled to
  unit length; ``1 - r = |u - v|^2 / 2``;
- ``mahalanobis``: features whitened by their covariance (eigenvectors scaled
  by one over the square root of their eigenvalue; directions without
  variance dropped, i.e. the pseudo-inverse); the Euclidean distance there is
  the Mahalanobis distance. Too few rows to estimate the covariance (rank
  ``N - 1``, e.g. fewer rows than features) are refused, not regularised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from astrokit._shared.matrix import check_constant, standardize

__all__ = [
    "KNNGraph",
    "metric_space",
    "space_knn",
    "SPACE_METRICS",
]

SPACE_METRICS = ("euclidean", "cosine", "correlation", "mahalanobis")


@dataclass(frozen=True, repr=False, eq=False)
class KNNGraph:
    """A k-nearest-neighbour graph: each row's ``k`` nearest other rows.

    Attributes
    ----------
    indices : numpy.ndarray of int32, shape (N, k)
        Row positions (0..N-1) of each row's neighbours, nearest first; a row
        is never its own neighbour.
    distances : numpy.ndarray of float32, shape (N, k)
        The matching distances, non-decreasing along each row.
    metric : str
        Name of the metric that made the graph.
    index : pandas.Index
        Labels of the N rows (the feature table's index), so results join back.
    info : dict
        Extra facts about how the graph was built (e.g. the fitted forest).

    Examples
    --------
    >>> g = KNNGraph(np.array([[1], [0]]), np.array([[0.5], [0.5]]), "euclidean")
    >>> g.n_neighbors, g.to_sparse().toarray().tolist()
    (1, [[0.0, 0.5], [0.5, 0.0]])
    >>> ind, dist, _ = g.precomputed_knn  # for umap.UMAP: self first
    >>> ind.tolist(), dist.tolist()
    ([[0, 1], [1, 0]], [[0.0, 0.5], [0.0, 0.5]])
    """

    indices: np.ndarray
    distances: np.ndarray
    metric: str
    index: pd.Index | None = None
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        ind = np.ascontiguousarray(self.indices, dtype=np.int32)
        dist = np.ascontiguousarray(self.distances, dtype=np.float32)
        if ind.ndim != 2 or ind.shape != dist.shape:
            msg = (
                "indices and distances must both have shape (N, k); got "
                f"{ind.shape} and {dist.shape}."
            )
            raise ValueError(msg)
        index = self.index if self.index is not None else pd.RangeIndex(len(ind))
        if len(index) != len(ind):
            msg = f"index has {len(index)} labels for {len(ind)} rows."
            raise ValueError(msg)
        object.__setattr__(self, "indices", ind)
        object.__setattr__(self, "distances", dist)
        object.__setattr__(self, "index", pd.Index(index))

    @property
    def n_neighbors(self) -> int:
        """Neighbours per row, ``k`` (the row itself not counted)."""
        return int(self.indices.shape[1])

    def __len__(self) -> int:
        return int(self.indices.shape[0])

    def __repr__(self) -> str:
        return (
            f"KNNGraph(metric={self.metric!r}, rows={len(self)}, "
            f"n_neighbors={self.n_neighbors})"
        )

    def to_sparse(self):
        """The graph as a ``scipy.sparse.csr_matrix`` of distances, shape (N, N).

        Row ``i`` stores its ``k`` neighbours in order of increasing distance
        (what scikit-learn's ``metric="precomputed"`` estimators expect);
        zero distances are stored explicitly, so rows identical under the
        metric stay neighbours.
        """
        import scipy.sparse

        n, k = self.indices.shape
        indptr = np.arange(0, n * k + 1, k, dtype=np.int64)
        return scipy.sparse.csr_matrix(
            (self.distances.ravel(), self.indices.ravel(), indptr), shape=(n, n)
        )

    @property
    def precomputed_knn(self) -> tuple[np.ndarray, np.ndarray, None]:
        """``(indices, distances, None)`` with each row itself first, at distance 0.

        The form ``umap.UMAP(precomputed_knn=...)`` requires (umap-learn 0.5:
        "the nearest neighbor of each item should be itself"); shape
        (N, k + 1), so give ``umap.UMAP`` at most ``n_neighbors=k + 1``:
        umap-learn counts the point itself, astrokit does not
        (``astrokit.embedding.embed(graph, n_neighbors=k)`` does this).
        """
        n = len(self)
        rows = np.arange(n, dtype=np.int32)[:, None]
        ind = np.hstack([rows, self.indices])
        dist = np.hstack([np.zeros((n, 1), np.float32), self.distances])
        return ind, dist, None


def metric_space(values: np.ndarray, names: list, metric: str) -> np.ndarray:
    """Rows mapped so that Euclidean distance there gives ``metric`` (see module)."""
    check_constant(
        values,
        names,
        name="X",
        why=f"metric={metric!r} standardises or whitens the features and cannot "
        "divide by a zero spread",
    )
    z = standardize(values)
    if metric == "euclidean":
        return z
    if metric == "mahalanobis":
        # Whiten with the eigenvectors of the covariance; directions without
        # variance (a feature that is a linear combination of others, such as
        # log(Ha/CO) = log(Ha/21um) - log(CO/21um)) are dropped: the
        # pseudo-inverse, exact for data that lie in that subspace.
        evals, evecs = np.linalg.eigh(np.atleast_2d(np.cov(z, rowvar=False)))
        keep = evals > evals.max() * 1e-9
        _check_rank(len(z), z.shape[1], int(keep.sum()))
        return (z @ evecs[:, keep]) / np.sqrt(evals[keep])
    if metric == "correlation":
        if values.shape[1] < 2:
            msg = "metric='correlation' needs at least 2 features (a row's values)."
            raise ValueError(msg)
        z = z - z.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    flat = np.flatnonzero(norms[:, 0] < 1e-12)
    if flat.size:
        msg = (
            f"metric={metric!r} is undefined for {flat.size} row(s) whose "
            f"standardised features are all "
            f"{'equal' if metric == 'correlation' else 'zero'} (first: row "
            f"{flat[0]}); drop them or use metric='euclidean'."
        )
        raise ValueError(msg)
    return z / norms


def _check_rank(n_rows: int, n_features: int, rank: int) -> None:
    """Refuse a covariance too poorly sampled for Mahalanobis neighbours.

    N rows span at most N - 1 directions; when the covariance has that full
    rank, whitening turns the rows into a regular simplex: every pair is at
    the same distance and the neighbours would be arbitrary. Refused rather
    than regularised (shrinkage would make it a different metric).
    """
    if rank < n_rows - 1:
        return
    msg = (
        f"metric='mahalanobis' cannot estimate the covariance of {n_features} "
        f"features from {n_rows} rows: its rank is {rank} (at most rows - 1 = "
        f"{n_rows - 1}), so after whitening every pair of rows is at the same "
        "distance and the neighbours would be arbitrary. Refused (not "
        f"regularised): use at least {n_features + 2} rows, fewer features, or "
        "metric='euclidean'."
    )
    raise ValueError(msg)


def space_knn(values, names, metric: str, n_neighbors: int, *, n_jobs=None):
    """Exact ``(indices, distances)`` (N, k), self excluded, in ``metric``."""
    from sklearn.neighbors import NearestNeighbors

    space = metric_space(values, names, metric)
    nn = NearestNeighbors(n_neighbors=n_neighbors, n_jobs=n_jobs).fit(space)
    dist, ind = nn.kneighbors()
    if metric in ("cosine", "correlation"):
        dist = dist**2 / 2.0
    return ind, dist
