"""Figures of :mod:`astrokit.outliers` (re-exported there; documented here).

Each draws on matplotlib axes (new ones unless ``ax``/``axes`` is given) and
returns them. The embedding and the sky reuse :mod:`astrokit.interpret`'s
plots (Datashader above its size threshold) and circle the top rows on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_top", "plot_top_sky", "plot_precision", "plot_agreement"]

_RING = {"facecolors": "none", "edgecolors": "red", "linewidths": 1.2, "zorder": 5}


def _methods(scores: pd.DataFrame, methods) -> list[str]:
    if methods is None:
        methods = scores.attrs.get("methods") or [
            c for c in scores.columns if not c.endswith("_pct") and c != "combined"
        ]
        methods = [*methods, "combined"] if "combined" in scores else list(methods)
    methods = list(methods)
    unknown = [m for m in methods if m not in scores.columns]
    if unknown:
        msg = (
            f"methods {unknown} are not columns of scores; it has "
            f"{list(scores.columns)}."
        )
        raise ValueError(msg)
    return methods


def plot_top(
    embedding,
    scores: pd.DataFrame,
    *,
    n: int = 20,
    column: str = "combined",
    annotate: int = 0,
    ax=None,
    **kwargs,
) -> Axes:
    """The embedding coloured by an outlier score, the top ``n`` rows circled.

    Parameters
    ----------
    embedding : DataFrame
        ``umap_x``, ``umap_y`` on (a superset of) the scores' index.
    scores : DataFrame
        From :func:`astrokit.outliers.score`.
    n : int, default 20
        Rows to circle.
    column : str, default "combined"
        The score that ranks and colours.
    annotate : int, default 0
        Write the rank next to the first ``annotate`` circles (ranks of
        rows that sit together overlap).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :func:`astrokit.interpret.plot_embedding` (``cmap``...).

    Returns
    -------
    matplotlib.axes.Axes
        The circles are ``ax.collections[-1]``.

    Examples
    --------
    >>> from astrokit import outliers
    >>> rng = np.random.default_rng(0)
    >>> emb = pd.DataFrame(rng.normal(size=(200, 2)), columns=["umap_x", "umap_y"])
    >>> s = outliers.score(emb, methods="knn", n_neighbors=10)
    >>> ax = plot_top(emb, s, n=5)
    >>> len(ax.collections[-1].get_offsets())
    5
    """
    from astrokit.interpret import plot_embedding
    from astrokit.outliers._tables import top

    best = top(scores, n=n, column=column)
    kwargs.setdefault("cmap", "magma")
    kwargs.setdefault("title", f"top {len(best)} by {column}")
    ax = plot_embedding(embedding, values=scores[column], ax=ax, **kwargs)
    xy = pd.DataFrame(embedding).loc[best.index, ["umap_x", "umap_y"]].to_numpy()
    ax.scatter(xy[:, 0], xy[:, 1], s=60, **_RING)
    for (x, y), rank in zip(xy[:annotate], best["rank"], strict=False):
        ax.annotate(str(rank), (x, y), xytext=(4, 4), textcoords="offset points",
                    color="red", fontsize=8)  # fmt: skip
    return ax


def plot_top_sky(
    table: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    n: int = 20,
    column: str = "combined",
    galaxies=None,
    axes=None,
    **kwargs,
) -> np.ndarray:
    """Each galaxy coloured by an outlier score, the top ``n`` rows circled.

    Parameters
    ----------
    table : DataFrame
        The pixel table the features came from (``galaxy``, ``x``, ``y``).
    scores : DataFrame
        From :func:`astrokit.outliers.score`.
    n : int, default 20
    column : str, default "combined"
    galaxies : list of str, optional
        Default: every galaxy of the table.
    axes : array of Axes, optional
    **kwargs
        Passed to :func:`astrokit.interpret.plot_sky` (``cmap``, ``vmin``...).

    Returns
    -------
    numpy.ndarray of Axes
        One per galaxy; on each, the circles are ``ax.collections[-1]``.

    Examples
    --------
    >>> from astrokit import outliers
    >>> table = pd.DataFrame({"galaxy": "A", "x": np.arange(100) % 10,
    ...                       "y": np.arange(100) // 10})
    >>> s = pd.DataFrame({"combined": np.linspace(0, 1, 100)})
    >>> axs = plot_top_sky(table, s, n=3)
    >>> len(axs), len(axs[0].collections[-1].get_offsets())
    (1, 3)
    """
    from astrokit.data import galaxies as list_galaxies
    from astrokit.interpret import plot_sky
    from astrokit.outliers._tables import top

    best = top(scores, n=n, column=column)
    names = list_galaxies(table) if galaxies is None else list(galaxies)
    kwargs.setdefault("cmap", "magma")
    values = scores[column].rename(column)
    axs = plot_sky(table, values=values, galaxies=names, axes=axes, **kwargs)
    where = table.loc[best.index, ["galaxy", "x", "y"]]
    for ax, name in zip(axs, names, strict=True):
        here = where[where["galaxy"] == name]
        ax.scatter(here["x"], here["y"], s=60, **_RING)
    return axs


def plot_precision(
    scores: pd.DataFrame,
    truth,
    *,
    methods=None,
    k_max: int | None = None,
    ax=None,
) -> Axes:
    """Precision of each method's top k rows against the truth, for every k.

    Parameters
    ----------
    scores : DataFrame
        From :func:`astrokit.outliers.score`.
    truth : Series of bool
        Planted anomalies, on (a superset of) the scores' index.
    methods : list of str, optional
        Columns to compare (default: every method and ``combined``).
    k_max : int, optional
        Largest k (default: three times the number of true anomalies).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line per method; a dotted vertical line at the number planted.

    Examples
    --------
    >>> s = pd.DataFrame({"knn": [0.9, 0.1, 0.8, 0.3], "combined": [1, 0, 0.5, 0.2]})
    >>> ax = plot_precision(s, pd.Series([True, False, False, True]))
    >>> [line.get_label() for line in ax.lines]
    ['knn', 'combined', 'planted (2)']
    """
    import matplotlib.pyplot as plt

    methods = _methods(scores, methods)
    t = pd.Series(truth).reindex(scores.index).fillna(False).to_numpy(dtype=bool)
    planted = int(t.sum())
    k_max = min(len(t), k_max or max(3 * planted, 10))
    ks = np.arange(1, k_max + 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for name in methods:
        order = np.argsort(-scores[name].to_numpy(), kind="stable")[:k_max]
        style = {"lw": 2.5, "color": "k"} if name == "combined" else {"lw": 1.5}
        ax.plot(ks, np.cumsum(t[order]) / ks, label=name, **style)
    if planted:
        ax.axvline(planted, ls=":", color="grey", label=f"planted ({planted})")
    ax.set_xlabel("k (top rows inspected)")
    ax.set_ylabel("precision (fraction that are planted anomalies)")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize="small")
    return ax


def plot_agreement(scores: pd.DataFrame, *, methods=None, ax=None) -> Axes:
    """How the methods' rankings agree: Spearman rank correlation heat map.

    Needs no truth, so it works on real data too.

    Parameters
    ----------
    scores : DataFrame
        From :func:`astrokit.outliers.score`.
    methods : list of str, optional
        Default: every method and ``combined``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The heat map is ``ax.images[-1]``, its values the correlations.

    Examples
    --------
    >>> s = pd.DataFrame({"knn": [0.9, 0.1, 0.8], "lof": [0.7, 0.2, 0.9]})
    >>> plot_agreement(s).images[-1].get_array().shape
    (2, 2)
    """
    import matplotlib.pyplot as plt

    methods = _methods(scores, methods)
    corr = scores[methods].corr(method="spearman")
    if ax is None:
        _, ax = plt.subplots(
            figsize=(1 + 0.8 * len(methods),) * 2, layout="constrained"
        )
    image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xticks(range(len(methods)), methods, rotation=45, ha="right")
    ax.set_yticks(range(len(methods)), methods)
    for (i, j), v in np.ndenumerate(corr.to_numpy()):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8)
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="Spearman rank correlation")
    return ax
