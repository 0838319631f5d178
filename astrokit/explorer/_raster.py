"""Datashader aggregation for the explorer's views, and their static PNG.

:func:`aggregate` is the one operation behind every view update: count the
rows per screen pixel and average the colouring column over them, in one
Datashader pass over a frame of three columns that share memory with the
explorer's arrays (nothing is copied per update). :func:`static_png` draws
the same views with matplotlib through :func:`astrokit.plot.points`, for
pages that have no live kernel.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

__all__ = [
    "Raster",
    "aggregate",
    "categories",
    "frame",
    "robust_limits",
    "static_png",
]


def frame(x: np.ndarray, y: np.ndarray, values: np.ndarray | None) -> pd.DataFrame:
    """A DataFrame over the arrays ``x``, ``y`` (and ``v``) without copying.

    ``values`` as a ``pandas.Categorical`` becomes the column ``c``: the
    views then show the majority category per pixel.
    """
    data = {"x": x, "y": y}
    if isinstance(values, pd.Categorical):
        data["c"] = values
    elif values is not None:
        data["v"] = values
    return pd.DataFrame(data, copy=False)


def categories(codes: np.ndarray, n: int) -> pd.Categorical:
    """Codes (``-1``: missing) as a Categorical of ``n + 1`` categories, the
    last one standing for missing (Datashader's ``by`` needs no NaN)."""
    codes = np.where(codes < 0, n, codes).astype(np.int32)
    return pd.Categorical.from_codes(codes, categories=list(range(n + 1)))


class Raster:
    """One aggregate: pixel centres, count per pixel, mean of ``v`` per pixel."""

    def __init__(self, xs, ys, count, mean):
        self.xs, self.ys, self.count, self.mean = xs, ys, count, mean
        self.marks: dict = {}  # overlay name: its count, from "mark NAME" columns


def aggregate(
    data: pd.DataFrame,
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    width: int,
    height: int,
) -> Raster:
    """Count (and mean of ``v``, when ``data`` has it) on a width x height grid.

    Columns ``"mark NAME"`` (1 for a marked row, NaN otherwise) are counted
    in the same pass, into ``Raster.marks[NAME]`` (not with categories ``c``).

    Examples
    --------
    >>> d = frame(np.array([0.1, 0.9]), np.array([0.1, 0.9]), np.array([1.0, 3.0]))
    >>> r = aggregate(d, x_range=(0, 1), y_range=(0, 1), width=2, height=2)
    >>> r.count.tolist()
    [[1, 0], [0, 1]]
    >>> r.mean.tolist()
    [[1.0, nan], [nan, 3.0]]
    >>> c = categories(np.array([1, -1]), 2)  # the majority category instead
    >>> aggregate(frame(d.x, d.y, c), x_range=(0, 1), y_range=(0, 1),
    ...           width=2, height=2).mean.tolist()
    [[1.0, nan], [nan, nan]]
    """
    import datashader as ds

    canvas = ds.Canvas(
        plot_width=int(width),
        plot_height=int(height),
        x_range=tuple(map(float, x_range)),
        y_range=tuple(map(float, y_range)),
    )
    if "c" in data.columns:
        per = canvas.points(data, "x", "y", ds.by("c", ds.count())).to_numpy()
        count = per.sum(axis=-1)
        real = per[..., :-1]
        mean = np.where(real.sum(axis=-1) > 0, real.argmax(axis=-1), np.nan)
        xs = np.linspace(*x_range, int(width) + 1)
        ys = np.linspace(*y_range, int(height) + 1)
        return Raster((xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2, count, mean)
    marks = [c for c in data.columns if c.startswith("mark ")]
    reductions = {"count": ds.count(), **{c: ds.count(c) for c in marks}}
    if "v" in data.columns:
        reductions["mean"] = ds.mean("v")
    agg = canvas.points(data, "x", "y", ds.summary(**reductions))
    count = agg["count"]
    mean = agg["mean"].to_numpy() if "v" in data.columns else None
    raster = Raster(
        count.coords["x"].to_numpy(), count.coords["y"].to_numpy(), count.to_numpy(),
        mean,
    )  # fmt: skip
    raster.marks = {c[len("mark ") :]: agg[c].to_numpy() for c in marks}
    return raster


def robust_limits(values: np.ndarray, *, log: bool = False) -> tuple[float, float]:
    """1st and 99th percentiles of the finite (positive, for ``log``) values.

    Examples
    --------
    >>> robust_limits(np.arange(101.0))
    (1.0, 99.0)
    """
    v = values[np.isfinite(values)]
    if log:
        v = v[v > 0]
    if v.size > 1_000_000:  # percentiles of a million-row sample are exact enough
        v = v[:: v.size // 1_000_000]
    if v.size == 0:
        return (1.0, 10.0) if log else (0.0, 1.0)
    lo, hi = (float(p) for p in np.percentile(v, [1, 99]))
    if hi <= lo:
        hi = lo * 10 if log else lo + 1.0
    return lo, hi


def static_png(
    views,
    *,
    color: str | None,
    values: np.ndarray | None,
    mask,
    dpi: int = 80,
    labels: np.ndarray | None = None,
) -> bytes:
    """A PNG of the views side by side, selected rows outlined in red.

    ``views`` is a list of ``(title, ViewRows, xlabel, ylabel, equal)``
    (``equal``: same scale on both axes, for sky pixels); ``values``
    the colour column over all rows of the table (or None for density);
    ``mask`` the selection over all rows (or None); ``labels`` a
    categorical colour column over all rows (instead of ``values``).
    """
    import matplotlib

    from astrokit.plot import panel_grid, points

    if labels is not None:
        values = None
    limits = robust_limits(values) if values is not None else None
    with matplotlib.rc_context({"figure.max_open_warning": 0}):
        axes = panel_grid(len(views), ncols=min(len(views), 4), panel_size=3.6)
        for ax, (title, rows, xlabel, ylabel, equal) in zip(axes, views, strict=True):
            if rows.x.size == 0:
                ax.text(0.5, 0.5, "no rows with finite coordinates", ha="center")
                ax.set_title(title)
                continue
            kwargs = {}
            if labels is not None:
                kwargs = {"labels": labels[rows.positions]}
            elif values is not None:
                kwargs = {"values": values[rows.positions], "cmap": "viridis"}
                kwargs["vmin"], kwargs["vmax"] = limits
            width, height = _grid(rows.x), _grid(rows.y)
            points(
                rows.x,
                rows.y,
                ax=ax,
                width=width,
                height=height,
                xlabel=xlabel,
                ylabel=ylabel,
                title=title,
                colorbar=values is not None and labels is None,
                **kwargs,
            )
            if equal:
                ax.set_aspect("equal", adjustable="box")
            if mask is not None and mask[rows.positions].any():
                chosen = mask[rows.positions]
                scatter = rows.x.size <= width * height // 10  # as points() does
                shape = (width, height)
                _outline(ax, rows.x[chosen], rows.y[chosen], shape, scatter)
        fig = axes[0].figure
        if color is not None:
            fig.suptitle(f"colour: mean of {color} per pixel (static preview)")
        else:
            fig.suptitle("point density (static preview)")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        matplotlib.pyplot.close(fig)
    return buffer.getvalue()


def _grid(v: np.ndarray, default: int = 300) -> int:
    """Cells along one axis: for integer (pixel) coordinates, none narrower than
    a pixel (no empty stripes between pixels); else ``default``."""
    if v.size == 0 or not np.all(v[:1000] == np.round(v[:1000])):
        return default
    span = float(v.max() - v.min())
    padded = 1.04 * span if span > 0 else 1.0
    return int(np.clip(np.floor(padded), 2, 600))


def _outline(ax, x, y, shape, scatter: bool) -> None:
    import datashader as ds

    if scatter:  # the view was drawn as a scatter plot: so is the selection
        ax.scatter(x, y, s=4, color="#e4002b", linewidths=0)
        return
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    canvas = ds.Canvas(
        plot_width=shape[0], plot_height=shape[1], x_range=(x0, x1), y_range=(y0, y1)
    )
    count = canvas.points(frame(x, y, None), "x", "y", ds.count()).to_numpy()
    rgba = np.zeros((*count.shape, 4))
    rgba[count > 0] = (0.89, 0.0, 0.17, 0.9)
    ax.imshow(
        rgba,
        origin="lower",
        extent=(x0, x1, y0, y1),
        aspect="auto",
        interpolation="nearest",
    )
