"""HoloViews elements for :mod:`astrokit.inspect`: a map and a histogram on a scale.

The caller has run :func:`astrokit.plot.ensure_extension` (BokehJS inline).
"""

from __future__ import annotations

import numpy as np

from astrokit.inspect._scales import Scaled, bin_edges
from astrokit.inspect._sources import Source, plain

__all__ = ["REGRID_ABOVE", "image_element", "histogram_element"]

REGRID_ABOVE = 1_000_000
"""Maps with more pixels than this are regridded by Datashader (``regrid``).

Below it the whole map goes to the browser (at most ~4 MB per value layer in
float32) and stays sharp when zoomed, even in a saved HTML file with no
kernel behind it; above it Datashader sends only what the plot's width and
height can show and re-renders on zoom (which needs a live kernel).
"""


def _title(src: Source, s: Scaled, extra: str = "") -> str:
    """Three lines (equal heights keep a Layout's rows aligned): what; the
    scale (and floor); what the scale did."""
    where = f" — {src.where}" if src.where else ""
    scale = s.scale + extra + (f", {s.floor_text}" if s.floor is not None else "")
    return f"{plain(src.label)}{where}\n{scale}\n{s.describe('pixels')}"


def _value_dim(src: Source):
    import holoviews as hv

    label = plain(src.label)
    return hv.Dimension(src.band, label=label, unit=src.unit_text() or None)


def image_element(
    src: Source,
    s: Scaled,
    *,
    cmap: str,
    regrid: bool | None,
    width: int,
):
    """An ``hv.Image`` of the scaled map (a DynamicMap when regridded)."""
    import holoviews as hv

    image = src.image
    ny, nx = image.shape
    large = image.size > REGRID_ABOVE if regrid is None else bool(regrid)
    xs, ys = np.arange(nx), np.arange(ny)
    value = _value_dim(src)
    layers = [s.values.astype(np.float32)]
    vdims = [value]
    if s.scale != "linear":
        layers.append(image.astype(np.float32))
        vdims.append(hv.Dimension(f"{src.band}_raw", label="value before scaling"))
    if src.wcs is not None and not large:
        gx, gy = np.meshgrid(xs, ys)
        ra, dec = src.wcs.pixel_to_world_values(gx, gy)
        layers += [np.asarray(ra, np.float32), np.asarray(dec, np.float32)]
        vdims += [
            hv.Dimension("ra", label="RA", unit="deg"),
            hv.Dimension("dec", label="Dec", unit="deg"),
        ]
    element = hv.Image((xs, ys, *layers), kdims=["x", "y"], vdims=vdims)
    opts = {
        "cmap": cmap,
        "colorbar": True,
        "logz": s.scale != "linear",
        "tools": ["hover"],
        # The frame (not the whole figure) is sized, so square pixels stay
        # square and the colour bar sits outside it at any plot width.
        "frame_width": width,
        "frame_height": max(1, round(width * ny / nx)),
        "title": _title(src, s),
        "xlabel": "x [pixel]",
        "ylabel": "y [pixel]",
        "clipping_colors": {"NaN": "transparent"},
        "fontsize": {"title": 9},
    }
    if np.isfinite(s.vmin):
        opts["clim"] = (s.vmin, s.vmax)
    if large:
        from holoviews.operation.datashader import regrid as _regrid

        size = {"width": opts["frame_width"], "height": opts["frame_height"]}
        return _regrid(element, **size).opts(**opts)
    return element.opts(**opts)


def histogram_element(src: Source, s: Scaled, *, bins: int, logy: bool, width: int):
    """An ``hv.Histogram`` of the scaled values (log-spaced bins on log scales)."""
    import holoviews as hv

    finite = s.values[np.isfinite(s.values)]
    edges = bin_edges(s, bins)
    counts, edges = np.histogram(finite, bins=edges)
    element = hv.Histogram((edges, counts), kdims=[_value_dim(src)], vdims=["count"])
    bins_text = "linear bins" if s.scale == "linear" else "log-spaced bins"
    title = _title(src, s, f" ({bins} {bins_text})")
    return element.opts(
        logx=s.scale != "linear",
        logy=logy,
        # In a Layout, a log axis must not share the range of a linear one
        # (which would include values <= 0); maps still link pan and zoom.
        shared_axes=False,
        axiswise=True,
        tools=["hover"],
        width=width,
        height=300,
        title=title,
        fontsize={"title": 9},
        ylabel="number of pixels",
        yformatter=None if logy else "%.0f",
        color="#3b528b",
    )
