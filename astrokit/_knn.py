"""The k-nearest-neighbour graph object, input checks, and the metric spaces.

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
  the Mahalanobis distance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "KNNGraph",
    "check_features",
    "check_n_neighbors",
    "metric_space",
    "space_knn",
    "SPACE_METRICS",
]

SPACE_METRICS = ("euclidean", "cosine", "correlation", "mahalanobis")
_MAX_NAMES = 8


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
        (N, k + 1), so use ``n_neighbors <= k + 1`` in UMAP.
        """
        n = len(self)
        rows = np.arange(n, dtype=np.int32)[:, None]
        ind = np.hstack([rows, self.indices])
        dist = np.hstack([np.zeros((n, 1), np.float32), self.distances])
        return ind, dist, None


def _names(names) -> str:
    names = list(names)
    shown = ", ".join(repr(str(n)) for n in names[:_MAX_NAMES])
    more = f" and {len(names) - _MAX_NAMES} more" if len(names) > _MAX_NAMES else ""
    return f"[{shown}{more}]"


def check_features(X, *, allow_nan: bool = False):
    """``(values float64 (N, d), names, index)`` from a DataFrame or 2-D array.

    Raises ValueError naming non-numeric, all-NaN and partly NaN/infinite
    columns (with counts), with what to do about them.
    """
    if isinstance(X, pd.DataFrame):
        names = list(X.columns)
        frame = X
        bad = [c for c in names if not pd.api.types.is_numeric_dtype(frame[c])]
        if bad:
            msg = (
                f"X has non-numeric columns {_names(bad)}; pass only the feature "
                "columns (e.g. features[features.attrs['features']]): labels, "
                "flags and truth columns are not features."
            )
            raise ValueError(msg)
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
        index = X.index
    else:
        values = np.asarray(X)
        if values.ndim != 2:
            msg = (
                f"X must be 2-D (rows x features); got an array of shape "
                f"{values.shape}. For one feature use X.reshape(-1, 1)."
            )
            raise ValueError(msg)
        if values.dtype.kind not in "biuf":
            msg = f"X must be numeric; got an array of dtype {values.dtype}."
            raise ValueError(msg)
        values = values.astype(np.float64)
        names = [f"column {i}" for i in range(values.shape[1])]
        index = pd.RangeIndex(values.shape[0])
    if values.shape[1] == 0:
        msg = "X has no feature columns."
        raise ValueError(msg)
    if values.shape[0] == 0:
        msg = "X has no rows."
        raise ValueError(msg)
    if not allow_nan:
        _check_finite(values, names)
    return values, names, index


def _check_finite(values: np.ndarray, names: list) -> None:
    finite = np.isfinite(values)
    if finite.all():
        return
    empty = [n for n, ok in zip(names, finite.any(axis=0), strict=True) if not ok]
    if empty:
        msg = (
            f"feature {_names(empty)} is NaN (or infinite) in every row; drop "
            f"{'it' if len(empty) == 1 else 'them'}: a feature with no values "
            "carries no information."
        )
        raise ValueError(msg)
    counts = (~finite).sum(axis=0)
    cols = np.flatnonzero(counts)
    listed = ", ".join(
        f"{names[c]!r} ({counts[c]} row{'s' if counts[c] != 1 else ''})"
        for c in cols[:_MAX_NAMES]
    )
    msg = (
        f"X has NaN or infinite values in {len(cols)} of {len(names)} feature "
        f"columns: {listed}. Choose a missing-data policy first "
        "(astrokit.features.derive(..., policy='drop' | 'impute'))."
    )
    raise ValueError(msg)


def check_n_neighbors(n_neighbors, n_rows: int) -> int:
    """``n_neighbors`` as an int in [1, n_rows - 1], or a clear error."""
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, int | np.integer):
        msg = f"n_neighbors={n_neighbors!r} must be a positive integer."
        raise TypeError(msg)
    if n_neighbors < 1:
        msg = f"n_neighbors={n_neighbors} must be at least 1."
        raise ValueError(msg)
    if n_neighbors >= n_rows:
        msg = (
            f"n_neighbors={n_neighbors} must be smaller than the number of rows "
            f"({n_rows})."
        )
        raise ValueError(msg)
    return int(n_neighbors)


def _constant(values: np.ndarray, names: list, metric: str) -> None:
    constant = [n for n, s in zip(names, np.ptp(values, axis=0), strict=True) if s == 0]
    if constant:
        msg = (
            f"feature {_names(constant)} is constant (one value in every row): "
            f"metric={metric!r} standardises or whitens the features and cannot "
            "divide by a zero spread. Drop the constant column(s)."
        )
        raise ValueError(msg)


def metric_space(values: np.ndarray, names: list, metric: str) -> np.ndarray:
    """Rows mapped so that Euclidean distance there gives ``metric`` (see module)."""
    _constant(values, names, metric)
    z = (values - values.mean(axis=0)) / values.std(axis=0)
    if metric == "euclidean":
        return z
    if metric == "mahalanobis":
        # Whiten with the eigenvectors of the covariance; directions without
        # variance (a feature that is a linear combination of others, such as
        # log(Ha/CO) = log(Ha/21um) - log(CO/21um)) are dropped: the
        # pseudo-inverse, exact for data that lie in that subspace.
        evals, evecs = np.linalg.eigh(np.atleast_2d(np.cov(z, rowvar=False)))
        keep = evals > evals.max() * 1e-9
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


def space_knn(values, names, metric: str, n_neighbors: int, *, n_jobs=None):
    """Exact ``(indices, distances)`` (N, k), self excluded, in ``metric``."""
    from sklearn.neighbors import NearestNeighbors

    space = metric_space(values, names, metric)
    nn = NearestNeighbors(n_neighbors=n_neighbors, n_jobs=n_jobs).fit(space)
    dist, ind = nn.kneighbors()
    if metric in ("cosine", "correlation"):
        dist = dist**2 / 2.0
    return ind, dist
