"""Sources of the pixel table: the synthetic PHANGS-like generator, FITS map and
catalogue readers, and the registry of real public archive files.

Every source returns one ``pandas.DataFrame``, one row per pixel (or object),
with ``table.attrs`` carrying units, WCS headers and grid shapes.
"""

from astrokit.data._grid import galaxies, galaxy_wcs, to_image

__all__ = ["galaxies", "galaxy_wcs", "to_image"]
