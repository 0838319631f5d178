"""FITS maps into the pixel table: one row per pixel, one column per band.

:func:`read_maps` turns one FITS map per band (plus optional error maps) into
the pixel table every stage of the kit reads: one row per pixel where at
least one band is finite, with ``_err`` and ``_ul`` (upper limit) columns.
The maps must share one grid, or be reprojected onto one explicitly
(``reproject=True``); opening the files and comparing grids is in
``_fits``.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Mapping

import numpy as np
import pandas as pd

from astrokit._shared.bands import ERR_SUFFIX, UL_SUFFIX
from astrokit.data._fits import (
    MapSpec,
    check_content,
    grid_difference,
    open_map,
    reproject_onto,
    stem,
)
from astrokit.data._standardise import check_standardise_args, standardise
from astrokit.data._units import error_in_unit, to_band_unit

__all__ = ["read_maps"]

log = logging.getLogger("astrokit.data")


def read_maps(
    maps: Mapping[str, MapSpec],
    *,
    errors: Mapping[str, MapSpec] | None = None,
    galaxy: str | None = None,
    reproject: bool | str = False,
    detection_snr: float = 3.0,
    resolution=None,
    distance=None,
    grid=None,
    native: Mapping | None = None,
    coverage: float = 0.5,
    noise: str = "auto",
) -> pd.DataFrame:
    """Read FITS maps (one per band) into a pixel table.

    Parameters
    ----------
    maps : dict of {band: path}
        One 2-D FITS map per band, each with a celestial WCS. A value may also
        be a ``(path, hdu)`` tuple to pick an extension by name or number
        (e.g. ``("NGC0628_MAPS.fits", "HA6562_FLUX")``); by default the first
        HDU holding an image is read. Degenerate extra axes (a length-1
        spectral or Stokes axis) are dropped. Band names need not be in
        ``astrokit._shared.bands.BANDS``; when one is, its unit must convert to that
        band's unit, and values are converted to it.
    errors : dict of {band: path}, optional
        1-sigma error maps for some or all of the bands, each on the same grid
        as its value map. Adds ``<band>_err`` and the upper-limit flag
        ``<band>_ul`` (covered and value < ``detection_snr`` * error).
    galaxy : str, optional
        Name for the ``galaxy`` column. Default: the ``OBJECT`` keyword of the
        first map, else that file's stem.
    reproject : bool or str, default False
        Maps must share one grid (same shape and WCS). ``True`` reprojects every
        map onto the first band's grid, a band name onto that band's grid
        (bilinear ``reproject.reproject_interp``; errors are interpolated the
        same way, which ignores the noise correlation this introduces).
    detection_snr : float, default 3.0
        Signal-to-noise below which a covered pixel is flagged as an upper
        limit (after smoothing, from the propagated errors).
    resolution : str or Quantity, optional
        Smooth every band to this common circular beam (FWHM) and put all on
        one grid: an angle (``"1.5 arcsec"``) or a length at the galaxy
        (``"150 pc"``, with ``distance``). A map whose beam is coarser than
        the target is refused. The steps, the NaN rule at footprint edges
        and the error propagation are described in ``_standardise`` and
        ``_convolve``; ``reproject`` is then not used.
    distance : Quantity, "lookup" or None
        The galaxy's distance for a ``resolution`` or ``grid`` in parsec.
        None: a ``DIST_MPC`` header keyword, else "lookup": the PHANGS sample
        table by galaxy name (:func:`galaxy_distance`).
    grid : str, Quantity or None
        The common grid: None (the maps' own grid when they share one, else a
        new north-up grid over all of them with pixels of half the target
        FWHM), a band name (that band's grid), or a pixel size (``"75 pc"``,
        ``"0.5 arcsec"``).
    native : dict of {band: Quantity or radio_beam.Beam}, optional
        The native resolution of maps whose header has no beam (BMAJ/BMIN);
        without it, the typical PSF of a JWST/HST filter (``PSF_FWHM``) or a
        PHANGS-MUSE file name (``-0.92asec_MAPS``) is used.
    coverage : float, default 0.5
        Smoothed pixels are kept where at least this fraction of the
        kernel's weight fell on measured pixels.
    noise : {"auto", "pixel", "beam"}, default "auto"
        How the native noise is correlated: independent pixels, or like the
        native beam (interferometer maps); "auto" is "beam" for a map whose
        header has a beam and "pixel" otherwise (see ``_convolve``).

    Returns
    -------
    pandas.DataFrame
        Columns ``galaxy``, ``x``, ``y`` (pixel, numpy order ``image[y, x]``),
        ``ra``, ``dec`` (deg, ICRS/FK5 as the map's frame), then per band
        ``<band>`` (float32) and, with an error map, ``<band>_err`` (float32)
        and ``<band>_ul`` (bool). One row per pixel where at least one band is
        finite. ``attrs`` holds ``units``, ``wcs`` (header string of the 2-D
        celestial WCS), ``shape``, ``pixel_pc`` (from a ``DIST_MPC`` header
        keyword, else NaN), ``detection_snr``, ``truth_columns`` (empty),
        ``source`` and ``files``; with ``resolution``, also ``resolution``
        (the common beam: FWHM in arcsec and pc, distance, per band its
        native beam and where it came from, original unit, kernel, pixel
        size and covered fraction; the grid chosen).

    Raises
    ------
    ValueError
        Empty ``maps``; error bands without a value map; a file that is not
        FITS or is truncated; a map without a celestial WCS or with more than
        one plane; maps on different grids without ``reproject``; an error
        map on a different grid from its value map; a unit that does not
        convert to the band's unit; an error map with no finite value or with
        negative values (a map with no finite pixel, or infinite pixels, is
        logged as a warning naming the band and the file).
    FileNotFoundError
        A map or error map that does not exist.
    ImportError
        ``reproject`` requested but the ``reproject`` package is missing.

    See Also
    --------
    astrokit.data.to_image : a column back onto the sky grid.
    read_catalog : catalogues (one row per object).

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from astropy.io import fits
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2)
    >>> w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    >>> w.wcs.crval, w.wcs.cdelt, w.wcs.crpix = [150, 2], [-1e-4, 1e-4], [2, 2]
    >>> header = w.to_header()
    >>> header["BUNIT"] = "K km s-1"
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> image = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]])
    >>> fits.writeto(folder / "co.fits", image, header)
    >>> fits.writeto(folder / "eco.fits", np.full((2, 3), 1.0), header)
    >>> t = read_maps({"co21": folder / "co.fits"},
    ...               errors={"co21": folder / "eco.fits"}, galaxy="toy")
    >>> t[["x", "y", "co21", "co21_err", "co21_ul"]].head(3)
       x  y  co21  co21_err  co21_ul
    0  0  0   1.0       1.0     True
    1  2  0   3.0       1.0    False
    2  0  1   4.0       1.0    False
    >>> t.attrs["units"]["co21"], t.attrs["shape"]["toy"]
    ('K km / s', (2, 3))
    """
    maps, errors = _check_map_args(maps, errors, reproject, detection_snr)
    check_standardise_args(maps, resolution, grid, native, coverage, noise)
    values = {band: open_map(f"maps[{band!r}]", spec) for band, spec in maps.items()}
    errs = {band: open_map(f"errors[{band!r}]", spec) for band, spec in errors.items()}
    for band in values:
        check_content(f"maps[{band!r}]", values[band])
        if band in errs:
            check_content(f"errors[{band!r}]", errs[band], error=True)
    bands = list(values)
    name = galaxy if galaxy is not None else _galaxy_name(values[bands[0]])
    info = {}
    if resolution is None:
        target = _match_grids(values, errs, reproject)
    else:
        _check_error_grids(values, errs)
        target, info = standardise(
            values, errs, name=name, resolution=resolution, distance=distance,
            grid=grid, native=native, coverage=coverage, noise=noise,
        )  # fmt: skip
    arrays, units = _band_arrays(values, errs)
    table = _pixel_table(name, target, bands, arrays, detection_snr)
    if info:
        table.attrs["resolution"] = info
    table.attrs.update(
        units=units,
        wcs={name: target.wcs.to_header().tostring()},
        shape={name: tuple(int(n) for n in target.data.shape)},
        pixel_pc=_pixel_pc(target, info.get("distance_mpc")),
        detection_snr=float(detection_snr),
        truth_columns=[],
        source="read_maps("
        + ", ".join(f"{b}={values[b].path.name}" for b in bands)
        + ")",
        files={
            **{b: str(values[b].path) for b in bands},
            **{b + ERR_SUFFIX: str(errs[b].path) for b in errs},
        },
    )
    return table


def _match_grids(values: dict, errs: dict, reproject) -> object:
    """Put every map on one grid (in place); return the target map.

    Error maps must share their value map's grid; value maps on other grids
    are reprojected only when ``reproject`` asks for it.
    """
    _check_error_grids(values, errs)
    bands = list(values)
    target_band = bands[0] if reproject is True else reproject or bands[0]
    target = values[target_band]
    for band in bands:
        diff = grid_difference(target, values[band])
        if not diff:
            continue
        if reproject is False:
            msg = (
                f"The maps are on different grids: {target_band!r} and {band!r} "
                f"differ in {diff}. Pass reproject=True to reproject onto the "
                f"first band's grid ({bands[0]!r}), or reproject='<band>' (e.g. "
                f"reproject={band!r}) for that band's grid; this uses the "
                "'reproject' package (reproject_interp)."
            )
            raise ValueError(msg)
        values[band] = reproject_onto(values[band], target)
        if band in errs:
            errs[band] = reproject_onto(errs[band], target)
    return target


def _check_error_grids(values: dict, errs: dict) -> None:
    for band, err in errs.items():
        diff = grid_difference(values[band], err)
        if diff:
            msg = (
                f"errors[{band!r}] ({err.path.name}) is on a different grid from "
                f"maps[{band!r}] ({values[band].path.name}): {diff}. An error map "
                "must share its value map's grid (it is reprojected along with it)."
            )
            raise ValueError(msg)


def _band_arrays(values: dict, errs: dict) -> tuple[dict, dict]:
    """Each band's values and errors in the band's unit, and the units."""
    units: dict[str, str] = {"x": "pix", "y": "pix", "ra": "deg", "dec": "deg"}
    arrays: dict[str, np.ndarray] = {}
    for band, fmap in values.items():
        value, unit = to_band_unit(band, fmap)
        arrays[band] = value
        if unit is not None:
            units[band] = unit
        if band in errs:
            arrays[band + ERR_SUFFIX] = error_in_unit(band, errs[band], fmap)
            if unit is not None:
                units[band + ERR_SUFFIX] = unit
    return arrays, units


def _check_map_args(maps, errors, reproject, detection_snr):
    if not isinstance(maps, Mapping):
        msg = (
            f"maps must be a dict of {{band: path}}; got {type(maps).__name__}. "
            "Example: read_maps({'co21': 'ngc0628_co21_mom0.fits'})."
        )
        raise TypeError(msg)
    if not maps:
        msg = (
            "maps={} is empty; pass at least one band, e.g. "
            "read_maps({'co21': 'ngc0628_co21_mom0.fits'})."
        )
        raise ValueError(msg)
    errors = dict(errors or {})
    extra = sorted(set(errors) - set(maps))
    if extra:
        msg = (
            f"errors has bands {extra} that are not in maps {list(maps)}; every "
            "error map needs its value map."
        )
        raise ValueError(msg)
    if not (isinstance(reproject, bool) or reproject in maps):
        msg = (
            f"reproject={reproject!r} must be False, True (the first band's grid) "
            f"or one of the bands {list(maps)}."
        )
        raise ValueError(msg)
    number = isinstance(detection_snr, numbers.Real) and not isinstance(
        detection_snr, bool
    )
    if not (number and math.isfinite(detection_snr) and detection_snr > 0):
        msg = f"detection_snr={detection_snr!r} must be a positive number (e.g. 3.0)."
        raise ValueError(msg)
    return dict(maps), errors


def _galaxy_name(fmap) -> str:
    name = str(fmap.header.get("OBJECT", "")).strip()
    return name or stem(fmap.path)


def _pixel_pc(fmap, dist=None) -> float:
    """Pixel size in parsec at ``dist`` (Mpc), else a DIST_MPC keyword, else NaN."""
    if dist is None or not math.isfinite(dist):
        dist = fmap.header.get("DIST_MPC")
    try:
        dist = float(dist)
    except (TypeError, ValueError):
        return math.nan
    from astropy.wcs.utils import proj_plane_pixel_scales

    scale_deg = float(np.mean(np.abs(proj_plane_pixel_scales(fmap.wcs))))
    return math.radians(scale_deg) * dist * 1e6


def _pixel_table(name, target, bands, arrays, detection_snr) -> pd.DataFrame:
    finite = np.zeros(target.data.shape, dtype=bool)
    for band in bands:
        finite |= np.isfinite(arrays[band])
    y, x = np.nonzero(finite)
    ra, dec = _sky_coordinates(target.wcs, x, y)
    columns: dict[str, object] = {
        "galaxy": pd.Categorical.from_codes(np.zeros(len(x), np.int8), [name]),
        "x": x.astype(np.int32),
        "y": y.astype(np.int32),
        "ra": ra,
        "dec": dec,
    }
    for band in bands:
        value = arrays[band][y, x]
        columns[band] = value.astype(np.float32)
        err_name = band + ERR_SUFFIX
        if err_name in arrays:
            err = arrays[err_name][y, x]
            covered = np.isfinite(value) & np.isfinite(err)
            with np.errstate(invalid="ignore"):
                columns[band + UL_SUFFIX] = covered & (value < detection_snr * err)
            columns[err_name] = err.astype(np.float32)
    order = ["galaxy", "x", "y", "ra", "dec"]
    for band in bands:
        order += [
            c for c in (band, band + ERR_SUFFIX, band + UL_SUFFIX) if c in columns
        ]
    return pd.DataFrame({c: columns[c] for c in order})


def _sky_coordinates(wcs, x, y):
    """RA/Dec in degrees; equatorial maps as they are, others converted to ICRS."""
    ctype = [c.upper() for c in wcs.wcs.ctype]
    if ctype[0].startswith("RA") or ctype[1].startswith("RA"):
        lon, lat = wcs.pixel_to_world_values(x, y)
        if ctype[1].startswith("RA"):
            lon, lat = lat, lon
        return np.mod(np.asarray(lon, float), 360.0), np.asarray(lat, float)
    sky = wcs.pixel_to_world(x, y).icrs
    return sky.ra.deg, sky.dec.deg


# ------------------------------------------------------- one FITS map, grids
