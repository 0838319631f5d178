"""One embedding of a feature matrix or a neighbour graph, cached on disk.

:func:`embed` is the stage's main call: UMAP by default, or PCA
(:mod:`astrokit.embedding._pca`) or t-SNE (:mod:`astrokit.embedding._tsne`)
with the same input checks, index, ``max_rows`` and cache;
:mod:`astrokit.embedding` documents the caching, the cold start and fitting
on a sample. :func:`warm_up` fills numba's disk cache so the first
embedding of a fresh kernel is fast.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_max_rows, renamed
from astrokit._shared.dask import is_dask
from astrokit.embedding import _cache, _input, _lenses, _options, _place, _umap
from astrokit.embedding._input import COLUMNS, METHOD_COLUMNS

__all__ = ["embed", "warm_up", "COLUMNS", "METHODS", "N_EPOCHS"]

METHODS = _lenses.METHODS

logger = logging.getLogger("astrokit.embedding")

N_EPOCHS = 200
"""Default optimisation epochs (umap-learn's choice above 10,000 rows)."""


def _check_options(prepared, *, min_dist, metric, random_state, max_rows, umap_kw):
    """The rows to fit on (None: all), after checking the options."""
    _options.check_umap_options(metric=metric, min_dist=min_dist, umap_kw=umap_kw)
    if prepared.is_graph and metric != "euclidean":
        msg = (
            f"metric={metric!r} applies to feature matrices; a kNN graph already "
            "fixes its distances (choose the metric in astrokit.distances)."
        )
        raise ValueError(msg)
    # an int seed or None, not a Generator: the seed is part of the cache key
    _options.check_seed(random_state)
    if max_rows is None:
        return None
    if prepared.is_graph:
        msg = (
            f"max_rows={max_rows!r} needs a feature matrix; a kNN graph cannot "
            "be subsampled (leave max_rows=None)."
        )
        raise ValueError(msg)
    max_rows = check_max_rows(max_rows, minimum=3)
    if max_rows >= prepared.n_rows:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(prepared.n_rows, max_rows, replace=False))


def _embed_prepared(
    prepared,
    *,
    n_neighbors,
    min_dist,
    metric,
    random_state,
    n_epochs,
    max_rows,
    neighbors,
    cache,
    umap_kw,
):
    n_neighbors = _input.check_neighbors(n_neighbors, prepared)
    n_epochs = _options.check_n_epochs(n_epochs)
    fit_rows = _check_options(
        prepared,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        max_rows=max_rows,
        umap_kw=umap_kw,
    )
    if fit_rows is not None and n_neighbors >= len(fit_rows):
        msg = (
            f"n_neighbors={n_neighbors} must be smaller than max_rows={max_rows} "
            "(the rows UMAP is fitted on): a row is never its own neighbour."
        )
        raise ValueError(msg)
    n_fit = prepared.n_rows if fit_rows is None else len(fit_rows)
    _options.check_init(umap_kw.get("init"), n_fit=n_fit, n_rows=prepared.n_rows)
    method = _umap.resolve_neighbors(neighbors, metric, n_fit, prepared.is_graph)
    umap_params = dict(
        n_neighbors=n_neighbors + 1,  # umap-learn counts the point itself
        min_dist=float(min_dist),
        metric=metric,
        random_state=random_state,
        n_epochs=n_epochs,
    )
    # "fit_sample" is max_rows' old name, kept in the key so that entries
    # cached before the rename are still found.
    params = dict(
        umap_params, neighbors=method, fit_sample=max_rows, umap_kwargs=umap_kw
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
        key = _cache.cache_key(arrays, params)  # None: a keyword has no hash
        use_cache = key is not None
        stored = _cache.load(key, prepared.n_rows) if use_cache else None
        if stored is not None:
            logger.info("embedding read from cache (%s)", key[:12])
            return stored, True
    start = time.perf_counter()
    embedding = _umap.fit_embedding(
        prepared, method=method, fit_rows=fit_rows, umap_kwargs=umap_kw, **umap_params
    )
    logger.info("UMAP fit on %d rows in %.1f s", n_fit, time.perf_counter() - start)
    if use_cache:
        _cache.save(key, embedding, params)  # an unwritable cache only warns
    return embedding, False


def embed(
    data,
    *,
    method: str = "umap",
    n_neighbors: int = 25,
    min_dist: float = 0.0,
    metric: str = "euclidean",
    columns=None,
    random_state: int | None = 0,
    n_epochs: int | None = N_EPOCHS,
    max_rows: int | None = None,
    neighbors: str = "auto",
    placement: str = "umap",
    cache: bool = True,
    **umap_kwargs,
) -> pd.DataFrame:
    """Two coordinates per row of a feature matrix or a kNN graph: UMAP, PCA, t-SNE.

    Parameters
    ----------
    data : DataFrame, array of shape (N, d), kNN graph, or dask.dataframe.DataFrame
        (A Dask table: UMAP on a sample of ``max_rows``, None: 50,000, the
        other rows placed per partition by their neighbours, lazily:
        ``astrokit.embedding._dask``.)
        Numeric features (no NaN, no constant column), or a k-nearest-neighbour
        graph: ``(indices, distances)`` arrays of shape (N, k), an object with
        ``indices`` and ``distances`` attributes (``astrokit.distances``), or a
        ``scipy.sparse`` (N, N) distance matrix with k entries per row.
    method : {"umap", "pca", "tsne"}, default "umap"
        UMAP (umap-learn); PCA (``sklearn.decomposition.PCA``, features only:
        the two directions of largest variance, linear); t-SNE (openTSNE;
        its neighbourhood is ``perplexity=``, default 30, passed as a
        keyword). ``n_neighbors``, ``min_dist``, ``metric``, ``n_epochs`` and
        ``neighbors`` are UMAP's and must keep their defaults for the others.
        PCA is always refitted (it is fast; the fit records
        ``attrs["explained_variance_ratio"]``); t-SNE is cached like UMAP.
    n_neighbors : int, default 25
        Size of the local neighbourhood: small values keep fine local detail,
        large values more global structure. A row is never its own
        neighbour: 25 means 25 other rows, the one rule of the kit
        (:mod:`astrokit._shared.checks`); umap-learn, which counts the point
        itself, is given ``n_neighbors + 1``. A graph must list at least
        ``n_neighbors`` other rows per row, so
        ``embed(knn_graph(X, n_neighbors=k), n_neighbors=k)`` uses it all.
    min_dist : float, default 0.0
        How tightly points may pack: 0 gives compact clumps (good for
        clustering), larger values spread them evenly.
    metric : str, default "euclidean"
        Distance between feature rows (any UMAP metric name); for a graph,
        leave the default (the graph fixes the distances).
    columns : str or list of str, optional
        Embed only these columns of the DataFrame ``data`` (unknown names are
        an error that lists the columns).
    random_state : int or None, default 0
        Seed: the same seed, data and parameters give the same embedding.
        None runs in parallel, non-reproducibly, and is not cached.
    n_epochs : int or None, default 200
        Optimisation epochs; None uses umap-learn's rule (500 up to 10,000
        rows, 200 above).
    max_rows : int, optional
        Fit on at most this many random rows (seeded by ``random_state``) and
        ``transform`` the rest; None fits on every row. Formerly
        ``fit_sample``, still accepted for one release with a FutureWarning.
        See ``benchmarks/bench_embedding.py`` for its trustworthiness against
        a full fit.
    neighbors : {"auto", "exact", "approximate"}, default "auto"
        Exact scikit-learn neighbours up to 50,000 fitted rows (for metrics
        scikit-learn shares with UMAP), else pynndescent's approximate ones.
    placement : {"umap", "neighbours"}, default "umap"
        With ``max_rows``, how the rows outside the fitted sample are placed:
        ``UMAP.transform`` (about a thousand rows per second), or the
        distance-weighted mean of the coordinates of their 10 nearest sample
        rows in feature space (:class:`astrokit.embedding._place.NeighbourPlacer`,
        Euclidean; measured on 100,000 full-tier rows: trustworthiness 0.949
        against UMAP.transform's 0.957, at about 50 times less CPU: see
        ``benchmarks/bench_placement.py``).
    cache : bool, default True
        Read and write the on-disk cache.
    **umap_kwargs
        Passed to ``umap.UMAP`` (and part of the cache key); with
        ``method="pca"`` to ``PCA`` (``whiten``, ``svd_solver``, ...), with
        ``method="tsne"`` to ``openTSNE.TSNE`` (``perplexity``, ``n_iter``, ...).

    Returns
    -------
    DataFrame
        Columns ``umap_x``, ``umap_y`` (``pca_x``, ``pca_y`` or ``tsne_x``,
        ``tsne_y`` for the other methods; float32); the index of ``data`` when
        it is a DataFrame (or the graph's ``index``), else 0..N-1. A UMAP
        embedding records its ``attrs["n_neighbors"]``, the scale of its
        knots, which :func:`astrokit.cluster.cluster` with HDBSCAN reads.

    Raises
    ------
    ValueError
        Too few rows, ``n_neighbors`` not below the number of rows (or of
        ``max_rows``, or wider than the graph), NaN or infinite values,
        constant, non-numeric or unknown columns, a malformed graph.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    >>> emb = embed(X, n_neighbors=10, cache=False)
    >>> list(emb.columns), emb.shape
    (['umap_x', 'umap_y'], (60, 2))
    >>> embed(X, columns=["a", "b"], n_neighbors=10, cache=False).shape
    (60, 2)
    >>> list(embed(X, method="pca").columns)
    ['pca_x', 'pca_y']
    """
    max_rows = renamed(umap_kwargs, "fit_sample", "max_rows", max_rows)
    placement = _place.check_placement(placement)
    if is_dask(data):  # fitted on a sample, placed per partition: _dask
        from astrokit.embedding import _dask

        options = dict(
            n_neighbors=n_neighbors, min_dist=min_dist, metric=metric,
            random_state=random_state, n_epochs=n_epochs, neighbors=neighbors,
            cache=cache, **umap_kwargs,
        )  # fmt: skip
        return _dask.embed(
            data, method=method, columns=columns, max_rows=max_rows,
            placement=placement, embed_sample=embed, options=options,
        )  # fmt: skip
    prepared = _input.as_input(data, columns=columns)
    if method != "umap":
        given = dict(
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            metric=metric,
            n_epochs=n_epochs,
            neighbors=neighbors,
        )
        _lenses.check_method(method, prepared, given, umap_kwargs)
        embedding, attrs = _lenses.embed_lens(
            prepared,
            method=method,
            random_state=random_state,
            max_rows=max_rows,
            cache=cache,
            kwargs=umap_kwargs,
        )
        frame = pd.DataFrame(
            embedding, index=prepared.index, columns=METHOD_COLUMNS[method]
        )
        frame.attrs.update(attrs)
        return frame
    options = dict(
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        metric=metric,
        random_state=random_state,
        n_epochs=n_epochs,
        neighbors=neighbors,
        cache=cache,
        umap_kw=umap_kwargs,
    )
    if placement == "neighbours" and max_rows is not None:
        embedding = _fit_and_place(prepared, max_rows=max_rows, options=options)
    else:
        embedding, _ = _embed_prepared(prepared, max_rows=max_rows, **options)
    frame = pd.DataFrame(embedding, index=prepared.index, columns=COLUMNS)
    frame.attrs["n_neighbors"] = n_neighbors
    return frame


def _fit_and_place(prepared, *, max_rows, options) -> np.ndarray:
    """UMAP of ``max_rows`` random rows; the others placed by their neighbours."""
    fit_rows = _check_options(
        prepared,
        min_dist=options["min_dist"],
        metric=options["metric"],
        random_state=options["random_state"],
        max_rows=max_rows,
        umap_kw=options["umap_kw"],
    )
    if fit_rows is None:  # the sample is the whole table
        return _embed_prepared(prepared, max_rows=None, **options)[0]
    if options["metric"] != "euclidean":
        msg = (
            f"placement='neighbours' finds Euclidean neighbours; got "
            f"metric={options['metric']!r}. Use placement='umap' for other metrics."
        )
        raise ValueError(msg)
    sample = _input.EmbedInput(
        index=prepared.index[fit_rows], features=prepared.features[fit_rows]
    )
    fitted, _ = _embed_prepared(sample, max_rows=None, **options)
    start = time.perf_counter()
    placer = _place.NeighbourPlacer().fit(sample.features, fitted)
    rest = np.setdiff1d(np.arange(prepared.n_rows), fit_rows)
    full = np.empty((prepared.n_rows, 2), dtype=np.float32)
    full[fit_rows] = fitted
    full[rest] = placer.transform(prepared.features[rest]).to_numpy()
    logger.info(
        "placed %d rows by their nearest fitted rows in %.1f s",
        len(rest),
        time.perf_counter() - start,
    )
    return full


def warm_up(*, approximate: bool = True) -> float:
    """Compile and disk-cache UMAP's numba code.

    Run once after installation (``astrokit prepare`` does), so the first
    embedding in a fresh kernel loads compiled code instead of compiling it:
    it embeds 300 random rows (fitted on 200, the rest transformed), without
    the embedding cache.

    Parameters
    ----------
    approximate : bool, default True
        Also compile the pynndescent path used above 50,000 rows; False
        skips it (about half the time).

    Returns
    -------
    float
        The seconds it took (tens in a fresh environment, about one once
        numba's cache is filled).
    """
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    data = rng.normal(size=(300, 5)).astype(np.float32)
    embed(data, n_neighbors=10, max_rows=200, cache=False, n_epochs=20)
    if approximate:
        embed(
            data,
            n_neighbors=10,
            max_rows=200,
            cache=False,
            n_epochs=20,
            neighbors="approximate",
        )
    seconds = time.perf_counter() - start
    logger.info("UMAP compiled code ready in %.1f s", seconds)
    return seconds
