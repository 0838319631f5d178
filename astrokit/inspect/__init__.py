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
    with log x and log y); :func:`plot_detections` (where a band is detected,
    only an upper limit, or not observed, with a legend).

Interactive views (HoloViews + Bokeh, BokehJS served inline: offline)
    :func:`map_view`, :func:`hist_view` and :func:`scales_view` (all three
    scales, maps above histograms).

Every plot takes a pixel table (``astrokit.data``) and a band name, or a
bare NumPy array (a FITS map read with astropy) with a label, its WCS and its
errors.

Naming: ``from astrokit import inspect`` binds a name that shadows Python's
standard-library :mod:`inspect` in your namespace (the module itself is
``astrokit.inspect``, so nothing else is affected). Lessons write
``ak.inspect``; if you need both, ``from astrokit import inspect as look``.
The stage keeps the name because it is the word the seed talks and the
lessons use for this step.
"""

from astrokit.inspect._coverage import coverage_report
from astrokit.inspect._detections import plot_detections
from astrokit.inspect._figures import plot_histograms, plot_map_scales
from astrokit.inspect._scales import SCALES
from astrokit.inspect._views import hist_view, map_view, scales_view

__all__ = [
    "SCALES",
    "coverage_report",
    "plot_map_scales",
    "plot_histograms",
    "plot_detections",
    "map_view",
    "hist_view",
    "scales_view",
]
