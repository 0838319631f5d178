"""Embeddings: one call, cached on disk, scanned over hyperparameters.

- :func:`embed` maps a feature matrix, or a k-nearest-neighbour graph from
  :mod:`astrokit.distances` (the forest distance included), to two UMAP
  coordinates ``umap_x``, ``umap_y``, keeping the table's index;
  ``method="pca"`` (``pca_x``, ``pca_y``: linear, features only) and
  ``method="tsne"`` (``tsne_x``, ``tsne_y``: openTSNE, neighbourhood set by
  ``perplexity``) are the other lenses, with the same input, index,
  ``max_rows`` and cache (:data:`METHODS`).
- :func:`embed_graphs` embeds several graphs with the same settings and
  :func:`plot_embeddings` draws them side by side;
- :func:`scan` repeats it over a grid of ``n_neighbors`` x ``min_dist`` (and
  optionally metrics and seeds), scores every panel (:func:`quality`) and
  aligns the panels by Procrustes (:func:`align`) so they can be compared by
  eye; :func:`plot_scan` draws the grid, :func:`scan_scores` tabulates it.

Caching
    Results are stored under ``astrokit._shared.cache.cache_dir() / "embeddings"``,
    keyed by a SHA-256 of the data bytes, shape and dtype, every parameter
    (extra UMAP keywords included) and the umap-learn version. Re-running a
    lesson cell reads the file back in milliseconds; any changed parameter or
    value misses. Writes are atomic; an unreadable entry is recomputed.
    ``random_state=None`` (a deliberately random, parallel run) is never
    cached. :func:`clear_cache` empties the folder.

Cold start
    A fresh process pays for numba compilation on its first UMAP fit: 44 s
    for 10,000 rows x 8 features with plain umap-learn on 2 cores, most of it
    compiling pynndescent. Two measures, both in ``benchmarks/bench_embedding.py``:
    (1) up to 50,000 rows, neighbours are exact, from scikit-learn (0.4 s at
    10,000 rows), and reach UMAP as ``precomputed_knn``, so pynndescent is
    never compiled; (2) numba's disk cache is switched on for every umap and
    pynndescent function, and :func:`warm_up` (run by ``astrokit prepare``
    at install or Binder build time) fills it. What remains is the work
    itself. umap-learn's own rule runs 500 optimisation epochs up to 10,000
    rows (200 above); astrokit uses 200 at every size (:data:`N_EPOCHS`):
    the first embedding of 10,000 rows in a fresh kernel after warm-up takes
    5.7 s instead of 11.2 s here, and on 10,000 demo-tier pixels the scores
    barely move (trustworthiness 0.961 vs 0.962, kNN preservation 0.226 vs
    0.239, ARI against the truth 0.821 vs 0.813). Pass ``n_epochs=None`` for
    umap-learn's rule.

Large tables
    ``max_rows=m`` fits on ``m`` rows drawn uniformly at random (seeded by
    ``random_state``) and places the other rows with ``UMAP.transform``, or
    with ``placement="neighbours"`` at the distance-weighted mean of their
    nearest sample rows (:class:`NeighbourPlacer`, :func:`place`: picklable,
    chunked, what a Dask partition calls; trustworthiness within 0.01 of
    ``UMAP.transform``'s, at about 50x less CPU, in
    ``benchmarks/bench_placement.py``). ``fit_sample=``, the old name of
    ``max_rows``, works for one release with a FutureWarning.

Neighbours
    ``n_neighbors`` follows the kit's one rule (:mod:`astrokit._shared.checks`):
    a row is never its own neighbour, so ``n_neighbors=25`` means 25 other
    rows in :func:`embed`, :func:`embed_graphs`, :func:`scan` and
    :func:`quality`, as in :func:`astrokit.distances.knn_graph`. umap-learn
    counts the point itself and is given ``n_neighbors + 1``.
"""

from __future__ import annotations

from astrokit.embedding import _cache
from astrokit.embedding._compare import embed_graphs, plot_embeddings
from astrokit.embedding._embed import METHODS, embed, warm_up
from astrokit.embedding._place import NeighbourPlacer, place
from astrokit.embedding._procrustes import align
from astrokit.embedding._quality import quality
from astrokit.embedding._scan import plot_scan, scan, scan_scores

__all__ = [
    "METHODS",
    "embed",
    "NeighbourPlacer",
    "place",
    "embed_graphs",
    "plot_embeddings",
    "scan",
    "scan_scores",
    "plot_scan",
    "quality",
    "align",
    "warm_up",
    "clear_cache",
]


def clear_cache() -> int:
    """Delete every cached embedding.

    Returns
    -------
    int
        The number of files removed (0 when the cache is empty).
    """
    return _cache.clear()
