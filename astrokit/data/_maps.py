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

from astrokit._shared.bands import BANDS, ERR_SUFFIX, UL_SUFFIX
from astrokit.data._fits import (
    MapSpec,
    check_content,
    grid_difference,
    open_map,
    reproject_onto,
    stem,
)

__all__ = ["read_maps"]

log = logging.getLogger("astrokit.data")


def read_maps(
    maps: Mapping[str, MapSpec],
    *,
    errors: Mapping[str, MapSpec] | None = None,
    galaxy: str | None = None,
    reproject: bool | str = False,
    detection_snr: float = 3.0,
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
        limit.

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
        ``source`` and ``files``.

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
    values = {band: open_map(f"maps[{band!r}]", spec) for band, spec in maps.items()}
    errs = {band: open_map(f"errors[{band!r}]", spec) for band, spec in errors.items()}
    for band in values:
        check_content(f"maps[{band!r}]", values[band])
        if band in errs:
            check_content(f"errors[{band!r}]", errs[band], error=True)
    bands = list(values)
    target = _match_grids(values, errs, reproject)
    arrays, units = _band_arrays(values, errs)

    name = galaxy if galaxy is not None else _galaxy_name(values[bands[0]])
    table = _pixel_table(name, target, bands, arrays, detection_snr)
    table.attrs.update(
        units=units,
        wcs={name: target.wcs.to_header().tostring()},
        shape={name: tuple(int(n) for n in target.data.shape)},
        pixel_pc=_pixel_pc(target),
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
    for band, err in errs.items():
        diff = grid_difference(values[band], err)
        if diff:
            msg = (
                f"errors[{band!r}] ({err.path.name}) is on a different grid from "
                f"maps[{band!r}] ({values[band].path.name}): {diff}. An error map "
                "must share its value map's grid (it is reprojected along with it)."
            )
            raise ValueError(msg)
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


def _band_arrays(values: dict, errs: dict) -> tuple[dict, dict]:
    """Each band's values and errors in the band's unit, and the units."""
    units: dict[str, str] = {"x": "pix", "y": "pix", "ra": "deg", "dec": "deg"}
    arrays: dict[str, np.ndarray] = {}
    for band, fmap in values.items():
        value, unit = _to_band_unit(band, fmap)
        arrays[band] = value
        if unit is not None:
            units[band] = unit
        if band in errs:
            arrays[band + ERR_SUFFIX] = _error_in_unit(band, errs[band], fmap)
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


def _to_band_unit(band, fmap):
    """Values in the band's unit (converted when the band is a known one)."""
    unit = fmap.unit
    if band not in BANDS:
        text = unit if unit is None or isinstance(unit, str) else unit.to_string()
        return fmap.data, text
    import astropy.units as u

    expected = u.Unit(BANDS[band].unit)
    if unit is None or isinstance(unit, str):
        why = "no BUNIT" if unit is None else f"an unreadable BUNIT {unit!r}"
        log.warning(
            "maps[%r] (%s) has %s; assuming the band's unit %s.",
            band,
            fmap.path.name,
            why,
            expected,
        )
        return fmap.data, expected.to_string()
    if not unit.is_equivalent(expected):
        msg = (
            f"maps[{band!r}] ({fmap.path.name}) has BUNIT {unit.to_string()!r}, which "
            f"does not convert to the {band!r} unit {expected.to_string()!r}. Check "
            f"the file, or give the band another name (e.g. '{band}_raw') to read "
            "it without this check."
        )
        raise ValueError(msg)
    return _scaled(fmap.data, unit.to(expected)), expected.to_string()


def _error_in_unit(band, err, value):
    """The error map in its value map's (possibly converted) unit."""
    if band in BANDS:
        import astropy.units as u

        target = u.Unit(BANDS[band].unit)
    else:
        target = value.unit if not isinstance(value.unit, str) else None
    unit = err.unit
    if target is None or unit is None or isinstance(unit, str):
        return err.data
    if not unit.is_equivalent(target):
        msg = (
            f"errors[{band!r}] ({err.path.name}) has BUNIT {unit.to_string()!r}, "
            f"which does not convert to its value map's unit {target.to_string()!r}."
        )
        raise ValueError(msg)
    return _scaled(err.data, unit.to(target))


def _scaled(data: np.ndarray, factor: float) -> np.ndarray:
    return data if factor == 1 else data * np.asarray(factor, dtype=data.dtype)


def _galaxy_name(fmap) -> str:
    name = str(fmap.header.get("OBJECT", "")).strip()
    return name or stem(fmap.path)


def _pixel_pc(fmap) -> float:
    """Pixel size in parsec from a DIST_MPC keyword (PHANGS products), else NaN."""
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
