"""One rasterised, selectable view of the explorer (embedding or one galaxy).

A :class:`View` owns the rows it shows (positions in the table and their two
coordinates, as ``float32`` where exact) and a HoloViews ``DynamicMap``
driven by three streams: the visible range (``RangeXY``), the plot's size
in screen pixels (``PlotSize``) and a ``Refresh`` counter the explorer bumps
when the colour or the selection changes. Every call aggregates the rows
with Datashader at the screen's resolution (:mod:`astrokit.explorer._raster`)
and returns two images: the colour (count, or mean of the colouring column
per pixel, normalised here in Python so that linear / log / eq_hist never
depend on swapping Bokeh colour mappers) and the selected rows in red, which
are re-aggregated alone (a subset, usually far smaller than the view).

Selection does not use ``hv.link_selections``: its lasso does not work on
rasterised plots (holoviews #5041, #5117, #5875), and it re-filters the
whole table per view. Instead Bokeh's selection geometry (box and lasso
tools) reaches Python through ``BoundsXY`` and ``Lasso`` streams and is
turned into rows here with NumPy; the explorer then refreshes every view.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit.explorer._raster import Raster, aggregate
from astrokit.features import display_label

__all__ = ["View", "normalise", "NORMS", "SELECTED_COLOR", "GROUP_COLORS"]

log = logging.getLogger(__name__)
NORMS = ("linear", "log", "eq_hist")
SELECTED_COLOR = "#e4002b"
GROUP_COLORS = {"A": "#ff00d4", "B": "#00c2ff"}
"""Colours of the two groups compared (magenta, cyan): apart from the red
selection and from every colormap, which is dimmed while rows are marked."""
DIMMED = 0.3
# Blues without its near-white end, so that single points stay visible.
DENSITY_CMAP = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def normalise(values: np.ndarray, norm: str, limits) -> tuple[np.ndarray, tuple]:
    """Colour values of a raster and their colour limits under ``norm``.

    ``linear`` keeps the values (limits ``limits``); ``log`` takes log10 of
    the positive ones (others become NaN, i.e. transparent); ``eq_hist``
    replaces each finite value by the fraction of the raster's finite values
    at or below it (its empirical CDF, 0 to 1): histogram equalisation, as
    Datashader's ``shade(how="eq_hist")``; a uniform raster is all 1.

    Examples
    --------
    >>> v = np.array([[1.0, 10.0], [100.0, np.nan]])
    >>> normalise(v, "log", (1, 100))[0].tolist()
    [[0.0, 1.0], [2.0, nan]]
    >>> np.round(normalise(v, "eq_hist", None)[0], 2).tolist()
    [[0.33, 0.67], [1.0, nan]]
    """
    values = values.astype(np.float64, copy=True)
    if norm == "linear":
        return values, tuple(limits)
    if norm == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(values > 0, np.log10(values), np.nan)
        lo, hi = limits
        return out, (np.log10(lo), np.log10(hi))
    if norm == "eq_hist":
        finite = np.isfinite(values)
        if finite.sum() > 1:
            ordered = np.sort(values[finite])
            cdf = np.searchsorted(ordered, values[finite], side="right")
            values[finite] = cdf / ordered.size
        elif finite.any():
            values[finite] = 1.0
        return values, (0.0, 1.0)
    msg = f"norm={norm!r} is not a normalisation; use one of {list(NORMS)}."
    raise ValueError(msg)


class View:
    """A rasterised view of some rows: a DynamicMap plus its selection streams.

    Parameters
    ----------
    key : str
        Name used by the explorer (``"embedding"`` or a galaxy name).
    rows : ViewRows
    labels : (str, str)
        Axis labels.
    owner : Explorer
        Supplies the colour column, the normalisation, the selection mask and
        receives box/lasso selections (``owner._select(view, kind, geometry)``).
    size : (int, int)
        Frame width and height in screen pixels.
    """

    def __init__(self, key, rows, labels, owner, *, size=(420, 420), square=False):
        self.key, self.rows, self.labels, self.owner = key, rows, labels, owner
        self.size = size
        # Integer coordinates (sky pixels): never finer than one cell per pixel.
        self.unit = 1.0 if square and rows.integral else None
        # Few rows: coarser cells so that isolated points stay visible.
        sparse = size[0] * size[1] / max(4 * rows.n, 1)
        self.coarsen = int(np.clip(np.round(np.sqrt(sparse)), 1, 4))
        self.data, self.values = rows.frame(None), None
        self.marked: dict = {}  # "A", "B", "selected": frames of those rows
        self.lazy_masks: dict = {}  # the same, as lazy masks (Dask tables)
        self._cache: tuple | None = None
        x0, y0, x1, y1 = rows.bounds
        if square:  # equal scales on a square frame
            half = max(x1 - x0, y1 - y0) / 2
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            x0, x1, y0, y1 = cx - half, cx + half, cy - half, cy + half
        self.extent = (x0, y0, x1, y1)
        self.renders = 0
        self.dmap = None

    # -- data -------------------------------------------------------------
    def set_values(self, values) -> None:
        """Colour by ``values`` (over all table rows), or density when None."""
        self.data, self.values = self.rows.frame(values), values
        self._cache = None

    def set_selection(self, mask) -> None:
        """Keep the selected rows of this view (a subset) as its red overlay."""
        self.mark("selected", mask)

    def mark(self, name: str, mask) -> None:
        """Keep the rows of ``mask`` as the overlay ``name`` (None: no overlay)."""
        marked = self.rows.marked(mask)
        self.lazy_masks.pop(name, None)
        if self._cache is not None:  # its count of the old mask is stale
            self._cache[1].marks.pop(name, None)
        if marked is None:
            self.marked.pop(name, None)
        else:
            self.marked[name] = marked
            if not isinstance(marked, pd.DataFrame):  # a Dask frame
                self.lazy_masks[name] = mask

    @property
    def selected(self):
        """The selected rows' frame, or None."""
        return self.marked.get("selected")

    def rows_in(self, kind: str, geometry) -> np.ndarray:
        """This view's rows inside a box or lasso: table positions (a lazy
        mask over the table's rows for a Dask table)."""
        return self.rows.inside(kind, geometry)

    def raster(self, x_range=None, y_range=None, width=None, height=None):
        """(main Raster, {overlay: count}) for a range and pixel size."""
        x0, y0, x1, y1 = self.extent
        x_range = x_range or (x0, x1)
        y_range = y_range or (y0, y1)
        width = max(int(width or self.size[0]) // self.coarsen, 2)
        height = max(int(height or self.size[1]) // self.coarsen, 2)
        if self.unit is not None:
            x_range, width = _snap(x_range, width)
            y_range, height = _snap(y_range, height)
        grid = {"x_range": tuple(x_range), "y_range": tuple(y_range)}
        grid.update(width=width, height=height)
        key = (tuple(x_range), tuple(y_range), grid["width"], grid["height"])
        order = [k for k in ("A", "B", "selected") if k in self.marked]
        lazy = {k: self.lazy_masks[k] for k in order if k in self.lazy_masks}
        categorical = "c" in self.data.columns
        if self._cache is not None and self._cache[0] == key:
            main = self._cache[1]
        elif lazy and not categorical:  # lazy overlays: one pass over the rows
            main = aggregate(self.rows.frame(self.values, marks=lazy), **grid)
            self._cache = (key, main)
        else:
            main = aggregate(self.data, **grid)
            self._cache = (key, main)
        counts = {}
        for k in order:
            counts[k] = main.marks.get(k)
            if counts[k] is None:
                counts[k] = aggregate(self.marked[k], **grid).count
        return main, counts

    # -- HoloViews ----------------------------------------------------------
    def build(self):
        """The DynamicMap (created once) with its selection streams attached."""
        import holoviews as hv

        if self.dmap is not None:
            return self.dmap
        # Compile Datashader's count kernel for these dtypes now (about half a
        # second, once per process) rather than at the first selection.
        aggregate(self.rows.warmup(), x_range=(0, 1), y_range=(0, 1), width=2, height=2)
        self.refresh = hv.streams.Stream.define("Refresh", version=0)()
        streams = [hv.streams.RangeXY(), hv.streams.PlotSize(), self.refresh]
        self.dmap = hv.DynamicMap(self._render, streams=streams)
        self.box = hv.streams.BoundsXY(source=self.dmap)
        self.box.add_subscriber(lambda bounds: self._on_geometry("box", bounds))
        self.lasso = hv.streams.Lasso(source=self.dmap)
        self.lasso.add_subscriber(lambda geometry: self._on_geometry("lasso", geometry))
        return self.dmap

    def _on_geometry(self, kind, geometry):
        if geometry is None:
            return
        self.owner._select(self.key, kind, geometry)

    def bump(self) -> None:
        """Re-render (colour or selection changed)."""
        if self.dmap is not None:
            self.refresh.event(version=self.refresh.version + 1)

    def _render(
        self, x_range=None, y_range=None, width=None, height=None, scale=1, version=0
    ):

        self.renders += 1
        try:
            main, selected = self.raster(x_range, y_range, width, height)
        except Exception as err:  # never a traceback in the widget
            log.exception("aggregation failed")
            self.owner._message(f"Could not draw {self.key}: {err}", kind="danger")
            main = Raster(np.zeros(2), np.zeros(2), np.zeros((2, 2)), None)
            selected = {}
        return self._images(main, selected)

    def _images(self, main: Raster, marked: dict):
        import holoviews as hv

        column = self.owner.color
        palette = self.owner.palette  # category colours, or None
        count = main.count.astype(np.float64)
        shown = np.where(count > 0, count, np.nan) if main.mean is None else main.mean
        limits = self.owner._limits()
        if palette is not None:  # the majority category per pixel
            colour, clim = shown, (-0.5, len(palette) - 0.5)
            limits = clim
        else:
            colour, clim = normalise(shown, self.owner.norm, limits)
        selected = marked.get("selected")
        sel = np.zeros_like(count) if selected is None else selected.astype(float)
        xs, ys = main.xs, main.ys
        label = "count" if column is None else "category" if palette else "mean"
        text = label if column is None else f"{label} {self.owner.color_label}"
        # Dimension ranges given up front: HoloViews then never takes the
        # nanmin of an all-NaN raster (a zoom onto empty sky).
        lo, hi = limits
        dims = [
            hv.Dimension("colour", range=clim),
            hv.Dimension(label, label=text, range=(lo, hi)),
            hv.Dimension("count", range=(0, 1)),
            hv.Dimension("selected", range=(0, 1)),
        ]
        arrays = (colour, shown, count, sel)
        if column is None:
            dims, arrays = [dims[0], *dims[2:]], (colour, count, sel)
        tips = [(d.label, f"@{{{d.name}}}") for d in dims[1:]]
        kdims = [
            hv.Dimension(c, label=display_label(c, tex=False)) for c in self.labels
        ]
        image = hv.Image((xs, ys, *arrays), kdims=kdims, vdims=dims)
        cmap = palette or ("viridis" if column else DENSITY_CMAP)
        image = image.opts(
            cmap=list(cmap) if palette else cmap,
            clim=clim,
            colorbar=palette is None,
            alpha=DIMMED if marked else 1.0,
            clabel=" ",
            tools=["hover", "box_select", "lasso_select"],
            hover_tooltips=tips,
            active_tools=["box_select", "wheel_zoom"],
            frame_width=self.size[0],
            frame_height=self.size[1],
            title=self.title,
            clipping_colors={"NaN": (0, 0, 0, 0)},
            xlim=self.extent[::2],
            ylim=self.extent[1::2],
        )
        layers = [image]
        for name in ("A", "B", "selected"):
            counts = marked.get(name)
            if counts is None:  # an empty layer keeps the overlay's structure
                counts = np.zeros_like(count)
            colour = GROUP_COLORS.get(name, SELECTED_COLOR)
            layers.append(
                hv.Image(
                    (xs, ys, (counts > 0).astype(np.float64)),
                    kdims=kdims,
                    vdims=[hv.Dimension(f"highlight {name}", range=(0, 1))],
                ).opts(cmap=["#00000000", colour], clim=(0, 1), alpha=1.0, tools=[])
            )
        return hv.Overlay(layers)

    @property
    def title(self) -> str:
        """Short enough for the view's width: name and rows."""
        dropped = f", {self.rows.dropped:,} NaN" if self.rows.dropped else ""
        return f"{self.key} ({self.rows.n:,} rows{dropped})"


def _snap(span, cells):
    """Cells at least one pixel wide, edges on half-integers (pixel centres)."""
    lo, hi = float(span[0]), float(span[1])
    if hi - lo > cells:
        return (lo, hi), cells
    lo = np.floor(lo - 0.5) + 0.5
    n = max(int(np.ceil(hi - lo)), 1)
    return (lo, lo + n), n
