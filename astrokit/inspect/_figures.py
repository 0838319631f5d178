"""Static figures of one map on three scales, and of its histograms (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from astrokit.inspect._scales import SCALES, apply_scale, check_scale
from astrokit.inspect._sources import resolve

__all__ = ["plot_map_scales", "plot_histograms", "check_scales", "on_scale"]


def check_scales(scales) -> list[str]:
    scales = [scales] if isinstance(scales, str) else list(scales)
    if not scales:
        msg = f"scales={scales!r} is empty; use some of {list(SCALES)}."
        raise ValueError(msg)
    return [check_scale(s) for s in scales]


def on_scale(src, values, scale: str, floor):
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
    scaled = [on_scale(src, src.image, scale, floor) for scale in check_scales(scales)]
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
