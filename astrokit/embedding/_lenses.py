"""PCA and t-SNE behind :func:`astrokit.embedding.embed`: checks, sampling, cache.

``embed(..., method="pca" | "tsne")`` takes the same input (features, or a
kNN graph for t-SNE), keeps the index, fits on ``max_rows`` random rows and
places the rest, and caches t-SNE like UMAP: the key hashes the data, the
method, its keywords, the seed and openTSNE's version. PCA takes well under
a second on the demo tier and is refitted every time (its explained
variance comes with it). The options only UMAP reads must keep their
defaults.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from astrokit._shared.checks import check_max_rows
from astrokit.embedding import _cache, _options, _pca, _tsne
from astrokit.embedding._input import METHOD_COLUMNS

__all__ = ["METHODS", "check_method", "embed_lens"]

logger = logging.getLogger("astrokit.embedding")

METHODS = tuple(METHOD_COLUMNS)
"""The embedding methods: ``"umap"``, ``"pca"``, ``"tsne"``."""


def _fit_rows(n_rows: int, max_rows, random_state) -> np.ndarray | None:
    """The sorted random rows to fit on (as UMAP's ``max_rows``), or None."""
    max_rows = check_max_rows(max_rows, minimum=3)
    if max_rows is None or max_rows >= n_rows:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, max_rows, replace=False))


_UMAP_ONLY = {
    "n_neighbors": 25,
    "min_dist": 0.0,
    "metric": "euclidean",
    "n_epochs": 200,  # astrokit.embedding._embed.N_EPOCHS
    "neighbors": "auto",
}
"""The options of embed that only UMAP reads, with their defaults."""


def check_method(method, prepared, given: dict, kwargs: dict) -> None:
    """Refuse UMAP-only options, and wrong keywords, for PCA and t-SNE."""
    if method not in METHODS:
        msg = f"method={method!r} is not one of {METHODS}."
        raise ValueError(msg)
    changed = [f"{k}={v!r}" for k, v in given.items() if v != _UMAP_ONLY[k]]
    if changed:
        what = "perplexity= sets t-SNE's neighbourhood" if method == "tsne" else ""
        msg = (
            f"{', '.join(changed)} applies to UMAP only; method={method!r} does "
            f"not use it. Leave it out{': ' + what if what else ''}."
        )
        raise ValueError(msg)
    if method == "pca":
        if prepared.is_graph:
            msg = (
                "method='pca' needs feature rows; a kNN graph has no coordinates "
                "to project (embed the features, or use method='umap' or 'tsne')."
            )
            raise ValueError(msg)
        _pca.check_pca_options(kwargs)
    else:
        _tsne.check_tsne_options(kwargs, prepared.n_rows)


def embed_lens(prepared, *, method, random_state, max_rows, cache, kwargs):
    """PCA or t-SNE: the same sampling and cache as UMAP; (embedding, attrs)."""
    _options.check_seed(random_state)
    fit_rows = None
    if max_rows is not None:
        if prepared.is_graph:
            msg = f"max_rows={max_rows!r} needs a feature matrix, not a kNN graph."
            raise ValueError(msg)
        fit_rows = _fit_rows(prepared.n_rows, max_rows, random_state)
    if method == "tsne" and fit_rows is not None:
        _tsne.check_tsne_options(kwargs, len(fit_rows))
    params = dict(method=method, version=_tsne.tsne_version(), kwargs=kwargs)
    params |= dict(random_state=random_state, max_rows=max_rows)
    key = None
    if method == "tsne" and cache and random_state is not None:
        arrays = [prepared.indices, prepared.distances] if prepared.is_graph else []
        arrays = arrays or [prepared.features]
        arrays += [] if fit_rows is None else [fit_rows]
        key = _cache.cache_key(arrays, params)  # None: a keyword has no hash
        stored = _cache.load(key, prepared.n_rows) if key else None
        if stored is not None:
            logger.info("t-SNE embedding read from cache (%s)", key[:12])
            return stored, {}
    start = time.perf_counter()
    attrs = {}
    if method == "pca":  # cheap: always refitted, for its explained variance
        embedding, ratios = _pca.fit_pca(
            prepared.features,
            fit_rows=fit_rows,
            random_state=random_state,
            kwargs=kwargs,
        )
        attrs["explained_variance_ratio"] = ratios.tolist()
    else:
        embedding = _tsne.fit_tsne(
            prepared, fit_rows=fit_rows, random_state=random_state, kwargs=kwargs
        )
    logger.info("%s in %.1f s", method, time.perf_counter() - start)
    if key:
        _cache.save(key, embedding, params)  # an unwritable cache only warns
    return embedding, attrs
