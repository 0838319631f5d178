"""Embeddings of several neighbour graphs side by side: what a distance does.

:func:`embed_graphs` embeds each graph of
:func:`astrokit.distances.knn_graph` with the same UMAP settings, and
:func:`plot_embeddings` draws them in one row of panels coloured by one
quantity, so the choice of distance is seen, not only scored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from astrokit.distances import KNNGraph
from astrokit.embedding._embed import embed

__all__ = ["embed_graphs", "plot_embeddings"]


def embed_graphs(
    graphs: Mapping[str, KNNGraph],
    *,
    n_neighbors: int | None = None,
    min_dist: float = 0.0,
    random_state: int | None = 0,
    **embed_kwargs,
) -> dict[str, pd.DataFrame]:
    """A UMAP embedding of each graph (``astrokit.embedding.embed``), same settings.

    Parameters
    ----------
    graphs : dict of str to KNNGraph
        E.g. ``{m: knn_graph(X, m) for m in ["euclidean", "urf"]}``.
    n_neighbors : int, optional
        UMAP's neighbourhood in other rows, a row never its own
        (:mod:`astrokit._shared.checks`); default each graph's
        ``n_neighbors``, every neighbour it lists.
    min_dist : float, default 0.0
    random_state : int or None, default 0
    **embed_kwargs
        Passed to :func:`astrokit.embedding.embed` (``n_epochs``, ``cache``...).

    Returns
    -------
    dict of str to DataFrame
        Per metric, columns ``umap_x``, ``umap_y`` on the graph's index.

    Raises
    ------
    TypeError
        A value of ``graphs`` that is not a KNNGraph.
    ValueError
        ``n_neighbors`` above a graph's ``n_neighbors`` (and the errors of
        :func:`astrokit.embedding.embed`).

    Notes
    -----
    The first UMAP call of a fresh process compiles numba code (tens of
    seconds, see :mod:`astrokit.embedding`); later calls are fast and cached.
    """
    out = {}
    for name, graph in graphs.items():
        if not isinstance(graph, KNNGraph):
            msg = f"graphs[{name!r}] is a {type(graph).__name__}, not a KNNGraph."
            raise TypeError(msg)
        out[name] = embed(
            graph,
            n_neighbors=graph.n_neighbors if n_neighbors is None else n_neighbors,
            min_dist=min_dist,
            random_state=random_state,
            **embed_kwargs,
        )
    return out


def _aligned(colour, index: pd.Index):
    if colour is None:
        return None
    if isinstance(colour, pd.Series):
        return colour.reindex(index).to_numpy()
    colour = np.asarray(colour)
    if len(colour) != len(index):
        msg = f"colour values have {len(colour)} entries for {len(index)} rows."
        raise ValueError(msg)
    return colour


def plot_embeddings(
    embeddings: Mapping[str, pd.DataFrame],
    *,
    values=None,
    labels=None,
    axes=None,
    panel_size: float = 3.5,
    **points_kwargs,
) -> np.ndarray:
    """Embeddings side by side, every panel coloured by the same quantity.

    Parameters
    ----------
    embeddings : dict of str to DataFrame
        From :func:`embed_graphs` (columns ``umap_x``, ``umap_y``).
    values : Series or array, optional
        A continuous colour (e.g. a feature); a Series is aligned on the
        embeddings' index.
    labels : Series or array, optional
        Categories instead (e.g. the truth environment or cluster labels).
    axes : array of Axes, optional
        One per embedding; default a new row of panels.
    panel_size : float, default 3.5
        Inches per panel.
    **points_kwargs
        Passed to :func:`astrokit.plot.points` (``cmap``, ``size``...).

    Returns
    -------
    numpy.ndarray of matplotlib Axes, shape (len(embeddings),)
        Each titled with its name; the last one carries the colour bar or
        the legend.

    Raises
    ------
    ValueError
        ``values`` or ``labels`` (not a Series) of the wrong length.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> embeddings = {m: pd.DataFrame(rng.normal(size=(50, 2)),
    ...                               columns=["umap_x", "umap_y"]) for m in "ab"}
    >>> axes = plot_embeddings(embeddings, values=rng.normal(size=50))
    >>> [ax.get_title() for ax in axes]
    ['a', 'b']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    from astrokit.plot import panel_grid, points

    names = list(embeddings)
    axes = panel_grid(len(names), ncols=len(names), panel_size=panel_size, axes=axes)
    for i, (name, ax) in enumerate(zip(names, axes, strict=True)):
        emb = embeddings[name]
        last = i == len(names) - 1
        points(
            emb["umap_x"].to_numpy(),
            emb["umap_y"].to_numpy(),
            values=_aligned(values, emb.index),
            labels=_aligned(labels, emb.index),
            ax=ax,
            title=name,
            colorbar=last,
            legend=last,
            **points_kwargs,
        )
        ax.set_xticks([])
        ax.set_yticks([])
    return axes
