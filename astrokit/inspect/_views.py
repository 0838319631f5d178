"""Interactive views of a map and its histograms (HoloViews + Bokeh, inline)."""

from __future__ import annotations

import pandas as pd

from astrokit.inspect._figures import on_scale
from astrokit.inspect._scales import SCALES, check_scale
from astrokit.inspect._sources import resolve

__all__ = ["map_view", "hist_view", "scales_view"]


def map_view(
    table,
    band: str,
    *,
    scale: str = "log",
    galaxy: str | None = None,
    floor: float | None = None,
    cmap: str = "magma",
    regrid: bool | None = None,
    width: int = 400,
    wcs=None,
    err=None,
    unit: str | None = None,
):
    """An interactive map of one band on one scale (HoloViews, Bokeh).

    Hover shows the pixel, the value shown, the value before scaling and,
    when the WCS is known, RA and Dec. Maps larger than
    ``astrokit.inspect._holoviews.REGRID_ABOVE`` pixels (1,000,000) are regridded by
    Datashader to the plot's size. BokehJS is served inline (offline), see
    :func:`astrokit.plot.ensure_extension`.

    Parameters
    ----------
    table, band, galaxy, floor, cmap, wcs, err, unit
        As in :func:`plot_map_scales`.
    scale : {"log", "linear", "clipped-log"}, default "log"
        The colour scale; the title counts the pixels dropped or clipped.
    regrid : bool, optional
        Force (True) or prevent (False) Datashader regridding; default by size.
    width : int, default 400
        Width of the map's frame in screen pixels (the height follows the
        map's shape, so pixels stay square; the colour bar is outside).

    Returns
    -------
    holoviews.Image or holoviews.DynamicMap
        An ``hv.Image``, or a DynamicMap of regridded images when large.

    Raises
    ------
    ValueError
        As :func:`plot_map_scales`.

    Examples
    --------
    >>> import numpy as np
    >>> view = map_view(np.array([[1.0, -2.0], [3.0, 40.0]]), "co21")
    >>> type(view).__name__, view.opts.get().kwargs["logz"]
    ('Image', True)
    """
    from astrokit.inspect import _holoviews
    from astrokit.plot import ensure_extension

    ensure_extension()
    src = resolve(table, band, galaxy=galaxy, wcs=wcs, err=err, unit=unit)
    s = on_scale(src, src.image, check_scale(scale), floor)
    return _holoviews.image_element(src, s, cmap=cmap, regrid=regrid, width=width)


def hist_view(
    table,
    band: str,
    *,
    scale: str = "log",
    bins: int = 50,
    galaxy: str | None = None,
    floor: float | None = None,
    logy: bool = False,
    width: int = 460,
    unit: str | None = None,
):
    """An interactive histogram of one band on one scale (HoloViews, Bokeh).

    Parameters
    ----------
    table, band, galaxy, unit
        As in :func:`plot_histograms`.
    scale : {"log", "linear", "clipped-log"}, default "log"
        ``"log"``: log-spaced bins on a log x axis, values <= 0 excluded;
        ``"clipped-log"``: the same with values below ``floor`` counted in
        the first bin. The title counts what was excluded or clipped.
    bins : int, default 50
        Number of bins.
    floor : float, optional
        Floor of ``"clipped-log"`` (default as in :func:`plot_map_scales`).
    logy : bool, default False
        Log count axis (the log-log histogram).
    width : int
        Plot width in screen pixels.

    Returns
    -------
    holoviews.Histogram

    Raises
    ------
    ValueError
        As :func:`plot_histograms`, and an unknown ``scale``.

    Examples
    --------
    >>> import numpy as np
    >>> view = hist_view(np.array([-1.0, 0.0, 0.1, 1.0, 10.0]), "f770w", bins=4)
    >>> type(view).__name__, int(view.dimension_values("count").sum())
    ('Histogram', 3)
    """
    from astrokit.inspect import _holoviews
    from astrokit.plot import ensure_extension

    ensure_extension()
    src = resolve(table, band, galaxy=galaxy, unit=unit, need_image=False)
    s = on_scale(src, src.values, check_scale(scale), floor)
    return _holoviews.histogram_element(src, s, bins=bins, logy=logy, width=width)


def scales_view(
    table,
    band: str,
    *,
    galaxy: str | None = None,
    floor: float | None = None,
    bins: int = 50,
    cmap: str = "magma",
    width: int = 300,
    wcs=None,
    err=None,
    unit: str | None = None,
):
    """All three scales at once: maps above, histograms below (a Layout).

    The maps are linear, log and clipped log (pan and zoom are linked); the
    histograms linear, log x, and log x with log y, of the same pixels.

    Parameters
    ----------
    table, band, galaxy, floor, cmap, wcs, err, unit
        As in :func:`plot_map_scales`.
    bins : int, default 50
        Number of histogram bins.
    width : int, default 300
        Frame width of each map in screen pixels.

    Returns
    -------
    holoviews.Layout
        Six plots in three columns.

    Raises
    ------
    ValueError
        As :func:`map_view`; ``galaxy`` given with an array.

    Examples
    --------
    >>> import numpy as np
    >>> view = scales_view(np.array([[1.0, -2.0], [3.0, 40.0]]), "co21", bins=3)
    >>> type(view).__name__, len(view)
    ('Layout', 6)
    """
    import holoviews as hv

    where = {}
    if isinstance(table, pd.DataFrame):
        from astrokit.data._grid import _pick_galaxy

        where = {"galaxy": _pick_galaxy(table, galaxy)}
    elif galaxy is not None:
        msg = f"galaxy={galaxy!r} applies to a pixel table, not to an array."
        raise ValueError(msg)
    common = {"floor": floor, "cmap": cmap, "wcs": wcs, "err": err, "unit": unit}
    # Colour bars below the maps: on the right, Bokeh's grid layout clips the
    # first column's colour-bar labels (seen in Chromium with Bokeh 3.9).
    maps = [
        map_view(table, band, scale=s, width=width, **common, **where).opts(
            colorbar_position="bottom"
        )
        for s in SCALES
    ]
    hist = {"bins": bins, "width": width + 80, "unit": unit, **where}
    hists = [
        hist_view(table, band, scale=s, logy=logy, **hist)
        for s, logy in (("linear", False), ("log", False), ("log", True))
    ]
    return hv.Layout(maps + hists).cols(3)
