"""Figures of :mod:`astrokit.interpret` (re-exported there; documented here).

Every function draws on matplotlib axes (new ones unless ``ax``/``axes`` is
given) and returns them. Point plots go through
:func:`astrokit.plot._points.points`, so they are rasterised by Datashader above
its size threshold; category colours come from
:func:`astrokit.plot._points.category_colors`, so a cluster has the same colour
on the embedding, in the violins and on the sky.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit.interpret._inputs import align_features, coordinates, numeric_columns

__all__ = [
    "plot_embedding",
    "plot_features",
    "plot_violins",
    "plot_effect_sizes",
    "plot_sky",
    "plot_average_object",
]

_FOOTPRINT = "#e8e8e8"
"""Colour of the table's pixels that hold no label or value (the footprint)."""


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


def plot_embedding(embedding, *, values=None, labels=None, ax=None, **kwargs):
    """The embedding, coloured by ``values`` or ``labels`` (or by density).

    Parameters
    ----------
    embedding : DataFrame or array of shape (N, 2)
        ``umap_x``, ``umap_y`` (names label the axes).
    values, labels : Series or array of shape (N,), optional
        A Series is aligned on the embedding's index (absent rows: grey).
    ax : matplotlib Axes, optional
    **kwargs
        Passed to :func:`astrokit.plot._points.points` (``threshold``, ``cmap``,
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


def plot_features(
    embedding,
    features: pd.DataFrame,
    *,
    columns=None,
    ncols: int = 4,
    panel_size: float = 3.0,
    axes=None,
    **kwargs,
):
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
        Passed to :func:`astrokit.plot._points.points` (e.g. ``threshold``,
        ``cmap``).

    Returns
    -------
    numpy.ndarray of Axes
        One per feature, titled with its name.

    Raises
    ------
    KeyError
        Unknown feature names.
    """
    from astrokit.plot import panel_grid, points

    columns = numeric_columns(features, columns)
    xy, index, names = coordinates(embedding)
    frame = features[columns].reindex(index)
    axs = panel_grid(len(columns), ncols=ncols, panel_size=panel_size, axes=axes)
    x = pd.Series(xy[:, 0], index=index, name=names[0])
    y = pd.Series(xy[:, 1], index=index, name=names[1])
    for ax, col in zip(axs, columns, strict=True):
        points(x, y, values=frame[col], ax=ax, title=col, **kwargs)
    return axs


def plot_violins(
    features: pd.DataFrame,
    labels,
    *,
    columns=None,
    ncols: int = 4,
    panel_size: float = 3.0,
    axes=None,
    max_points: int = 20_000,
    random_state: int = 0,
):
    """Per-cluster distributions of each feature, as violins.

    Noise (``-1``) is drawn too, in grey. Each violin's kernel density uses at
    most ``max_points`` random rows of its cluster (the median line uses all).

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
    max_points : int, default 20,000
    random_state : int, default 0

    Returns
    -------
    numpy.ndarray of Axes
        One per feature: x = cluster, y = feature.

    Raises
    ------
    KeyError
        Unknown feature names.
    """
    from astrokit.plot._points import _labels_categorical, category_colors, panel_grid

    columns = numeric_columns(features, columns)
    values, lab = align_features(features, labels, columns)
    cats = _labels_categorical(lab)
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
            if v.size > max_points:
                v = rng.choice(v, max_points, replace=False)
            parts = ax.violinplot([v], positions=[k], widths=0.8, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(colors[cat])
                body.set_edgecolor("black")
                body.set_alpha(0.8)
            ax.hlines(median, k - 0.3, k + 0.3, color="black", lw=1.2)
        ax.set_xticks(range(len(cats.categories)), [str(c) for c in cats.categories])
        ax.set_xlabel("cluster")
        ax.set_title(col)
    return axs


def plot_effect_sizes(
    effects: pd.DataFrame,
    *,
    ax=None,
    cmap: str = "RdBu_r",
    vmax: float | None = None,
    annotate: bool = True,
):
    """The table of :func:`~astrokit.interpret.effect_sizes` as a heat map.

    Rows are clusters, columns features (in the order of the table), colour
    the signed effect size (red: the cluster is high; blue: low).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        A table without ``cluster``, ``feature`` and ``effect`` columns.
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
    ax.set_xticks(range(len(features)), features, rotation=60, ha="right")
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


def plot_sky(
    table: pd.DataFrame,
    *,
    labels=None,
    values=None,
    galaxies=None,
    axes=None,
    panel_size: float = 4.0,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    legend: bool = True,
    colorbar: bool = True,
    title: str | None = None,
):
    """Labels (categorical colours, a legend) or values on each galaxy's sky grid.

    The galaxy's pixels in the table that carry no label (e.g. outside the
    JWST or MUSE footprints) are drawn light grey underneath, and each panel
    is zoomed on the labelled pixels. Values share one colour bar.

    Parameters
    ----------
    table : DataFrame
        The pixel table (``galaxy``, ``x``, ``y``, ``attrs["shape"]``).
    labels, values : Series, optional
        Exactly one: per-row labels or a continuous value on (a subset of)
        the table's index; pixels without one stay blank.
    galaxies : list of str, optional
        Default: every galaxy of the table.
    axes : array of Axes, optional
    panel_size : float, default 4.0
    cmap : str, optional
        For ``values`` (default ``"viridis"``).
    vmin, vmax : float, optional
        Colour limits for ``values`` (default 1st/99th percentiles).
    legend, colorbar : bool, default True
    title : str, optional
        Prefix of each panel's title (the galaxy's name follows).

    Returns
    -------
    numpy.ndarray of Axes
        One per galaxy; ``images[0]`` is the grey footprint, ``images[-1]``
        the labels (as category codes) or values, in numpy order with
        ``origin="lower"``.

    Raises
    ------
    ValueError
        Neither or both of ``labels`` and ``values``; unknown galaxies.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
    from matplotlib.patches import Patch

    from astrokit.data import galaxies as list_galaxies
    from astrokit.data import sky_map
    from astrokit.plot._points import _labels_categorical, category_colors, panel_grid

    if (labels is None) == (values is None):
        msg = "Pass exactly one of labels= (categories) or values= (a number per row)."
        raise ValueError(msg)
    names = list_galaxies(table) if galaxies is None else list(galaxies)
    unknown = sorted(set(names) - set(list_galaxies(table)))
    if unknown:
        msg = (
            f"galaxies {unknown} are not in the table; it holds {list_galaxies(table)}."
        )
        raise ValueError(msg)
    axs = panel_grid(len(names), ncols=len(names), panel_size=panel_size, axes=axes)
    given = labels if labels is not None else values
    series = (
        given if isinstance(given, pd.Series) else pd.Series(given, index=table.index)
    )
    if labels is not None:
        cats = _labels_categorical(series.to_numpy())
        colors = category_colors(cats.categories)
        series = pd.Series(cats.codes, index=series.index, dtype=float)
        cmap = ListedColormap([colors[c] for c in cats.categories])
        norm = BoundaryNorm(np.arange(len(cats.categories) + 1) - 0.5, cmap.N)
    else:
        finite = series.to_numpy(dtype=float)
        finite = finite[np.isfinite(finite)]
        lo, hi = np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0)
        lo, hi = lo if vmin is None else vmin, hi if vmax is None else vmax
        norm = Normalize(lo, hi if hi > lo else lo + 1)
        cmap = cmap or "viridis"
    show = {"origin": "lower", "interpolation": "nearest"}
    footprint = pd.Series(1.0, index=table.index)
    for ax, name in zip(axs, names, strict=True):
        ax.imshow(
            sky_map(table, footprint, galaxy=name),
            cmap=ListedColormap([_FOOTPRINT]),
            **show,
        )
        image = sky_map(table, series, galaxy=name)
        drawn = ax.imshow(image, cmap=cmap, norm=norm, **show)
        _crop(ax, image)
        ax.set_title(name if title is None else f"{title}: {name}")
        ax.set_xlabel("x (pixel)")
        ax.set_ylabel("y (pixel)")
    if labels is not None and legend:
        counts = pd.Series(cats).value_counts()
        handles = [
            Patch(color=colors[c], label=f"{c} ({counts[c]:,})")
            for c in cats.categories
        ]
        axs[-1].legend(
            handles=handles,
            fontsize="small",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
        )
    elif labels is None and colorbar:
        axs[0].figure.colorbar(drawn, ax=list(axs), shrink=0.8, label=series.name)
    return axs


def _crop(ax, image: np.ndarray) -> None:
    """Zoom on the pixels that hold a value, with a small margin."""
    ys, xs = np.nonzero(np.isfinite(image))
    if ys.size == 0:
        return
    pad = max(2, int(0.05 * max(image.shape)))
    ax.set_xlim(
        max(xs.min() - pad, 0) - 0.5, min(xs.max() + pad, image.shape[1] - 1) + 0.5
    )
    ax.set_ylim(
        max(ys.min() - pad, 0) - 0.5, min(ys.max() + pad, image.shape[0] - 1) + 0.5
    )


def _polygon(kind: str, size: float) -> np.ndarray:
    if kind == "square":
        h = size / 2
        return np.array([[-h, -h], [h, -h], [h, h], [-h, h]])
    angles = np.deg2rad(30 + 60 * np.arange(6))
    return size / np.sqrt(3) * np.column_stack([np.cos(angles), np.sin(angles)])


def plot_average_object(
    average: pd.DataFrame,
    *,
    columns=None,
    ncols: int = 4,
    panel_size: float = 3.0,
    axes=None,
    cmap: str = "viridis",
):
    """Maps of the table of :func:`~astrokit.interpret.average_object`.

    Each panel shows one feature's median in every bin of the embedding,
    drawn as the bin's hexagon or square.

    Parameters
    ----------
    average : DataFrame
        The output of ``average_object`` (its ``attrs`` give the bin shape).
    columns : list of str, optional
        Default: every feature column (not ``bin_x``, ``bin_y``, ``count``).
    ncols, panel_size, axes
        As for :func:`plot_features`.
    cmap : str, default "viridis"

    Returns
    -------
    numpy.ndarray of Axes

    Raises
    ------
    ValueError
        A table without the ``attrs`` of ``average_object``.
    KeyError
        Unknown column names.
    """
    from matplotlib.collections import PolyCollection

    from astrokit.plot import panel_grid

    if "kind" not in average.attrs or "size" not in average.attrs:
        msg = (
            "average lacks attrs['kind'] and attrs['size']; pass the table of "
            "average_object()."
        )
        raise ValueError(msg)
    feats = average.drop(columns=["bin_x", "bin_y", "count"], errors="ignore")
    columns = numeric_columns(feats if columns is None else average, columns)
    shape = _polygon(average.attrs["kind"], float(average.attrs["size"]))
    centres = average[["bin_x", "bin_y"]].to_numpy()
    xname, yname = average.attrs.get("coordinates", ["x", "y"])
    axs = panel_grid(len(columns), ncols=ncols, panel_size=panel_size, axes=axes)
    for ax, col in zip(axs, columns, strict=True):
        polys = PolyCollection(
            centres[:, None, :] + shape[None, :, :], cmap=cmap, edgecolors="none"
        )
        polys.set_array(average[col].to_numpy(dtype=float))
        ax.add_collection(polys)
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.figure.colorbar(polys, ax=ax, shrink=0.8)
        ax.set_title(col)
        ax.set_xlabel(xname)
        ax.set_ylabel(yname)
    return axs
