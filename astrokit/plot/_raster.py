"""The Datashader side of :func:`astrokit.plot.points`: aggregate, then imshow.

Above the threshold, the points are aggregated onto a ``width`` x ``height``
grid (``Canvas().points``: count, mean of a value, or count per category)
and the aggregate is drawn with ``ax.imshow``, so the cost no longer grows
with the number of points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit.plot._colors import (
    MISSING_COLOR,
    category_colors,
    draw_legend,
    value_limits,
)

__all__ = ["HOWS", "raster"]

HOWS = ("eq_hist", "log", "cbrt", "linear")
"""Shadings of the point density (``how=`` of :func:`astrokit.plot.points`)."""


def _range(v: np.ndarray) -> tuple[float, float]:
    lo, hi = float(np.min(v)), float(np.max(v))
    pad = 0.02 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def raster(
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
        lo, hi = value_limits(vals, vmin, vmax)
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
            draw_legend(ax, colors, pd.Series(cats).value_counts().to_dict())
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
