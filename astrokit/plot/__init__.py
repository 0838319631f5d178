"""The shared static drawing layer: scatter plots that stay fast at any size.

Every figure of astrokit that can hold many points is drawn by
:func:`points`, which is a plain matplotlib scatter below a threshold and a
Datashader raster above it (the pattern of ``umap.plot.points``);
:func:`panel_grid` lays out small multiples; :func:`category_colors` gives
each label one colour everywhere (noise and missing in grey). The stages'
``plot_*`` functions (``ak.interpret.plot_sky``, ``ak.outliers.plot_top``, ...)
are built on these.

:func:`ensure_extension` loads HoloViews' Bokeh extension with BokehJS inline
(offline first); :func:`save_html` writes a HoloViews object to one
self-contained HTML file.

This layer imports only the data layer and ``astrokit._shared``; matplotlib,
Datashader and HoloViews are imported inside the functions that draw.
"""

from astrokit.plot._colors import MISSING_COLOR, NOISE_COLOR, category_colors
from astrokit.plot._holoviews import ensure_extension, save_html
from astrokit.plot._points import panel_grid, points

__all__ = [
    "points",
    "panel_grid",
    "category_colors",
    "NOISE_COLOR",
    "MISSING_COLOR",
    "ensure_extension",
    "save_html",
]
