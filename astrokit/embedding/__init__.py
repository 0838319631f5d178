"""UMAP embeddings: one call, cached on disk, scanned over hyperparameters.

- :func:`embed` maps a feature matrix, or a k-nearest-neighbour graph from
  :mod:`astrokit.distances` (the forest distance included), to two UMAP
  coordinates ``umap_x``, ``umap_y``, keeping the table's index.
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
    ``fit_sample=m`` fits on ``m`` rows drawn uniformly at random (seeded by
    ``random_state``) and places the other rows with ``UMAP.transform``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from itertools import product

import numpy as np
import pandas as pd

from astrokit.embedding import _cache, _input, _quality
from astrokit.embedding._compare import embed_graphs, plot_embeddings
from astrokit.embedding._embed import COLUMNS, N_EPOCHS, _embed_prepared, embed
from astrokit.embedding._procrustes import procrustes_align

__all__ = [
    "embed",
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

logger = logging.getLogger("astrokit.embedding")

_PARAMS = ["n_neighbors", "min_dist", "metric", "random_state"]
_SCORES = ["trustworthiness", "knn_preservation", "ari"]


def _as_list(value) -> list:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _truth_values(truth, data, prepared) -> np.ndarray | None:
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


def scan(
    data,
    *,
    n_neighbors: Sequence[int] = (5, 15, 25, 50),
    min_dist: Sequence[float] = (0.0, 0.1, 0.5),
    metric: str | Sequence[str] = "euclidean",
    random_state: int | Sequence[int] = 0,
    truth=None,
    k: int = 15,
    reference: int | None = None,
    fit_sample: int | None = None,
    neighbors: str = "auto",
    cache: bool = True,
    progress: bool = True,
    **umap_kwargs,
) -> pd.DataFrame:
    """Embed over a grid of parameters, score and align every panel.

    Parameters
    ----------
    data : DataFrame, array or kNN graph
        As in :func:`embed`.
    n_neighbors, min_dist, metric, random_state : value or sequence
        The grid is every combination, in this order (panels 0, 1, ...).
    truth : str, array-like or Series, optional
        Labels to compare clusters with: a column of ``data`` (then left out of
        the features) or one value per row. Adds the ``ari`` score.
    k : int, default 15
        Neighbours used by the trustworthiness and kNN-preservation scores.
    reference : int, optional
        Panel every other panel is aligned to; default the panel with
        ``n_neighbors=25, min_dist=0`` (Baron's choice) when the grid has it,
        else panel 0.
    fit_sample, neighbors, cache, **umap_kwargs
        As in :func:`embed`.
    progress : bool, default True
        Show a tqdm progress bar over the panels.

    Returns
    -------
    DataFrame
        Tidy, one row per (panel, input row): ``panel``, ``n_neighbors``,
        ``min_dist``, ``metric``, ``random_state``, ``row`` (the input's index
        label), ``umap_x``, ``umap_y`` (aligned to the reference panel), the
        panel's scores ``trustworthiness``, ``knn_preservation`` (and ``ari``
        with ``truth``; all in [0, 1], NaN where not computable, e.g.
        trustworthiness of a graph) and ``disparity`` (Procrustes residual
        relative to the reference, 0 = same shape). One row per panel:
        :func:`scan_scores`.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(80, 4))
    >>> table = scan(X, n_neighbors=[5, 10], min_dist=[0.0], cache=False,
    ...              progress=False)
    >>> table.shape[0], table["panel"].nunique()
    (160, 2)
    """
    from tqdm.auto import tqdm

    exclude = (truth,) if isinstance(truth, str) else ()
    prepared = _input.as_input(data, exclude=exclude)
    truth_values = _truth_values(truth, data, prepared)
    grid = list(
        product(
            _as_list(n_neighbors),
            _as_list(min_dist),
            _as_list(metric),
            _as_list(random_state),
        )
    )
    for nn, *_ in grid:
        _input.check_n_neighbors(nn, prepared)
    if reference is None:
        reference = next(
            (i for i, (nn, md, *_) in enumerate(grid) if nn == 25 and md == 0), 0
        )
    if not 0 <= reference < len(grid):
        msg = f"reference={reference} must be a panel number in [0, {len(grid) - 1}]."
        raise ValueError(msg)
    refs, embeddings, scores = {}, [], []
    for nn, md, mt, rs in tqdm(grid, desc="UMAP panels", disable=not progress):
        embedding, _ = _embed_prepared(
            prepared,
            n_neighbors=nn,
            min_dist=md,
            metric=mt,
            random_state=rs,
            n_epochs=N_EPOCHS,
            fit_sample=fit_sample,
            neighbors=neighbors,
            cache=cache,
            umap_kw=umap_kwargs,
        )
        if mt not in refs:
            refs[mt] = _quality.reference(prepared, metric=mt, k=k)
        embeddings.append(embedding)
        scores.append(_quality.scores(refs[mt], embedding, truth_values))
    frames = []
    for number, ((nn, md, mt, rs), emb, sc) in enumerate(
        zip(grid, embeddings, scores, strict=True)
    ):
        aligned, disparity = procrustes_align(emb, embeddings[reference])
        frame = pd.DataFrame(
            {
                "panel": number,
                "n_neighbors": nn,
                "min_dist": md,
                "metric": mt,
                "random_state": rs,
                "row": prepared.index,
            }
        )
        frame[COLUMNS] = aligned.astype(np.float32)
        for name, value in sc.items():
            frame[name] = value
        frame["disparity"] = disparity
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def scan_scores(scan_table: pd.DataFrame) -> pd.DataFrame:
    """One row per panel of a :func:`scan` table: parameters and scores.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> table = scan(rng.normal(size=(60, 3)), n_neighbors=[5, 10], min_dist=[0.0],
    ...              cache=False, progress=False)
    >>> list(scan_scores(table).index)
    [0, 1]
    """
    keep = [c for c in [*_PARAMS, *_SCORES, "disparity"] if c in scan_table]
    return scan_table.groupby("panel")[keep].first()


def plot_scan(
    scan_table: pd.DataFrame,
    *,
    color=None,
    axes=None,
    datashade: bool | str = "auto",
    cmap: str = "viridis",
    s: float | None = None,
):
    """Grid of the scan's panels, each titled with its parameters and scores.

    Parameters
    ----------
    scan_table : DataFrame
        The output of :func:`scan`.
    color : Series or array-like, optional
        One value per embedded row: numeric values get ``cmap`` and a colour
        bar; strings, categories or booleans get one colour each and a legend.
        A Series indexed like the embedded data is aligned by index.
    axes : array of matplotlib Axes, optional
        Where to draw (at least one per panel); default a new figure with one
        column per ``min_dist``.
    datashade : bool or "auto"
        Rasterise with Datashader; "auto" does so above 20,000 rows per panel.
    cmap : str, default "viridis"
    s : float, optional
        Marker size of the scatter (default from the number of points).

    Returns
    -------
    ndarray of Axes (2-D)
        Titles read ``T`` (trustworthiness), ``kNN`` (kNN preservation) and
        ``ARI`` (agreement with the truth).
    """
    from astrokit.embedding._scan_plot import draw_panels

    return draw_panels(
        scan_table, color=color, axes=axes, datashade=datashade, cmap_name=cmap, s=s
    )


def _coords(embedding) -> np.ndarray:
    if isinstance(embedding, pd.DataFrame):
        return embedding[COLUMNS].to_numpy(dtype=float)
    return np.asarray(embedding, dtype=float)


def quality(
    data, embedding, *, truth=None, metric: str = "euclidean", k: int = 15
) -> pd.Series:
    """Trustworthiness, kNN preservation (and ARI with ``truth``) of an embedding.

    See ``astrokit.embedding._quality`` for the definitions and subsample sizes.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> X = rng.normal(size=(100, 2))
    >>> q = quality(X, X)  # the data embedded as itself: perfect scores
    >>> q.round(3).tolist()
    [1.0, 1.0]
    """
    prepared = _input.as_input(data)
    coords = _coords(embedding)
    if coords.shape != (prepared.n_rows, 2):
        msg = f"embedding has shape {coords.shape}; expected ({prepared.n_rows}, 2)."
        raise ValueError(msg)
    ref = _quality.reference(prepared, metric=metric, k=k)
    truth_values = _truth_values(truth, data, prepared)
    return pd.Series(_quality.scores(ref, coords, truth_values))


def align(embedding, reference):
    """``embedding`` rotated, reflected, scaled and shifted onto ``reference``.

    Both hold the same rows in the same order (DataFrames with ``umap_x``,
    ``umap_y`` or (N, 2) arrays); the result has the type of ``embedding``.

    Examples
    --------
    >>> ref = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> turned = 3 * ref @ np.array([[0.0, -1.0], [1.0, 0.0]]) + 5
    >>> np.allclose(align(turned, ref), ref)
    True
    """
    aligned, _ = procrustes_align(_coords(embedding), _coords(reference))
    if isinstance(embedding, pd.DataFrame):
        return pd.DataFrame(
            aligned.astype(np.float32), index=embedding.index, columns=COLUMNS
        )
    return aligned


def warm_up(*, approximate: bool = True) -> float:
    """Compile and disk-cache UMAP's numba code; returns the seconds it took.

    Run once after installation (``astrokit prepare`` does), so the first
    embedding in a fresh kernel loads compiled code instead of compiling it.
    ``approximate=False`` skips the pynndescent path used above 50,000 rows.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    data = rng.normal(size=(300, 5)).astype(np.float32)
    embed(data, n_neighbors=10, fit_sample=200, cache=False, n_epochs=20)
    if approximate:
        embed(
            data,
            n_neighbors=10,
            fit_sample=200,
            cache=False,
            n_epochs=20,
            neighbors="approximate",
        )
    seconds = time.perf_counter() - start
    logger.info("UMAP compiled code ready in %.1f s", seconds)
    return seconds


def clear_cache() -> int:
    """Delete every cached embedding; returns the number of files removed."""
    return _cache.clear()
