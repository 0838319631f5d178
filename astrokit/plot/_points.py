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
features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["points", "panel_grid", "category_colors", "NOISE_COLOR", "MISSING_COLOR"]

NOISE_COLOR = "#b0b0b0"
"""Colour of label ``-1`` (noise) and of missing labels."""
MISSING_COLOR = "#e0e0e0"
"""Colour of points whose value is NaN (drawn under the coloured points)."""
_HOWS = ("eq_hist", "log", "cbrt", "linear")


def category_colors(categories) -> dict:
    """A colour (hex string) for every category; ``-1`` and ``"noise"`` grey.

    ``tab10`` up to 10 categories, ``tab20`` up to 20, then Glasbey's
    palette (colorcet). The order of ``categories`` fixes the colours, so
    the same labels get the same colours in every plot.

    Examples
    --------
    >>> category_colors([-1, 0, 1])
    {-1: '#b0b0b0', 0: '#1f77b4', 1: '#ff7f0e'}
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cats = list(categories)
    real = [c for c in cats if not _is_noise(c)]
    if len(real) <= 10:
        palette = [to_hex(c) for c in colormaps["tab10"].colors]
    elif len(real) <= 20:
        palette = [to_hex(c) for c in colormaps["tab20"].colors]
    else:
        import colorcet

        palette = [to_hex(c) for c in colorcet.glasbey_category10]
    colors = {}
    i = 0
    for c in cats:
        if _is_noise(c):
            colors[c] = NOISE_COLOR
        else:
            colors[c] = palette[i % len(palette)]
            i += 1
    return colors


def _is_noise(label) -> bool:
    return (isinstance(label, int | np.integer) and label == -1) or label == "noise"


def _as_array(values, name: str, n: int | None = None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        msg = f"{name} must be one-dimensional; got shape {arr.shape}."
        raise ValueError(msg)
    if n is not None and arr.size != n:
        msg = f"{name} has {arr.size} values; x and y have {n}."
        raise ValueError(msg)
    return arr


def _range(v: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(v)), float(np.max(v))
    pad = 0.02 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def _limits(values: np.ndarray, vmin, vmax) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (0.0, 1.0) if vmin is None or vmax is None else (vmin, vmax)
    lo, hi = np.percentile(finite, [1, 99])
    lo = lo if vmin is None else vmin
    hi = hi if vmax is None else vmax
    return (float(lo), float(hi)) if hi > lo else (float(lo) - 0.5, float(lo) + 0.5)


def _labels_categorical(labels) -> pd.Categorical:
    """Labels as a Categorical, sorted, with missing values mapped to noise."""
    series = pd.Series(labels)
    if series.isna().any():
        fill = -1 if pd.api.types.is_numeric_dtype(series) else "noise"
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.cat.add_categories([fill])
        series = series.fillna(fill)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = list(series.cat.categories)
        return pd.Categorical(series, categories=[c for c in cats if c in set(series)])
    return pd.Categorical(series, categories=sorted(pd.unique(series), key=_sort_key))


def _sort_key(label):
    return (
        (0, label, "")
        if isinstance(label, int | float | np.number)
        else (1, 0, str(label))
    )


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
):
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
        ``how``; a non-positive ``width``/``height``.

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
    """
    import matplotlib.pyplot as plt

    if values is not None and labels is not None:
        msg = "Pass values= (a continuous colour) or labels= (categories), not both."
        raise ValueError(msg)
    if how not in _HOWS:
        msg = f"how={how!r} is not a shading; use one of {list(_HOWS)}."
        raise ValueError(msg)
    for name, v in (("width", width), ("height", height)):
        if not isinstance(v, int | np.integer) or v < 1:
            msg = f"{name}={v!r} must be a positive integer (pixels)."
            raise ValueError(msg)
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
        cats = _labels_categorical(_as_array(labels, "labels", keep.size)[keep])
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    threshold = width * height // 10 if threshold is None else threshold
    if xa.size > threshold:
        _raster(
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
    if xlabel is not None:
        ax.set_xlabel(str(xlabel))
    if ylabel is not None:
        ax.set_ylabel(str(ylabel))
    if title is not None:
        ax.set_title(title)
    return ax


def _legend(ax, colors: dict, counts: dict) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=colors[c], label=f"{c} ({counts[c]:,})") for c in colors]
    ax.legend(handles=handles, fontsize="small", loc="best", framealpha=0.8)


def _scatter(ax, x, y, vals, cats, cmap, vmin, vmax, size, colorbar, legend):
    n = max(x.size, 1)
    size = float(np.clip(20_000 / n, 0.5, 20.0)) if size is None else size
    common = {"s": size, "linewidths": 0}
    if vals is not None:
        nan = ~np.isfinite(vals)
        if nan.any():
            ax.scatter(x[nan], y[nan], color=MISSING_COLOR, **common)
        lo, hi = _limits(vals, vmin, vmax)
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
            _legend(ax, colors, counts)
    else:
        ax.scatter(x, y, color="#1f77b4", **common)
    return ax


def _raster(
    ax, x, y, vals, cats, width, height, cmap, how, vmin, vmax, colorbar, legend
):
    import datashader as ds
    import datashader.transfer_functions as tf
    from matplotlib.colors import LogNorm, Normalize, PowerNorm

    xr, yr = _range(x), _range(y)
    canvas = ds.Canvas(plot_width=width, plot_height=height, x_range=xr, y_range=yr)
    frame = pd.DataFrame({"x": x, "y": y})
    show = {
        "origin": "lower",
        "extent": (*xr, *yr),
        "aspect": "auto",
        "interpolation": "nearest",
    }
    if vals is not None:
        frame["v"] = vals
        count = canvas.points(frame, "x", "y").to_numpy()
        mean = canvas.points(frame, "x", "y", ds.mean("v")).to_numpy()
        grey = (count > 0) & ~np.isfinite(mean)
        if grey.any():
            rgba = np.zeros((*grey.shape, 4))
            rgba[grey] = _rgba(MISSING_COLOR)
            ax.imshow(rgba, **show)
        lo, hi = _limits(vals, vmin, vmax)
        image = ax.imshow(
            np.ma.masked_invalid(mean),
            cmap=cmap or "viridis",
            norm=Normalize(lo, hi),
            **show,
        )
        if colorbar:
            ax.figure.colorbar(image, ax=ax)
    elif cats is not None:
        frame["c"] = cats
        agg = canvas.points(frame, "x", "y", ds.count_cat("c"))
        colors = category_colors(cats.categories)
        shaded = tf.shade(agg, color_key=colors, how=how, min_alpha=100)
        rgba = shaded.to_numpy().view(np.uint8).reshape(height, width, 4)
        ax.imshow(rgba, **show)
        if legend:
            _legend(ax, colors, pd.Series(cats).value_counts().to_dict())
    else:
        from datashader.mpl_ext import EqHistNormalize

        count = canvas.points(frame, "x", "y").to_numpy().astype(float)
        norm = {
            "eq_hist": EqHistNormalize(),
            "log": LogNorm(),
            "cbrt": PowerNorm(1 / 3),
            "linear": Normalize(),
        }[how]
        image = ax.imshow(
            np.ma.masked_less_equal(count, 0), cmap=cmap or "Blues", norm=norm, **show
        )
        if colorbar:
            ax.figure.colorbar(image, ax=ax, label="points per pixel")
    ax.set_xlim(*xr)
    ax.set_ylim(*yr)
    return ax


def _rgba(color: str) -> np.ndarray:
    from matplotlib.colors import to_rgba

    return np.array(to_rgba(color))


def panel_grid(n: int, *, ncols: int = 4, panel_size: float = 3.0, axes=None):
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

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> panel_grid(5, ncols=3).shape
    (5,)
    """
    import matplotlib.pyplot as plt

    if n < 1:
        msg = f"n={n!r} panels: at least one is needed."
        raise ValueError(msg)
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
