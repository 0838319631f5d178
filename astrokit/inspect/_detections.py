"""Where a band is detected, only an upper limit, or not observed: one map.

A faint line such as [OI]6300 is detected only in bright regions; the rest
of its footprint holds upper limits, and outside the footprint there is no
measurement at all. :func:`plot_detections` draws the three on the sky with
a legend (with the pixel counts) beside the map and labelled axes (RA/Dec
from the galaxy's WCS, or pixels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS, UL_SUFFIX
from astrokit.inspect._matplotlib import _label_sky_axes

__all__ = ["plot_detections", "DETECTION_COLORS"]

DETECTION_COLORS = {"detected": "#f0c419", "upper limit": "#2a9d8f"}
"""Colours of detected pixels (yellow) and upper limits (teal)."""


def plot_detections(table: pd.DataFrame, band: str, *, galaxy=None, ax=None):
    """Map of one band's detections and upper limits on a galaxy's sky grid.

    Parameters
    ----------
    table : pandas.DataFrame
        A pixel table with ``<band>`` and ``<band>_ul``.
    band : str
        The band, e.g. ``"oi6300"``.
    galaxy : str, optional
        Which galaxy; default the first.
    ax : matplotlib Axes, optional
        Default a new figure with the galaxy's WCS (RA/Dec axes).

    Returns
    -------
    matplotlib.axes.Axes
        With a legend (the figure's, beside the map, when the figure is new)
        naming each class and its number of pixels; pixels outside the
        footprint stay blank ("not observed" in the legend).

    Raises
    ------
    ValueError
        A table without ``band`` or ``<band>_ul``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from astrokit.data import make_galaxies
    >>> t = make_galaxies(tier="tiny", random_state=0)
    >>> ax = plot_detections(t, "oi6300")
    >>> legend = ax.figure.legends[0]
    >>> [x.get_text().split(" (")[0] for x in legend.get_texts()]
    ['detected', 'upper limit', 'not observed']
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from astrokit.data import galaxies, galaxy_wcs, to_image

    flag = f"{band}{UL_SUFFIX}"
    missing = [c for c in (band, flag) if c not in table.columns]
    if missing:
        msg = (
            f"band={band!r}: the table lacks column(s) {missing}; pass a pixel "
            "table with the band and its upper-limit flag."
        )
        raise ValueError(msg)
    galaxy = galaxies(table)[0] if galaxy is None else galaxy
    ul = table[flag].fillna(False).astype(bool)
    status = pd.Series(np.where(ul, 0.0, 1.0), index=table.index)
    status = status.where(table[band].notna())
    image = to_image(table, status, galaxy=galaxy)
    own = ax is None
    if own:
        fig = plt.figure(figsize=(6.8, 4.8), layout="constrained")
        ax = fig.add_subplot(projection=galaxy_wcs(table, galaxy))
    cmap = ListedColormap(
        [DETECTION_COLORS["upper limit"], DETECTION_COLORS["detected"]]
    )
    ax.imshow(image, origin="lower", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    counts = {
        "detected": int(np.sum(image == 1)),
        "upper limit": int(np.sum(image == 0)),
    }
    handles = [
        Patch(color=DETECTION_COLORS[k], label=f"{k} ({n:,} pixels)")
        for k, n in counts.items()
    ]
    handles.append(
        Patch(facecolor="white", edgecolor="0.6", label="not observed (blank)")
    )
    if own:  # beside the map, in space the layout keeps for it
        ax.figure.legend(handles=handles, loc="outside right upper", fontsize="small")
    else:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    name = BANDS[band].label if band in BANDS else band
    ax.set_title(f"{galaxy}: {name} detected or upper limit")
    _label_sky_axes(ax, first=True)
    return ax
