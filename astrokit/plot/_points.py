"""Scatter plots that stay fast at a million points: matplotlib or Datashader.

:func:`points` draws ``y`` against ``x`` (an embedding, a BPT diagram, any two
columns) on a matplotlib axes. Below ``threshold`` points it is a plain
``ax.scatter`` (one :class:`~matplotlib.collections.PathCollection`); above it,
Datashader aggregates the points onto a ``width`` x ``height`` pixel grid
(``Canvas().points``) and the aggregate is drawn with ``ax.imshow`` (an
:class:`~matplotlib.image.AxesImage`), so the cost no longer grows with the
number of points and a million points draw in about a second. This is the
pattern of ``umap.plot.points``; every plot of astrokit that can hold many
points goes through here.

Three colourings, the same in both modes:

- nothing: point density (raster: shaded by ``how``, e.g. ``"eq_hist"``);
- ``values=``: a continuous quantity (raster: its mean per pixel), with a
  colour bar; points whose value is NaN are drawn in light grey underneath;
- ``labels=``: categories (cluster labels), with a legend; ``-1`` (noise)
  and missing labels are grey. In raster mode the colours of the categories
  in a pixel are mixed in proportion to their counts (``count_cat``).

:func:`panel_grid` lays out a figure of small panels for plots of many
features. Colours are fixed in :mod:`astrokit.plot._colors`, the raster is
drawn by :mod:`astrokit.plot._raster`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int
from astrokit.plot._colors import (
    MISSING_COLOR,
    category_colors,
    draw_legend,
    label_categories,
    value_limits,
)
from astrokit.plot._raster import HOWS, raster

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["points", "panel_grid"]


def _as_array(values, name: str, n: int | None = None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        msg = f"{name} must be one-dimensional; got shape {arr.shape}."
        raise ValueError(msg)
    if n is not None and arr.size != n:
        msg = f"{name} has {arr.size} values; x and y have {n}."
        raise ValueError(msg)
    return arr


def points(
    x,
    y,
    *,
    values=None,
    labels=None,
    ax=None,
    width: int = 600,
    height: int = 600,
    threshold: int | None = None,
    cmap: str | None = None,
    how: str = "eq_hist",
    vmin: float | None = None,
    vmax: float | None = None,
    size: float | None = None,
    colorbar: bool = True,
    legend: bool = True,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    clabel: str | None = None,
) -> Axes:
    """Scatter ``y`` against ``x``, rasterised by Datashader above ``threshold``.

    Parameters
    ----------
    x, y : array-like of shape (N,)
        Coordinates. Rows where either is NaN or infinite are left out. When
        they are ``pandas.Series``, their names label the axes.
    values : array-like of shape (N,), optional
        Continuous colour (e.g. a feature, a confidence). Limits default to
        the 1st and 99th percentiles (robust to a few extreme pixels).
    labels : array-like of shape (N,), optional
        Categories (e.g. cluster labels; ``-1`` means noise). Not together
        with ``values``.
    ax : matplotlib Axes, optional
        Where to draw; default a new 5 x 5 inch figure.
    width, height : int, default 600
        Size of the Datashader grid in pixels (the raster's resolution).
    threshold : int, optional
        Above this number of points, rasterise. Default ``width * height //
        10`` (36,000 at the default size), as in ``umap.plot``.
    cmap : str, optional
        Colormap for ``values`` (default ``"viridis"``) or for the density
        (default ``"Blues"`` in raster mode).
    how : {"eq_hist", "log", "cbrt", "linear"}, default "eq_hist"
        Scaling of the point density in raster mode without ``values`` or
        ``labels`` (histogram equalisation shows structure at every density);
        for ``labels``, how the count of points sets the opacity.
    vmin, vmax : float, optional
        Colour limits for ``values``.
    size : float, optional
        Marker area (points^2) in scatter mode; default shrinks with N.
    colorbar, legend : bool, default True
        Draw a colour bar (``values``, or density in raster mode) or a
        legend (``labels``).
    xlabel, ylabel, title : str, optional
        Axis labels (default: the names of ``x`` and ``y``) and title.
    clabel : str, optional
        Label of the colour bar of ``values``; default the physical label
        (:func:`astrokit.features.display_label`) of its Series name.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: its ``collections[-1]`` is the scatter's
        ``PathCollection`` in scatter mode; its ``images[-1]`` the
        ``AxesImage`` of the raster in Datashader mode.

    Raises
    ------
    ValueError
        Both ``values`` and ``labels``; lengths that differ; an unknown
        ``how``; a ``width``/``height`` below 1.
    TypeError
        A ``width``/``height`` that is not an integer.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rng = np.random.default_rng(0)
    >>> xy = rng.normal(size=(2, 500))
    >>> ax = points(xy[0], xy[1], labels=xy[0] > 0)
    >>> type(ax.collections[-1]).__name__
    'PathCollection'
    >>> ax = points(xy[0], xy[1], values=xy[1], threshold=100)
    >>> type(ax.images[-1]).__name__
    'AxesImage'
    >>> v = pd.Series(xy[1], name="log_oiii_hb")  # the colour bar says what it is
    >>> points(xy[0], xy[1], values=v).collections[-1].colorbar.ax.get_ylabel()[:12]
    'log [OIII]50'
    """
    import matplotlib.pyplot as plt

    if values is not None and labels is not None:
        msg = "Pass values= (a continuous colour) or labels= (categories), not both."
        raise ValueError(msg)
    if how not in HOWS:
        msg = f"how={how!r} is not a shading; use one of {list(HOWS)}."
        raise ValueError(msg)
    width = check_int(width, "width", what="pixels")
    height = check_int(height, "height", what="pixels")
    xlabel = getattr(x, "name", None) if xlabel is None else xlabel
    ylabel = getattr(y, "name", None) if ylabel is None else ylabel
    xa = _as_array(x, "x").astype(float)
    ya = _as_array(y, "y", xa.size).astype(float)
    keep = np.isfinite(xa) & np.isfinite(ya)
    xa, ya = xa[keep], ya[keep]
    vals = cats = None
    if values is not None:
        vals = _as_array(values, "values", keep.size).astype(float)[keep]
    if labels is not None:
        cats = label_categories(_as_array(labels, "labels", keep.size)[keep])
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    threshold = width * height // 10 if threshold is None else threshold
    if xa.size > threshold:
        raster(
            ax,
            xa,
            ya,
            vals,
            cats,
            width,
            height,
            cmap,
            how,
            vmin,
            vmax,
            colorbar,
            legend,
        )
    else:
        _scatter(ax, xa, ya, vals, cats, cmap, vmin, vmax, size, colorbar, legend)
    if clabel is None and getattr(values, "name", None) is not None:
        from astrokit.features._labels import display_label

        clabel = display_label(values.name)
    mappable = (ax.images or ax.collections or [None])[-1]
    bar = getattr(mappable, "colorbar", None)
    if bar is not None and clabel and vals is not None:
        bar.set_label(clabel)
    if xlabel is not None:
        ax.set_xlabel(str(xlabel))
    if ylabel is not None:
        ax.set_ylabel(str(ylabel))
    if title is not None:
        ax.set_title(title)
    return ax


def _scatter(ax, x, y, vals, cats, cmap, vmin, vmax, size, colorbar, legend):
    n = max(x.size, 1)
    size = float(np.clip(20_000 / n, 0.5, 20.0)) if size is None else size
    common = {"s": size, "linewidths": 0}
    if vals is not None:
        nan = ~np.isfinite(vals)
        if nan.any():
            ax.scatter(x[nan], y[nan], color=MISSING_COLOR, **common)
        lo, hi = value_limits(vals, vmin, vmax)
        sc = ax.scatter(
            x[~nan],
            y[~nan],
            c=vals[~nan],
            cmap=cmap or "viridis",
            vmin=lo,
            vmax=hi,
            **common,
        )
        if colorbar:
            ax.figure.colorbar(sc, ax=ax)
    elif cats is not None:
        colors = category_colors(cats.categories)
        order = np.random.default_rng(0).permutation(x.size)  # no overplot bias
        codes = cats.codes[order]
        palette = np.array([colors[c] for c in cats.categories] or ["#000000"])
        ax.scatter(x[order], y[order], c=palette[codes], **common)
        if legend:
            counts = pd.Series(cats).value_counts().to_dict()
            draw_legend(ax, colors, counts)
    else:
        ax.scatter(x, y, color="#1f77b4", **common)
    return ax


def panel_grid(
    n: int, *, ncols: int = 4, panel_size: float = 3.0, axes=None
) -> np.ndarray:
    """A figure of ``n`` panels in rows of ``ncols`` (unused panels hidden).

    Parameters
    ----------
    n : int
        Number of panels wanted.
    ncols : int, default 4
        Panels per row (fewer when ``n`` is smaller).
    panel_size : float, default 3.0
        Width and height of one panel, inches.
    axes : array of Axes, optional
        Reuse these instead (at least ``n`` of them).

    Returns
    -------
    numpy.ndarray of Axes
        Flat, length ``n``.

    Raises
    ------
    ValueError
        ``n`` below 1, or ``axes`` with fewer than ``n`` panels.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> panel_grid(5, ncols=3).shape
    (5,)
    """
    import matplotlib.pyplot as plt

    n = check_int(n, "n", what="panels")
    if axes is not None:
        flat = np.asarray(axes).ravel()
        if flat.size < n:
            msg = f"axes holds {flat.size} panels; {n} are needed."
            raise ValueError(msg)
        return flat[:n]
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, grid = plt.subplots(
        nrows,
        ncols,
        squeeze=False,
        layout="constrained",
        figsize=(panel_size * ncols, panel_size * nrows),
    )
    flat = grid.ravel()
    for extra in flat[n:]:
        extra.set_visible(False)
    return flat[:n]
