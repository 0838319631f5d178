"""One UMAP embedding of a feature matrix or a neighbour graph, cached on disk.

:func:`embed` is the stage's main call; :mod:`astrokit.embedding` documents
the caching, the cold start and fitting on a sample.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from astrokit.embedding import _cache, _input, _umap

__all__ = ["embed", "COLUMNS", "N_EPOCHS"]

logger = logging.getLogger("astrokit.embedding")

COLUMNS = ["umap_x", "umap_y"]
N_EPOCHS = 200
"""Default optimisation epochs (umap-learn's choice above 10,000 rows)."""


def _check_options(prepared, *, min_dist, metric, random_state, fit_sample, umap_kw):
    spread = umap_kw.get("spread", 1.0)
    if not 0 <= min_dist <= spread:
        msg = f"min_dist={min_dist!r} must be between 0 and spread={spread}."
        raise ValueError(msg)
    if not isinstance(metric, str):
        msg = f"metric={metric!r} must be the name of a UMAP metric (a string)."
        raise TypeError(msg)
    if prepared.is_graph and metric != "euclidean":
        msg = (
            f"metric={metric!r} applies to feature matrices; a kNN graph already "
            "fixes its distances (choose the metric in astrokit.distances)."
        )
        raise ValueError(msg)
    if random_state is not None and not isinstance(random_state, int | np.integer):
        msg = f"random_state={random_state!r} must be an integer or None."
        raise TypeError(msg)
    if fit_sample is None:
        return None
    if prepared.is_graph:
        msg = "fit_sample needs a feature matrix; a kNN graph cannot be subsampled."
        raise ValueError(msg)
    if not isinstance(fit_sample, int | np.integer) or fit_sample < 3:
        msg = f"fit_sample={fit_sample!r} must be an integer of at least 3 (rows)."
        raise ValueError(msg)
    if fit_sample >= prepared.n_rows:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(prepared.n_rows, int(fit_sample), replace=False))


def _embed_prepared(
    prepared,
    *,
    n_neighbors,
    min_dist,
    metric,
    random_state,
    n_epochs,
    fit_sample,
    neighbors,
    cache,
    umap_kw,
):
    n_neighbors = _input.check_n_neighbors(n_neighbors, prepared)
    fit_rows = _check_options(
        prepared,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        fit_sample=fit_sample,
        umap_kw=umap_kw,
    )
    if fit_rows is not None and n_neighbors >= len(fit_rows):
        msg = f"n_neighbors={n_neighbors} must be smaller than fit_sample={fit_sample}."
        raise ValueError(msg)
    n_fit = prepared.n_rows if fit_rows is None else len(fit_rows)
    method = _umap.resolve_neighbors(neighbors, metric, n_fit, prepared.is_graph)
    umap_params = dict(
        n_neighbors=n_neighbors,
        min_dist=float(min_dist),
        metric=metric,
        random_state=random_state,
        n_epochs=n_epochs,
    )
    params = dict(
        umap_params, neighbors=method, fit_sample=fit_sample, umap_kwargs=umap_kw
    )
    use_cache = bool(cache) and random_state is not None
    if use_cache:
        arrays = (
            [prepared.indices, prepared.distances]
            if prepared.is_graph
            else [prepared.features]
        )
        if fit_rows is not None:
            arrays.append(fit_rows)
        key = _cache.cache_key(arrays, params)
        stored = _cache.load(key, prepared.n_rows)
        if stored is not None:
            logger.info("embedding read from cache (%s)", key[:12])
            return stored, True
    start = time.perf_counter()
    embedding = _umap.fit_embedding(
        prepared, method=method, fit_rows=fit_rows, umap_kwargs=umap_kw, **umap_params
    )
    logger.info("UMAP fit on %d rows in %.1f s", n_fit, time.perf_counter() - start)
    if use_cache:
        _cache.save(key, embedding, params)
    return embedding, False


def embed(
    data,
    *,
    n_neighbors: int = 25,
    min_dist: float = 0.0,
    metric: str = "euclidean",
    random_state: int | None = 0,
    n_epochs: int | None = N_EPOCHS,
    fit_sample: int | None = None,
    neighbors: str = "auto",
    cache: bool = True,
    **umap_kwargs,
) -> pd.DataFrame:
    """Two UMAP coordinates per row of a feature matrix or a kNN graph.

    Parameters
    ----------
    data : DataFrame, array of shape (N, d), or kNN graph
        Numeric features (no NaN, no constant column), or a k-nearest-neighbour
        graph: ``(indices, distances)`` arrays of shape (N, k), an object with
        ``indices`` and ``distances`` attributes (``astrokit.distances``), or a
        ``scipy.sparse`` (N, N) distance matrix with k entries per row.
    n_neighbors : int, default 25
        Size of the local neighbourhood (the point itself included): small
        values keep fine local detail, large values more global structure.
    min_dist : float, default 0.0
        How tightly points may pack: 0 gives compact clumps (good for
        clustering), larger values spread them evenly.
    metric : str, default "euclidean"
        Distance between feature rows (any UMAP metric name); for a graph,
        leave the default (the graph fixes the distances).
    random_state : int or None, default 0
        Seed: the same seed, data and parameters give the same embedding.
        None runs in parallel, non-reproducibly, and is not cached.
    n_epochs : int or None, default 200
        Optimisation epochs; None uses umap-learn's rule (500 up to 10,000
        rows, 200 above).
    fit_sample : int, optional
        Fit on this many random rows and ``transform`` the rest. On 20,000
        demo-like rows, see ``benchmarks/bench_embedding.py`` for the
        trustworthiness of fit-on-sample against a full fit.
    neighbors : {"auto", "exact", "approximate"}, default "auto"
        Exact scikit-learn neighbours up to 50,000 fitted rows (for metrics
        scikit-learn shares with UMAP), else pynndescent's approximate ones.
    cache : bool, default True
        Read and write the on-disk cache.
    **umap_kwargs
        Passed to ``umap.UMAP`` (and part of the cache key).

    Returns
    -------
    DataFrame
        Columns ``umap_x``, ``umap_y`` (float32); the index of ``data`` when it
        is a DataFrame (or the graph's ``index``), else 0..N-1.

    Raises
    ------
    ValueError
        Too few rows, ``n_neighbors`` not below the number of rows, NaN or
        infinite values, constant or non-numeric columns, a malformed graph.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    >>> emb = embed(X, n_neighbors=10, cache=False)
    >>> list(emb.columns), emb.shape
    (['umap_x', 'umap_y'], (60, 2))
    """
    prepared = _input.as_input(data)
    embedding, _ = _embed_prepared(
        prepared,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        n_epochs=n_epochs,
        fit_sample=fit_sample,
        neighbors=neighbors,
        cache=cache,
        umap_kw=umap_kwargs,
    )
    return pd.DataFrame(embedding, index=prepared.index, columns=COLUMNS)
