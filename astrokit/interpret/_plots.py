"""Figures of :mod:`astrokit.interpret` (re-exported there; documented here).

Every function draws on matplotlib axes (new ones unless ``ax``/``axes`` is
given) and returns them. Point plots go through :func:`astrokit.plot.points`,
so they are rasterised by Datashader above its size threshold; category
colours come from :func:`astrokit.plot.category_colors`, so a cluster has the
same colour on the embedding, in the violins and on the sky
(the maps, :func:`~astrokit.interpret.plot_sky` and
:func:`~astrokit.interpret.plot_average_object`, are in ``_maps.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_max_rows, renamed
from astrokit.features import display_label
from astrokit.interpret._inputs import align_features, coordinates, numeric_columns

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_embedding",
    "plot_features",
    "plot_violins",
    "plot_effect_sizes",
]


def _on_index(series, index: pd.Index, name: str):
    """A Series aligned on ``index`` (NaN where absent), or an array checked."""
    if series is None:
        return None
    if isinstance(series, pd.Series):
        return series.reindex(index)
    arr = np.asarray(series)
    if arr.shape != (len(index),):
        msg = f"{name} has shape {arr.shape}; expected ({len(index)},)."
        raise ValueError(msg)
    return pd.Series(arr, index=index)


def plot_embedding(embedding, *, values=None, labels=None, ax=None, **kwargs) -> Axes:
    """The embedding, coloured by ``values`` or ``labels`` (or by density).

    Parameters
    ----------
    embedding : DataFrame or array of shape (N, 2)
        ``umap_x``, ``umap_y`` (names label the axes).
    values, labels : Series or array of shape (N,), optional
        A Series is aligned on the embedding's index (absent rows: grey).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :func:`astrokit.plot.points` (``threshold``, ``cmap``,
        ``title``, ``width``, ...).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> emb = pd.DataFrame({"umap_x": [0.0, 1, 2], "umap_y": [0.0, 1, 0]})
    >>> plot_embedding(emb, labels=[0, 0, 1]).get_xlabel()
    'umap_x'
    """
    from astrokit.plot import points

    xy, index, names = coordinates(embedding)
    x = pd.Series(xy[:, 0], index=index, name=names[0])
    y = pd.Series(xy[:, 1], index=index, name=names[1])
    return points(
        x,
        y,
        values=_on_index(values, index, "values"),
        labels=_on_index(labels, index, "labels"),
        ax=ax,
        **kwargs,
    )


def _two_lines(column: str) -> str:
    """The physical label of a column, its unit (if any) on a line of its own."""
    label = display_label(column)
    name, bracket, unit = label.rpartition(" [")
    has_unit = bracket and label.endswith("]") and " " in unit
    return f"{name}\n[{unit}" if has_unit else label


def plot_features(
    embedding,
    features: pd.DataFrame,
    *,
    columns=None,
    ncols: int = 4,
    panel_size: float = 3.0,
    axes=None,
    **kwargs,
) -> np.ndarray:
    """The embedding coloured by every feature: one panel per feature.

    Parameters
    ----------
    embedding : DataFrame or array of shape (N, 2)
    features : DataFrame
        Aligned on the embedding's index (rows without a value are grey).
    columns : list of str, optional
        Default: every numeric column of ``features``.
    ncols : int, default 4
    panel_size : float, default 3.0
        Inches per panel.
    axes : array of Axes, optional
    **kwargs
        Passed to :func:`astrokit.plot.points` (e.g. ``threshold``,
        ``cmap``).

    Returns
    -------
    numpy.ndarray of Axes
        One per feature, titled with its name.

    Raises
    ------
    KeyError
        Unknown feature names.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> emb = pd.DataFrame({"umap_x": [0.0, 1, 2], "umap_y": [0.0, 1, 0]})
    >>> f = pd.DataFrame({"a": [1.0, 2, 3], "b": [3.0, 1, 2]})
    >>> [ax.get_title() for ax in plot_features(emb, f)]  # physical labels
    ['a', 'b']
    >>> plot_features(emb, f.rename(columns={"a": "log_oi_ha"}))[0].get_title()[:12]
    'log [OI]6300'

    """
    from astrokit.plot import panel_grid, points

    columns = numeric_columns(features, columns)
    xy, index, names = coordinates(embedding)
    frame = features[columns].reindex(index)
    axs = panel_grid(len(columns), ncols=ncols, panel_size=panel_size, axes=axes)
    x = pd.Series(xy[:, 0], index=index, name=names[0])
    y = pd.Series(xy[:, 1], index=index, name=names[1])
    for ax, col in zip(axs, columns, strict=True):
        points(x, y, values=frame[col], ax=ax, title=_two_lines(col), **kwargs)
    return axs


def plot_violins(
    features: pd.DataFrame,
    labels,
    *,
    columns=None,
    ncols: int = 4,
    panel_size: float = 3.0,
    axes=None,
    max_rows: int | None = 20_000,
    random_state: int = 0,
    **kwargs,
) -> np.ndarray:
    """Per-cluster distributions of each feature, as violins.

    Noise (``-1``) is drawn too, in grey. Each violin's kernel density uses at
    most ``max_rows`` random rows of its cluster (the median line uses all).

    Parameters
    ----------
    features : DataFrame
        Numeric features (NaN ignored).
    labels : Series or array of shape (N,)
        Cluster labels; a Series is aligned on the index of ``features``.
    columns : list of str, optional
        Default: every numeric column.
    ncols, panel_size, axes
        As for :func:`plot_features`.
    max_rows : int or None, default 20,000
        Rows of a cluster its violin is drawn from (None: all); replaces
        ``max_points=``, which is accepted with a FutureWarning until
        astrokit 0.3.
    random_state : int, default 0
        Seeds the subsample.

    Returns
    -------
    numpy.ndarray of Axes
        One per feature: x = cluster, y = feature.

    Raises
    ------
    KeyError
        Unknown feature names.
    TypeError
        An unknown keyword, or a ``max_rows`` that is not an integer.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> f = pd.DataFrame({"a": [1.0, 2, 3, 7, 8, 9]})
    >>> axs = plot_violins(f, [0, 0, 0, 1, 1, 1])
    >>> [t.get_text() for t in axs[0].get_xticklabels()]
    ['0', '1']
    """
    from astrokit.plot import category_colors, panel_grid
    from astrokit.plot._colors import label_categories

    max_rows = renamed(kwargs, "max_points", "max_rows", max_rows, default=20_000)
    if kwargs:
        msg = f"plot_violins() got unexpected keywords {sorted(kwargs)}."
        raise TypeError(msg)
    max_rows = check_max_rows(max_rows, minimum=2)
    columns = numeric_columns(features, columns)
    values, lab = align_features(features, labels, columns)
    cats = label_categories(lab)
    colors = category_colors(cats.categories)
    codes = cats.codes
    axs = panel_grid(len(columns), ncols=ncols, panel_size=panel_size, axes=axes)
    rng = np.random.default_rng(random_state)
    for j, (ax, col) in enumerate(zip(axs, columns, strict=True)):
        for k, cat in enumerate(cats.categories):
            v = values[codes == k, j]
            v = v[np.isfinite(v)]
            if v.size < 2:
                continue
            median = np.median(v)
            if max_rows is not None and v.size > max_rows:
                v = rng.choice(v, max_rows, replace=False)
            parts = ax.violinplot([v], positions=[k], widths=0.8, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colors[cat])
                body.set_edgecolor("black")
                body.set_alpha(0.8)
            ax.hlines(median, k - 0.3, k + 0.3, color="black", lw=1.2)
        ax.set_xticks(range(len(cats.categories)), [str(c) for c in cats.categories])
        ax.set_xlabel("cluster")
        ax.set_ylabel(display_label(col, units=False))  # the unit: a log ratio
        ax.set_title(display_label(col, units=False), fontsize="medium")
    return axs


def plot_effect_sizes(
    effects: pd.DataFrame,
    *,
    ax=None,
    cmap: str = "RdBu_r",
    vmax: float | None = None,
    annotate: bool = True,
) -> Axes:
    """The table of :func:`~astrokit.interpret.effect_sizes` as a heat map.

    Rows are clusters, columns features (in the order of the table), colour
    the signed effect size (red: the cluster is high; blue: low).

    Parameters
    ----------
    effects : DataFrame
        The table of ``effect_sizes`` (columns ``cluster``, ``feature``,
        ``effect``).
    ax : matplotlib Axes, optional
    cmap : str, default "RdBu_r"
        A diverging colormap, centred on 0.
    vmax : float, optional
        Colour limit (symmetric); default the largest ``|effect|``.
    annotate : bool, default True
        Write each value in its cell.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        A table without ``cluster``, ``feature`` and ``effect`` columns.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from astrokit.interpret import effect_sizes
    >>> f = pd.DataFrame({"a": [1.0, 2, 3, 11, 12, 13], "b": [1.0, 3, 2, 2, 1, 3]})
    >>> ax = plot_effect_sizes(effect_sizes(f, [0, 0, 0, 1, 1, 1]))
    >>> ax.images[0].get_array().shape  # clusters x features
    (2, 2)
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    need = {"cluster", "feature", "effect"}
    if not need <= set(effects.columns):
        missing = sorted(need - set(effects.columns))
        msg = f"effects lacks columns {missing}; pass the table of effect_sizes()."
        raise KeyError(msg)
    features = list(pd.unique(effects["feature"]))
    grid = effects.pivot(index="cluster", columns="feature", values="effect")[features]
    finite = np.abs(grid.to_numpy()[np.isfinite(grid.to_numpy())])
    vmax = vmax or (float(finite.max()) if finite.size and finite.max() > 0 else 1.0)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.6 * len(features) + 2, 0.45 * len(grid) + 1.5))
    image = ax.imshow(
        grid.to_numpy(), cmap=cmap, aspect="auto", norm=TwoSlopeNorm(0.0, -vmax, vmax)
    )
    names = [display_label(f, units=False) for f in features]
    ax.set_xticks(range(len(features)), names, rotation=60, ha="right")
    ax.set_yticks(range(len(grid)), [str(c) for c in grid.index])
    ax.set_ylabel("cluster")
    ax.figure.colorbar(image, ax=ax, label="effect size (cluster - rest)")
    if annotate:
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    f"{v:.1f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if abs(v) > 0.6 * vmax else "black",
                )
    return ax
