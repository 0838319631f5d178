"""Sources of the pixel table: the synthetic PHANGS-like generator, FITS map and
catalogue readers, the registry of real public archive files, and SDSS
objects from the SkyServer (``query_sdss``, cached; ``read_sdss``).

``read_maps(..., resolution="150 pc")`` standardises maps of several
instruments first: one common beam (errors propagated), one grid, units
recorded. ``write_raw_observations`` writes the synthetic galaxies as the raw
per-instrument files to practise on (``raw_truth`` grades the result).

Every source returns one ``pandas.DataFrame``, one row per pixel (or object),
with ``table.attrs`` carrying units, WCS headers and grid shapes.

Tables beyond memory: ``write_table(table, path)`` writes a table (pandas,
or Dask one partition at a time) as a partitioned Parquet dataset (a folder
per galaxy, row groups inside; atomic: a crash leaves the old dataset or the
new one), ``attrs``, categories and index kept in its metadata;
``read_table(path, columns=..., filters=..., dask=False)`` reads it back
into pandas, or lazily as a ``dask.dataframe.DataFrame`` (one partition per
row group) with ``attrs`` restored too. ``write_survey(path,
n_galaxies=25)`` writes the ``survey`` tier (galaxies of 1-10 million
pixels, about 10^8 rows) straight to such a dataset, one chunk in memory at
a time.
"""

from astrokit.data._beams import PSF_FWHM, galaxy_distance
from astrokit.data._catalogs import read_catalog
from astrokit.data._demo_cache import load_demo
from astrokit.data._grid import galaxies, galaxy_wcs, sky_map, to_image
from astrokit.data._maps import read_maps
from astrokit.data._parquet import write_table
from astrokit.data._parquet_read import read_manifest, read_table
from astrokit.data._products import read_edge_califa, read_images, read_muse_dap
from astrokit.data._registry import datasets, fetch, load
from astrokit.data._sdss import SDSS_COLUMNS, check_sdss, query_sdss, read_sdss
from astrokit.data._survey import survey_galaxies, write_survey
from astrokit.data._synthetic import (
    ENVIRONMENTS,
    GALAXIES,
    TIER_SIZES,
    make_galaxies,
)
from astrokit.data._synthetic_raw import raw_truth, write_raw_observations

__all__ = ["galaxies", "galaxy_wcs", "to_image", "sky_map"]
__all__ += ["read_maps", "read_catalog", "datasets", "fetch", "load"]
__all__ += ["galaxy_distance", "PSF_FWHM"]
__all__ += ["read_muse_dap", "read_images", "read_edge_califa"]
__all__ += ["make_galaxies", "load_demo", "GALAXIES", "ENVIRONMENTS", "TIER_SIZES"]
__all__ += ["write_raw_observations", "raw_truth"]
__all__ += ["query_sdss", "read_sdss", "check_sdss", "SDSS_COLUMNS"]
__all__ += ["write_table", "read_table", "read_manifest"]
__all__ += ["write_survey", "survey_galaxies"]
