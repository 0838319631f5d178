"""Look at the data before doing anything to it: coverage, maps and histograms.

The first stage of the discovery loop (Baron, VOSS 2023: "Before cleaning:
inspecting the maps"). The same map and the same values on three scales side
by side show what each hides: a linear scale shows only the brightest
pixels; a log scale shows the faint structure but drops every pixel <= 0
(noise around zero in a background-subtracted map); a clipped log scale
(a log scale with a floor, like ``LogNorm(vmin=floor)``) shows everything
above the floor and paints everything below it in the floor colour.

Nothing is dropped or clipped silently: every title says how many values
were dropped or clipped (see :mod:`astrokit.inspect._scales` for the transforms and
the default floor).

Tables
    :func:`coverage_report`: per band, how many rows are finite, NaN, zero,
    negative, upper limits, or detected and positive.

Static figures (matplotlib; each returns the Axes it drew)
    :func:`plot_map_scales` (three maps: linear, log, clipped log) and
    :func:`plot_histograms` (linear bins; log-spaced bins with log x; and
    with log x and log y).

Interactive views (HoloViews + Bokeh, BokehJS served inline: offline)
    :func:`map_view`, :func:`hist_view` and :func:`scales_view` (all three
    scales, maps above histograms).

Every plot takes a pixel table (``astrokit.data``) and a band name, or a
bare NumPy array (a FITS map read with astropy) with a label, its WCS and its
errors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from astrokit._shared.bands import UL_SUFFIX
from astrokit.inspect._scales import SCALES, apply_scale, check_scale
from astrokit.inspect._sources import check_bands, resolve

__all__ = [
    "SCALES",
    "coverage_report",
    "plot_map_scales",
    "plot_histograms",
    "map_view",
    "hist_view",
    "scales_view",
]

_COUNTS = ["finite", "nan", "zero", "negative", "upper_limit", "detected_positive"]


def coverage_report(
    table: pd.DataFrame,
    bands: str | Sequence[str] | None = None,
    *,
    by: str | None = None,
) -> pd.DataFrame:
    """Per band, how many rows are finite, NaN, zero, negative or upper limits.

    Parameters
    ----------
    table : pandas.DataFrame
        A pixel table.
    bands : str or list of str, optional
        Columns to report. Default: every value column (the bands of
        ``astrokit._shared.bands.BANDS`` present, plus any other numeric column that
        is not an ``_err``/``_ul`` column, a coordinate or a truth column).
    by : str, optional
        A column to group by, e.g. ``"galaxy"``: one block per group, indexed
        by ``(group, band)``.

    Returns
    -------
    pandas.DataFrame
        One row per band (index ``band``). ``n_rows``; ``n_finite`` and
        ``n_nan`` (NaN or infinite: outside the footprint); among the finite
        values ``n_zero`` and ``n_negative`` (a log scale drops both);
        ``n_upper_limit`` (rows flagged in ``<band>_ul``; ``<NA>`` when the
        table has no such column); ``n_detected_positive`` (finite, > 0 and
        not an upper limit); then ``frac_<count>`` = count / ``n_rows`` for
        each of those counts. An all-NaN band has ``frac_finite`` 0.

    Raises
    ------
    ValueError
        A band that is not a numeric column (the message lists the available
        ones); ``by`` not a column.
    TypeError
        ``table`` is not a DataFrame.

    Examples
    --------
    >>> t = pd.DataFrame({"galaxy": "g", "x": range(5), "y": 0,
    ...                   "co21": [np.nan, -1.0, 0.0, 0.5, 7.0],
    ...                   "co21_ul": [False, True, True, True, False]})
    >>> coverage_report(t)[["n_finite", "n_nan", "n_zero", "n_negative",
    ...                     "n_upper_limit", "n_detected_positive"]]
    ... # doctest: +NORMALIZE_WHITESPACE
          n_finite  n_nan  n_zero  n_negative  n_upper_limit  n_detected_positive
    band
    co21         4      1       1           1              3                    1
    """
    bands = check_bands(table, bands)
    if by is None:
        return _coverage_block(table, bands)
    if by not in table.columns:
        msg = f"by={by!r} is not a column of the table; use e.g. by='galaxy'."
        raise ValueError(msg)
    groups = table.groupby(by, observed=True, sort=False)
    blocks = {name: _coverage_block(group, bands) for name, group in groups}
    return pd.concat(blocks, names=[by, "band"])


def _coverage_block(table: pd.DataFrame, bands: list[str]) -> pd.DataFrame:
    n = len(table)
    rows = []
    for band in bands:
        v = table[band].to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(v)
        ul_col = band + UL_SUFFIX
        if ul_col in table.columns:
            ul = table[ul_col].to_numpy(dtype=bool, na_value=False)
            n_ul = int(ul.sum())
        else:
            ul, n_ul = np.zeros(n, dtype=bool), pd.NA
        rows.append(
            {
                "n_finite": int(finite.sum()),
                "n_nan": int((~finite).sum()),
                "n_zero": int((finite & (v == 0)).sum()),
                "n_negative": int((finite & (v < 0)).sum()),
                "n_upper_limit": n_ul,
                "n_detected_positive": int((finite & (v > 0) & ~ul).sum()),
            }
        )
    report = pd.DataFrame(rows, index=pd.Index(bands, name="band"))
    report["n_upper_limit"] = report["n_upper_limit"].astype("Int64")
    report.insert(0, "n_rows", n)
    for name in _COUNTS:
        count = report[f"n_{name}"].astype("Float64")
        report[f"frac_{name}"] = (count / n).astype(float) if n else np.nan
    return report


def _check_scales(scales) -> list[str]:
    scales = [scales] if isinstance(scales, str) else list(scales)
    if not scales:
        msg = f"scales={scales!r} is empty; use some of {list(SCALES)}."
        raise ValueError(msg)
    return [check_scale(s) for s in scales]


def _scaled(src, values, scale: str, floor):
    """``values`` of ``src`` on ``scale``, with the source's error and S/N."""
    return apply_scale(
        values,
        scale,
        floor=floor,
        err=src.err,
        detection_snr=src.detection_snr,
        what=src.what,
    )


def plot_map_scales(
    table,
    band: str,
    *,
    galaxy: str | None = None,
    floor: float | None = None,
    cmap: str = "magma",
    axes=None,
    scales: Sequence[str] = SCALES,
    wcs=None,
    err=None,
    unit: str | None = None,
) -> np.ndarray:
    """One band's map on linear, log and clipped-log scales, side by side.

    Parameters
    ----------
    table : pandas.DataFrame or numpy.ndarray
        A pixel table, or a 2-D map (``image[y, x]``, e.g. ``fits.getdata``).
    band : str
        The column to map; with an array, its name or label (a name from
        ``astrokit._shared.bands.BANDS`` gives the label and unit).
    galaxy : str, optional
        Which galaxy's grid (required when the table holds several).
    floor : float, optional
        Floor of the clipped-log panel. Default: ``detection_snr`` times the
        median ``<band>_err`` (the typical detection threshold), else the
        1st percentile of the positive values; the title says which.
    cmap : str, default "magma"
        Matplotlib colour map. NaN (no data) is blank; pixels the log scale
        drops (<= 0) are grey.
    axes : array of Axes, optional
        One Axes per scale to draw on; default a new figure, with RA/Dec axes
        (``WCSAxes``) when the WCS is known, else pixel axes.
    scales : sequence of str, default ("linear", "log", "clipped-log")
        The panels, in order.
    wcs : astropy.wcs.WCS, optional
        The map's WCS (array input only; a table carries its own).
    err : numpy.ndarray, optional
        1-sigma error map for the default floor (array input only).
    unit : str, optional
        Unit for the colour bar label; default the table's
        ``attrs["units"]`` or the band's unit.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One per scale. Each title names the scale and counts the pixels
        dropped (log) or clipped (clipped log); each has a colour bar
        labelled with the band label and unit.

    Raises
    ------
    ValueError
        An unknown band (the message lists the available ones) or scale; no
        positive value to show on a log scale; a bad ``floor``; ``axes`` of
        the wrong length; a table with several galaxies and no ``galaxy``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> image = np.array([[-1.0, 0.5, 2.0], [4.0, np.nan, 30.0]])
    >>> axes = plot_map_scales(image, "co21", floor=1.0)
    >>> for ax in axes:
    ...     print(ax.get_title().splitlines()[-1])
    5 finite pixels
    1 pixel ≤ 0 dropped (grey)
    2 pixels < floor clipped (1 of them ≤ 0)
    """
    from astrokit.inspect import _matplotlib

    src = resolve(table, band, galaxy=galaxy, wcs=wcs, err=err, unit=unit)
    scaled = [_scaled(src, src.image, scale, floor) for scale in _check_scales(scales)]
    return _matplotlib.draw_maps(src, scaled, cmap=cmap, axes=axes)


def plot_histograms(
    table,
    band: str,
    *,
    bins: int = 50,
    galaxy: str | None = None,
    axes=None,
    unit: str | None = None,
) -> np.ndarray:
    """Histograms of one band: linear bins; log bins with log x; log-log.

    Parameters
    ----------
    table : pandas.DataFrame or numpy.ndarray
        A pixel table, or any array of values (flattened).
    band : str
        The column; with an array, its name or label.
    bins : int, default 50
        Number of bins in each panel; log-spaced between the smallest and
        largest positive value in the log panels.
    galaxy : str, optional
        Only this galaxy's rows; default every row.
    axes : array of 3 Axes, optional
        Where to draw; default a new figure.
    unit : str, optional
        Unit for the x label; default the table's or the band's.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        Three panels; the log panels' titles say how many values <= 0 they
        exclude.

    Raises
    ------
    ValueError
        An unknown band; no positive value; ``bins`` not a positive integer;
        ``axes`` not 3 Axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> axes = plot_histograms(np.array([-1.0, 0.0, 0.1, 1.0, 10.0]), "f770w", bins=4)
    >>> [(ax.get_xscale(), ax.get_yscale()) for ax in axes]
    [('linear', 'linear'), ('log', 'linear'), ('log', 'log')]
    >>> axes[1].get_title()
    '4 log-spaced bins, log x\\n2 values ≤ 0 excluded'
    """
    from astrokit.inspect import _matplotlib

    src = resolve(table, band, galaxy=galaxy, unit=unit, need_image=False)
    linear = apply_scale(src.values, "linear", what=src.what)
    log = apply_scale(src.values, "log", what=src.what)
    return _matplotlib.draw_histograms(src, linear, log, bins=bins, axes=axes)


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
    :func:`astrokit.plot._holoviews.ensure_extension`.

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
    >>> view = map_view(np.array([[1.0, -2.0], [3.0, 40.0]]), "co21")
    >>> type(view).__name__, view.opts.get().kwargs["logz"]
    ('Image', True)
    """
    from astrokit.inspect import _holoviews
    from astrokit.plot import ensure_extension

    ensure_extension()
    src = resolve(table, band, galaxy=galaxy, wcs=wcs, err=err, unit=unit)
    s = _scaled(src, src.image, check_scale(scale), floor)
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
    >>> view = hist_view(np.array([-1.0, 0.0, 0.1, 1.0, 10.0]), "f770w", bins=4)
    >>> type(view).__name__, int(view.dimension_values("count").sum())
    ('Histogram', 3)
    """
    from astrokit.inspect import _holoviews
    from astrokit.plot import ensure_extension

    ensure_extension()
    src = resolve(table, band, galaxy=galaxy, unit=unit, need_image=False)
    s = _scaled(src, src.values, check_scale(scale), floor)
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
