"""Running umap-learn quickly and quietly: exact neighbours, numba's disk cache.

Why the first UMAP call in a fresh kernel is slow, and what is done here:

- umap-learn compiles its numba functions on first use, and only one of them
  (``rdist``) is declared ``cache=True``. :func:`load_umap` switches numba's
  on-disk cache on for every jitted function of ``umap`` and ``pynndescent``
  (``Dispatcher.enable_caching()``, what ``cache=True`` does), so compiled
  code written by one process (``astrokit prepare`` calls
  ``astrokit.embedding.warm_up()``) is loaded by the next. Numba stores the
  cache beside the package sources (``__pycache__``) or, where that is not
  writable, in its user-wide cache folder (``NUMBA_CACHE_DIR``); entries are
  tied to the CPU model, so a machine with another CPU compiles again.
  pynndescent's ``nn_descent`` cannot be cached (numba refuses: "dynamic
  globals"), which is a second reason for the next point.
- Up to ``EXACT_MAX_ROWS`` rows, neighbours come from scikit-learn's exact
  ``NearestNeighbors`` (0.4 s for 10,000 rows x 8 features on 2 cores) and
  reach UMAP as ``precomputed_knn``, so pynndescent is never compiled. The
  same exact index answers ``transform`` queries (fit on a sample).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import warnings

import numpy as np

__all__ = ["EXACT_MAX_ROWS", "EXACT_METRICS", "load_umap", "fit_embedding", "quiet"]

logger = logging.getLogger("astrokit.embedding")

EXACT_MAX_ROWS = 50_000
"""Above this many (fitted) rows, neighbours are approximate (pynndescent).

Measured on 2 cores, 10 features, k=25: exact scikit-learn neighbours take
1.7 s at 20,000 rows, 4.6 s at 50,000, 11 s at 100,000 and 67 s at 200,000.
"""

EXACT_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "manhattan",
    "l1": "manhattan",
    "taxicab": "manhattan",
    "chebyshev": "chebyshev",
    "linfinity": "chebyshev",
    "cosine": "cosine",
    "correlation": "correlation",
}
"""UMAP metric names that scikit-learn's exact neighbours compute identically."""

_NUMBA_MODULES = [
    "umap.umap_",
    "umap.layouts",
    "umap.utils",
    "umap.spectral",
    "umap.distances",
    "umap.sparse",
    "pynndescent.pynndescent_",
    "pynndescent.utils",
    "pynndescent.rp_trees",
    "pynndescent.distances",
    "pynndescent.sparse",
    "pynndescent.graph_utils",
    "pynndescent.sparse_nndescent",
]

# Known, harmless messages from umap-learn and numba during our calls.
_QUIET = [
    (UserWarning, r"n_jobs value .* overridden"),
    (UserWarning, r"precomputed_knn\[2\]"),
    (Warning, r"Cannot cache compiled function"),
]


@contextlib.contextmanager
def quiet():
    """Silence the known, harmless warnings of umap-learn, pynndescent and numba."""
    with warnings.catch_warnings():
        for category, message in _QUIET:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield


@functools.cache
def load_umap():
    """Import umap-learn with numba's disk cache on for all its jitted code."""
    with warnings.catch_warnings():
        # umap announces an optional extra at import (hidden by default filters)
        warnings.filterwarnings("ignore", "Tensorflow not installed", ImportWarning)
        import umap
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    enabled = 0
    for name in _NUMBA_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - layout differs in another version
            continue
        for obj in vars(module).values():
            if isinstance(obj, CPUDispatcher) and isinstance(
                getattr(obj, "_cache", None), NullCache
            ):
                obj.enable_caching()
                enabled += 1
    logger.debug("numba disk cache switched on for %d umap functions", enabled)
    return umap


class _ExactIndex:
    """The part of pynndescent's index that ``UMAP.transform`` uses, exactly."""

    _angular_trees = False

    def __init__(self, neighbors):
        self._neighbors = neighbors

    def query(self, data, k, epsilon=None):
        distances, indices = self._neighbors.kneighbors(data, n_neighbors=k)
        return indices.astype(np.int32), distances.astype(np.float32)


def exact_knn(features: np.ndarray, n_neighbors: int, metric: str):
    """Exact neighbours (self first) and the fitted scikit-learn index."""
    from sklearn.neighbors import NearestNeighbors

    from astrokit.embedding._input import self_first

    neighbors = NearestNeighbors(n_neighbors=n_neighbors, metric=EXACT_METRICS[metric])
    neighbors.fit(features)
    distances, indices = neighbors.kneighbors(features)
    indices, distances = self_first(indices, distances.astype(np.float32))
    return (
        indices[:, :n_neighbors].astype(np.int32),
        distances[:, :n_neighbors],
        neighbors,
    )


def resolve_neighbors(neighbors: str, metric: str, n_fit: int, graph: bool) -> str:
    """``"exact"``, ``"approximate"`` or ``"graph"``, from the ``neighbors`` option."""
    if graph:
        return "graph"
    if neighbors not in ("auto", "exact", "approximate"):
        msg = f"neighbors={neighbors!r} is not one of 'auto', 'exact', 'approximate'."
        raise ValueError(msg)
    if neighbors == "exact" and metric not in EXACT_METRICS:
        msg = (
            f"neighbors='exact' supports metrics {sorted(EXACT_METRICS)}; got "
            f"metric={metric!r}. Use neighbors='approximate' (pynndescent)."
        )
        raise ValueError(msg)
    if neighbors == "auto":
        exact = metric in EXACT_METRICS and n_fit <= EXACT_MAX_ROWS
        return "exact" if exact else "approximate"
    return neighbors


def fit_embedding(
    prepared,
    *,
    n_neighbors: int,
    min_dist: float,
    metric: str,
    random_state: int | None,
    n_epochs: int | None,
    method: str,
    fit_rows: np.ndarray | None,
    umap_kwargs: dict,
) -> np.ndarray:
    """Fit UMAP (on ``fit_rows`` only, then transform the rest); (N, 2) float32.

    ``n_neighbors`` is umap-learn's, the point itself included: the caller
    turns the kit's count of other rows into it (``+ 1``).
    """
    umap = load_umap()
    options = dict(
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        random_state=random_state,
        n_epochs=n_epochs,
        **umap_kwargs,
    )
    if method == "graph":
        knn = (prepared.indices[:, :n_neighbors], prepared.distances[:, :n_neighbors])
        fit_data = np.zeros((prepared.n_rows, 1), dtype=np.float32)
        model = umap.UMAP(precomputed_knn=knn, **options)
    else:
        fit_data = prepared.features
        if fit_rows is not None:
            fit_data = fit_data[fit_rows]
        if method == "exact":
            indices, distances, index = exact_knn(fit_data, n_neighbors, metric)
            knn = (indices, distances, _ExactIndex(index))
            model = umap.UMAP(metric=metric, precomputed_knn=knn, **options)
        else:
            model = umap.UMAP(
                metric=metric, force_approximation_algorithm=True, **options
            )
    with quiet():
        embedding = model.fit_transform(fit_data)
        if fit_rows is None:
            return np.asarray(embedding, dtype=np.float32)
        full = np.empty((prepared.n_rows, 2), dtype=np.float32)
        full[fit_rows] = embedding
        rest = np.setdiff1d(np.arange(prepared.n_rows), fit_rows)
        full[rest] = model.transform(prepared.features[rest])
    return full
