"""t-SNE as an embedding, with openTSNE (Poličar, Stražar & Zupan 2024).

t-SNE (van der Maaten & Hinton 2008) places rows so that each row's
neighbours in the data stay its neighbours in the map; its knob is the
*perplexity*, an effective number of neighbours (default 30). It keeps
local structure well and, unlike UMAP, says little about how islands sit
relative to each other. openTSNE is used rather than scikit-learn's
``TSNE`` because it is faster (FFT-accelerated gradients), can start from a
PCA initialisation that keeps more global layout, and places new rows
(``transform``), which ``max_rows`` needs.

A kNN graph (the forest distance included) is embedded through openTSNE's
``PrecomputedNeighbors``: the graph's neighbours and distances define the
affinities, with the perplexity capped at a third of the graph's width
(openTSNE's own rule: it looks at three times the perplexity in neighbours).
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

__all__ = ["fit_tsne", "check_tsne_options", "TSNE_KEYWORDS", "tsne_version"]

logger = logging.getLogger("astrokit.embedding")

TSNE_KEYWORDS = (
    "perplexity", "learning_rate", "early_exaggeration_iter", "early_exaggeration",
    "n_iter", "exaggeration", "dof", "theta", "n_interpolation_points",
    "min_num_intervals", "ints_in_interval", "initialization", "initial_momentum",
    "final_momentum", "max_grad_norm", "max_step_norm", "negative_gradient_method",
)  # fmt: skip
"""The keywords of ``openTSNE.TSNE`` that ``embed(method="tsne")`` passes on."""


def tsne_version() -> str:
    from importlib.metadata import version

    return version("openTSNE")


def check_tsne_options(kwargs: dict, n_rows: int) -> None:
    """Refuse unknown keywords and a perplexity the rows cannot support."""
    for name in kwargs:
        if name not in TSNE_KEYWORDS:
            msg = (
                f"embed(method='tsne') got {name}={kwargs[name]!r}, which is not a "
                f"keyword of openTSNE.TSNE that embed passes on: {list(TSNE_KEYWORDS)}."
            )
            raise TypeError(msg)
    perplexity = kwargs.get("perplexity", 30)
    real = isinstance(perplexity, int | float) and not isinstance(perplexity, bool)
    if not real or not np.isfinite(perplexity) or perplexity <= 0:
        msg = f"perplexity={perplexity!r} must be a number > 0 (default 30)."
        raise ValueError(msg)
    if 3 * perplexity >= n_rows:
        msg = (
            f"perplexity={perplexity!r} needs more than {3 * perplexity:g} rows "
            f"(t-SNE looks at three times the perplexity in neighbours); data "
            f"has {n_rows}. Lower the perplexity."
        )
        raise ValueError(msg)


def _affinities(prepared, perplexity: float, random_state):
    from openTSNE.affinity import PerplexityBasedNN
    from openTSNE.nearest_neighbors import PrecomputedNeighbors

    indices, distances = prepared.indices[:, 1:], prepared.distances[:, 1:]
    capped = min(perplexity, indices.shape[1] / 3)
    if capped < perplexity:
        logger.info(
            "t-SNE of a graph with %d neighbours per row: perplexity %.1f (a "
            "third of them) instead of %.1f",
            indices.shape[1],
            capped,
            perplexity,
        )
    knn = PrecomputedNeighbors(indices.astype(np.int64), distances.astype(np.float64))
    return PerplexityBasedNN(
        perplexity=capped,
        knn_index=knn,
        random_state=random_state,
        k_neighbors=indices.shape[1],
    )


def fit_tsne(prepared, *, fit_rows, random_state, kwargs: dict) -> np.ndarray:
    """(N, 2) float32 t-SNE coordinates (fit on ``fit_rows``, transform the rest)."""
    import openTSNE

    options = dict(kwargs)
    perplexity = options.pop("perplexity", 30)
    with warnings.catch_warnings():
        # openTSNE warns about its own defaults on small inputs
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="openTSNE")
        warnings.filterwarnings("ignore", category=UserWarning, module="openTSNE")
        if prepared.is_graph:
            affinities = _affinities(prepared, perplexity, random_state)
            init = options.pop("initialization", "spectral")
            model = openTSNE.TSNE(random_state=random_state, **options)
            embedding = model.fit(affinities=affinities, initialization=init)
            return np.asarray(embedding, dtype=np.float32)
        features = prepared.features.astype(np.float64)
        fit_data = features if fit_rows is None else features[fit_rows]
        model = openTSNE.TSNE(
            perplexity=perplexity, random_state=random_state, **options
        )
        embedding = model.fit(fit_data)
        if fit_rows is None:
            return np.asarray(embedding, dtype=np.float32)
        full = np.empty((prepared.n_rows, 2), dtype=np.float32)
        full[fit_rows] = np.asarray(embedding)
        rest = np.setdiff1d(np.arange(prepared.n_rows), fit_rows)
        full[rest] = np.asarray(embedding.transform(features[rest]))
    return full
