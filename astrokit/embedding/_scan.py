"""Hyperparameter scans: one UMAP panel per combination, scored and aligned.

:func:`scan` embeds the data once per combination of ``n_neighbors``,
``min_dist``, ``metric`` and ``random_state``, scores every panel
(``astrokit.embedding._quality``) and aligns it onto a reference panel by
Procrustes, so the panels can be compared by eye; :func:`scan_scores`
tabulates one row per panel and :func:`plot_scan` draws the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product

import numpy as np
import pandas as pd

from astrokit._shared.checks import renamed
from astrokit.embedding import _input, _quality
from astrokit.embedding._embed import N_EPOCHS, _embed_prepared
from astrokit.embedding._input import COLUMNS
from astrokit.embedding._procrustes import procrustes_align

__all__ = ["scan", "scan_scores", "plot_scan"]

_PARAMS = ["n_neighbors", "min_dist", "metric", "random_state"]
_SCORES = ["trustworthiness", "knn_preservation", "ari", "elongation"]


def _as_list(value) -> list:
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _grid(prepared, n_neighbors, min_dist, metric, random_state) -> list[tuple]:
    """Every combination, in order; each ``n_neighbors`` checked first."""
    grid = list(
        product(
            _as_list(n_neighbors),
            _as_list(min_dist),
            _as_list(metric),
            _as_list(random_state),
        )
    )
    for nn, *_ in grid:
        _input.check_neighbors(nn, prepared)
    return grid


def _reference_panel(grid: list[tuple], reference: int | None) -> int:
    if reference is None:
        return next(
            (i for i, (nn, md, *_) in enumerate(grid) if nn == 25 and md == 0), 0
        )
    if not 0 <= reference < len(grid):
        msg = f"reference={reference} must be a panel number in [0, {len(grid) - 1}]."
        raise ValueError(msg)
    return reference


def _tidy(grid, embeddings, scores, reference: int, index) -> pd.DataFrame:
    """One row per (panel, input row), panels aligned onto ``reference``."""
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
                "row": index,
            }
        )
        frame[COLUMNS] = aligned.astype(np.float32)
        for name, value in sc.items():
            frame[name] = value
        frame["disparity"] = disparity
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def scan(
    data,
    *,
    n_neighbors: Sequence[int] = (5, 15, 25, 50),
    min_dist: Sequence[float] = (0.0, 0.1, 0.5),
    metric: str | Sequence[str] = "euclidean",
    random_state: int | Sequence[int] = 0,
    truth=None,
    score_neighbors: int = 15,
    reference: int | None = None,
    columns=None,
    max_rows: int | None = None,
    neighbors: str = "auto",
    cache: bool = True,
    progress: bool = True,
    **umap_kwargs,
) -> pd.DataFrame:
    """Embed over a grid of parameters, score and align every panel.

    Parameters
    ----------
    data : DataFrame, array or kNN graph
        As in :func:`astrokit.embedding.embed`.
    n_neighbors, min_dist, metric, random_state : value or sequence
        The grid is every combination, in this order (panels 0, 1, ...).
        ``n_neighbors`` counts other rows, a row never its own
        (:mod:`astrokit._shared.checks`), as in ``embed``.
    truth : str, array-like or Series, optional
        Labels to compare clusters with: a column of ``data`` (then left out of
        the features) or one value per row. Adds the ``ari`` score.
    score_neighbors : int, default 15
        Neighbours (other rows) of the trustworthiness and kNN-preservation
        scores, as ``n_neighbors`` of :func:`astrokit.embedding.quality`
        (``n_neighbors`` here is the grid). Formerly ``k``, still accepted
        for one release with a FutureWarning.
    reference : int, optional
        Panel every other panel is aligned to; default the panel with
        ``n_neighbors=25, min_dist=0`` (Baron's choice) when the grid has it,
        else panel 0.
    columns, max_rows, neighbors, cache, **umap_kwargs
        As in :func:`astrokit.embedding.embed` (``max_rows`` was
        ``fit_sample``, still accepted for one release with a FutureWarning).
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
        trustworthiness of a graph), ``elongation`` (of the map's minimum
        spanning tree, :func:`astrokit.sequence.elongation`, on the same
        2,000 or fewer rows in every panel: up to their number when the map
        is one thread, low for a round fog) and ``disparity`` (Procrustes
        residual relative to the reference, 0 = same shape). One row per panel:
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

    from astrokit.sequence import elongation

    score_neighbors = renamed(
        umap_kwargs, "k", "score_neighbors", score_neighbors, default=15
    )
    max_rows = renamed(umap_kwargs, "fit_sample", "max_rows", max_rows)
    exclude = (truth,) if isinstance(truth, str) else ()
    prepared = _input.as_input(data, exclude=exclude, columns=columns)
    truth_values = _input.truth_values(truth, data, prepared)
    grid = _grid(prepared, n_neighbors, min_dist, metric, random_state)
    reference = _reference_panel(grid, reference)
    refs, embeddings, scores = {}, [], []
    for nn, md, mt, rs in tqdm(grid, desc="UMAP panels", disable=not progress):
        embedding, _ = _embed_prepared(
            prepared,
            n_neighbors=nn,
            min_dist=md,
            metric=mt,
            random_state=rs,
            n_epochs=N_EPOCHS,
            max_rows=max_rows,
            neighbors=neighbors,
            cache=cache,
            umap_kw=umap_kwargs,
        )
        if mt not in refs:
            refs[mt] = _quality.reference(
                prepared, metric=mt, n_neighbors=score_neighbors
            )
        embeddings.append(embedding)
        panel_scores = _quality.scores(refs[mt], embedding, truth_values)
        # Baron's suggestion: how much the map is one sequence, on the rows
        # trustworthiness is scored on (the same rows in every panel)
        rows = refs[mt].trust_rows
        panel_scores["elongation"] = elongation(embedding[rows], max_rows=None)
        scores.append(panel_scores)
    return _tidy(grid, embeddings, scores, reference, prepared.index)


def scan_scores(scan_table: pd.DataFrame) -> pd.DataFrame:
    """One row per panel of a :func:`scan` table: parameters and scores.

    Parameters
    ----------
    scan_table : DataFrame
        The output of :func:`scan`.

    Returns
    -------
    DataFrame
        Indexed by ``panel``; columns ``n_neighbors``, ``min_dist``,
        ``metric``, ``random_state``, the scores (``trustworthiness``,
        ``knn_preservation``, ``ari`` when the scan had a truth,
        ``elongation``) and ``disparity``.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> table = scan(rng.normal(size=(60, 3)), n_neighbors=[5, 10], min_dist=[0.0],
    ...              cache=False, progress=False)
    >>> scan_scores(table)["n_neighbors"].tolist()
    [5, 10]
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
) -> np.ndarray:
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
    numpy.ndarray of matplotlib Axes, 2-D
        Titles read ``T`` (trustworthiness), ``kNN`` (kNN preservation) and
        ``ARI`` (agreement with the truth); unused axes are switched off.

    Raises
    ------
    ValueError
        ``color`` of the wrong length, or fewer ``axes`` than panels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(4)
    >>> table = scan(rng.normal(size=(60, 3)), n_neighbors=[5, 10], min_dist=[0.0],
    ...              cache=False, progress=False)
    >>> plot_scan(table).shape
    (1, 2)
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    from astrokit.embedding._scan_plot import draw_panels

    return draw_panels(
        scan_table, color=color, axes=axes, datashade=datashade, cmap_name=cmap, s=s
    )
