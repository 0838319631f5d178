"""Real files into tables: FITS maps into the pixel table, catalogues into a table.

``read_maps`` turns one FITS map per band (plus optional error maps) into the
pixel table every stage of the kit reads: one row per pixel where at least one
band is finite. ``read_catalog`` reads FITS binary tables (also ``.fits.gz`` /
``.fits.bz2``), CSV, ECSV, Parquet and astropy HDF5 into a ``DataFrame``,
stacking several files with a ``source`` column.
"""

from __future__ import annotations

import dataclasses
import glob as _glob
import logging
import math
import numbers
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS, ERR_SUFFIX, UL_SUFFIX

__all__ = ["read_maps", "read_catalog", "CATALOG_FORMATS"]

log = logging.getLogger(__name__)

CATALOG_FORMATS: dict[str, tuple[str, ...]] = {
    "fits": (".fits", ".fit", ".fts"),
    "csv": (".csv",),
    "ecsv": (".ecsv",),
    "parquet": (".parquet", ".pq"),
    "hdf5": (".hdf5", ".h5", ".he5"),
}
"""Catalogue formats ``read_catalog`` knows, with the file endings it infers
them from (a trailing ``.gz``, ``.bz2`` or ``.xz`` is looked through)."""

_COMPRESSION = (".gz", ".bz2", ".xz")

MapSpec = str | Path | tuple[str | Path, int | str]
"""A map: a path, or ``(path, hdu)`` with the HDU's name or index."""


# --------------------------------------------------------------------- maps


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
        convert to the band's unit.
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
    values = {band: _open_map(f"maps[{band!r}]", spec) for band, spec in maps.items()}
    errs = {band: _open_map(f"errors[{band!r}]", spec) for band, spec in errors.items()}
    for band, err in errs.items():
        diff = _grid_difference(values[band], err)
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
        diff = _grid_difference(target, values[band])
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
        values[band] = _reproject_onto(values[band], target)
        if band in errs:
            errs[band] = _reproject_onto(errs[band], target)

    units: dict[str, str] = {"x": "pix", "y": "pix", "ra": "deg", "dec": "deg"}
    arrays: dict[str, np.ndarray] = {}
    for band in bands:
        value, unit = _to_band_unit(band, values[band])
        arrays[band] = value
        if unit is not None:
            units[band] = unit
        if band in errs:
            arrays[band + ERR_SUFFIX] = _error_in_unit(band, errs[band], values[band])
            if unit is not None:
                units[band + ERR_SUFFIX] = unit

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
    return name or _stem(fmap.path)


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


@dataclasses.dataclass
class _Map:
    """One map read from a FITS file: 2-D data, its celestial WCS and unit."""

    path: Path
    data: np.ndarray  # (ny, nx) float32 or float64
    header: object  # astropy.io.fits.Header
    wcs: object  # 2-D celestial astropy.wcs.WCS
    unit: object  # astropy Unit, str (unparsable BUNIT) or None


class _MapError(ValueError):
    """A problem already described for the user (not a corrupt file)."""


def _open_map(label: str, spec: MapSpec) -> _Map:
    from astropy.io import fits
    from astropy.utils.exceptions import AstropyWarning

    if isinstance(spec, tuple):
        if len(spec) != 2:
            msg = f"{label}={spec!r} must be a path or a (path, hdu) pair."
            raise ValueError(msg)
        path, hdu = Path(spec[0]), spec[1]
    else:
        path, hdu = Path(spec), None
    if not path.is_file():
        msg = f"{label}: the file {path} does not exist."
        raise FileNotFoundError(msg)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AstropyWarning)
        try:
            with fits.open(path, memmap=False) as hdul:
                image = _pick_hdu(label, path, hdul, hdu)
                raw = image.data
                single = raw.dtype.kind == "f" and raw.dtype.itemsize <= 4
                data = np.array(raw, dtype=np.float32 if single else np.float64)
                header = image.header.copy()
        except _MapError:
            raise
        except (OSError, ValueError, TypeError, IndexError) as exc:
            msg = (
                f"{label}: {path} is not a readable FITS file ({exc}). Check that "
                "it is FITS and complete; if it was downloaded, download it again."
            )
            raise ValueError(msg) from exc
    for w in caught:
        if "truncated" in str(w.message):
            msg = (
                f"{label}: {path} is truncated or corrupt ({w.message}); download "
                "it again."
            )
            raise ValueError(msg)
        log.warning("%s (%s): %s", label, path.name, w.message)
    wcs, data = _celestial(label, path, header, data)
    return _Map(path, data, header, wcs, _parse_unit(header.get("BUNIT")))


def _pick_hdu(label, path, hdul, hdu):
    if hdu is not None:
        try:
            return hdul[hdu]
        except (KeyError, IndexError) as exc:
            names = [h.name or str(i) for i, h in enumerate(hdul)]
            msg = f"{label}: {path.name} has no HDU {hdu!r}; it has {names}."
            raise _MapError(msg) from exc
    for item in hdul:
        if item.is_image and item.header.get("NAXIS", 0) >= 2:
            return item
    msg = f"{label}: {path.name} holds no image HDU (is it a table? see read_catalog)."
    raise _MapError(msg)


def _celestial(label, path, header, data):
    """The 2-D celestial WCS, and the data with degenerate extra axes dropped."""
    from astropy.wcs import WCS, FITSFixedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        try:
            wcs = WCS(header)
        except (ValueError, KeyError, MemoryError) as exc:
            msg = f"{label}: {path.name} has an invalid WCS ({exc})."
            raise ValueError(msg) from exc
    if not wcs.has_celestial:
        msg = (
            f"{label}: {path.name} has no celestial WCS (CTYPE = "
            f"{list(wcs.wcs.ctype)}); read_maps needs sky axes (e.g. RA---TAN, "
            "DEC--TAN) to place the pixels on the sky."
        )
        raise ValueError(msg)
    ndim = data.ndim
    keep = {ndim - 1 - wcs.wcs.lng, ndim - 1 - wcs.wcs.lat}
    if ndim != wcs.naxis:
        keep = {i for i in range(ndim) if data.shape[i] > 1}
    extra = [i for i in range(ndim) if i not in keep]
    thick = [i for i in extra if data.shape[i] != 1]
    if thick or len(keep) != 2:
        msg = (
            f"{label}: {path.name} has shape {data.shape}, not a single 2-D map; "
            "collapse the cube to a map (e.g. a moment-0) first."
        )
        raise ValueError(msg)
    return wcs.celestial, data.squeeze(axis=tuple(extra)) if extra else data


def _parse_unit(text):
    if text is None or not str(text).strip():
        return None
    import astropy.units as u

    text = str(text).strip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", u.UnitsWarning)
        try:
            return u.Unit(text)
        except ValueError:
            log.warning("BUNIT %r is not a unit astropy can parse; kept as text.", text)
            return text


def _grid_difference(a: _Map, b: _Map) -> str:
    """How the grids of two maps differ ("" when they are the same)."""
    from astropy.wcs.utils import proj_plane_pixel_scales

    wa, wb = a.wcs, b.wcs
    keys = []
    if list(wa.wcs.ctype) != list(wb.wcs.ctype):
        keys.append(f"CTYPE ({list(wa.wcs.ctype)} vs {list(wb.wcs.ctype)})")
    else:
        ny, nx = a.data.shape
        px = np.array([0, nx - 1, 0, nx - 1, (nx - 1) / 2])
        py = np.array([0, 0, ny - 1, ny - 1, (ny - 1) / 2])
        with np.errstate(all="ignore"):
            back = wb.world_to_pixel_values(*wa.pixel_to_world_values(px, py))
        offset = np.hypot(back[0] - px, back[1] - py)
        if not np.all(offset < 1e-3):
            for name, va, vb in [
                ("CRVAL", wa.wcs.crval, wb.wcs.crval),
                ("CRPIX", wa.wcs.crpix, wb.wcs.crpix),
                (
                    "pixel scale",
                    proj_plane_pixel_scales(wa),
                    proj_plane_pixel_scales(wb),
                ),
                ("rotation (PC/CD)", wa.pixel_scale_matrix, wb.pixel_scale_matrix),
            ]:
                if not np.allclose(va, vb, rtol=1e-9, atol=0):
                    keys.append(name)
            keys = keys or ["pixel-to-sky mapping"]
    if a.data.shape == b.data.shape and not keys:
        return ""
    text = f"shape {a.data.shape} vs {b.data.shape}"
    return text + (f", WCS {', '.join(keys)}" if keys else ", same WCS")


def _reproject_onto(fmap: _Map, target: _Map) -> _Map:
    try:
        from reproject import reproject_interp
    except ImportError as exc:
        msg = (
            "read_maps(reproject=...) needs the 'reproject' package; install it "
            "with: pip install reproject"
        )
        raise ImportError(msg) from exc
    data, _ = reproject_interp(
        (fmap.data, fmap.wcs), target.wcs, shape_out=target.data.shape
    )
    return dataclasses.replace(fmap, data=np.asarray(data), wcs=target.wcs)


def _stem(path: Path) -> str:
    """A file name without its data and compression endings."""
    name = path.name
    endings = (
        _COMPRESSION
        + (".fz",)
        + tuple(e for es in CATALOG_FORMATS.values() for e in es)
    )
    changed = True
    while changed:
        changed = False
        for ending in endings:
            if name.lower().endswith(ending) and len(name) > len(ending):
                name, changed = name[: -len(ending)], True
    return name


# ---------------------------------------------------------------- catalogues


def read_catalog(
    paths: str | Path | list[str | Path],
    *,
    format: str | None = None,  # noqa: A002 (the astropy/pandas name)
    source_column: str | None = "source",
    **read_kwargs,
) -> pd.DataFrame:
    """Read one catalogue, or stack several, into a ``DataFrame``.

    Parameters
    ----------
    paths : path, glob pattern or list of paths
        FITS binary tables (also ``.fits.gz``/``.fits.bz2``), CSV, ECSV,
        Parquet or astropy HDF5 files. A list or a glob pattern (``*``, ``?``,
        ``[``) stacks the files into one table.
    format : {"fits", "csv", "ecsv", "parquet", "hdf5"}, optional
        Default: inferred from the file ending (see ``CATALOG_FORMATS``).
    source_column : str or None, default "source"
        When reading a list or a glob, the column that records each row's file
        (its name without extensions). ``None`` leaves it out.
    **read_kwargs
        Passed to the reader: ``astropy.table.Table.read`` for FITS, ECSV and
        HDF5 (e.g. ``hdu=2``, or ``path="flux_elines"`` to pick one table of an
        HDF5 file holding several), ``pandas.read_csv`` for CSV and
        ``pandas.read_parquet`` for Parquet.

    Returns
    -------
    pandas.DataFrame
        Native byte order; FITS strings decoded to ``str`` (masked, i.e.
        empty, strings as ""); other masked values as NaN (floats) or pandas
        nullable types (``Int64``, ``boolean``); a multidimensional column
        ``name`` of shape (N, k) split into ``name_0`` ... ``name_{k-1}`` (k*m
        columns ``name_i_j`` for (N, k, m)). A fresh ``RangeIndex`` when
        stacking. ``attrs["units"]`` maps columns to astropy unit strings
        (where the file gives units), ``attrs["source"]`` names the file(s).

    Raises
    ------
    FileNotFoundError
        A missing file, or a glob that matches nothing.
    ValueError
        An unknown format or file ending; an HDF5 file with several tables and
        no ``path=``; a ``source_column`` that already is a column.

    See Also
    --------
    read_maps : FITS maps into the pixel table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("ra,dec\\n10.0,1.0\\n11.0,2.0\\n")
    >>> _ = (folder / "b.csv").write_text("ra,dec\\n12.0,3.0\\n")
    >>> read_catalog(str(folder / "*.csv"))
         ra  dec source
    0  10.0  1.0      a
    1  11.0  2.0      a
    2  12.0  3.0      b
    """
    files, several = _resolve_paths(paths)
    if format is not None and format not in CATALOG_FORMATS:
        msg = f"format={format!r} is not supported; use one of {list(CATALOG_FORMATS)}."
        raise ValueError(msg)
    frames, units = [], {}
    for path in files:
        frame, file_units = _read_one(path, format or _infer_format(path), read_kwargs)
        if several and source_column is not None:
            if source_column in frame.columns:
                msg = (
                    f"source_column={source_column!r} is already a column of "
                    f"{path.name}; pass another name (e.g. source_column='file') "
                    "or source_column=None."
                )
                raise ValueError(msg)
            frame[source_column] = _stem(path)
        for column, unit in file_units.items():
            if units.setdefault(column, unit) != unit:
                log.warning(
                    "Column %r has unit %r in %s but %r in an earlier file; "
                    "keeping the first.",
                    column,
                    unit,
                    path.name,
                    units[column],
                )
        frames.append(frame)
    table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if several and source_column is not None:
        table[source_column] = table[source_column].astype("category")
    table.attrs = {
        "units": units,
        "source": ", ".join(p.name for p in files),
        "files": [str(p) for p in files],
    }
    return table


def _resolve_paths(paths) -> tuple[list[Path], bool]:
    if isinstance(paths, str | Path):
        text = str(paths)
        if any(ch in text for ch in "*?["):
            files = sorted(_glob.glob(text))
            if not files:
                msg = f"paths={text!r}: no file matches this pattern."
                raise FileNotFoundError(msg)
            return [Path(f) for f in files], True
        files, several = [Path(paths)], False
    else:
        files, several = [Path(p) for p in paths], True
        if not files:
            msg = "paths=[] is empty; pass a path, a list of paths or a glob pattern."
            raise ValueError(msg)
    for path in files:
        if not path.is_file():
            msg = f"The catalogue {path} does not exist."
            raise FileNotFoundError(msg)
    return files, several


def _infer_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION:
        suffixes.pop()
    ending = suffixes[-1] if suffixes else ""
    for name, endings in CATALOG_FORMATS.items():
        if ending in endings:
            return name
    known = ", ".join(e for endings in CATALOG_FORMATS.values() for e in endings)
    msg = (
        f"Cannot tell the format of {path.name} from its ending {ending!r}. "
        f"Supported endings: {known} (optionally followed by .gz, .bz2 or .xz). "
        f"Pass format= one of {list(CATALOG_FORMATS)}, e.g. "
        f"read_catalog({str(path)!r}, format='csv')."
    )
    raise ValueError(msg)


def _read_one(path: Path, fmt: str, kwargs: dict) -> tuple[pd.DataFrame, dict]:
    if fmt == "csv":
        return pd.read_csv(path, **kwargs), {}
    if fmt == "parquet":
        return pd.read_parquet(path, **kwargs), {}
    from astropy.table import Table
    from astropy.units import UnitsWarning

    kwargs = dict(kwargs)
    if fmt == "hdf5":
        if "path" not in kwargs:
            kwargs["path"] = _only_hdf5_table(path)
    astropy_format = {"fits": "fits", "ecsv": "ascii.ecsv", "hdf5": "hdf5"}[fmt]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnitsWarning)
        try:
            table = Table.read(path, format=astropy_format, **kwargs)
        except (OSError, ValueError, TypeError) as exc:
            msg = f"Could not read {path} as {fmt} ({type(exc).__name__}: {exc})."
            raise ValueError(msg) from exc
    for w in caught:
        log.warning("%s: %s", path.name, w.message)
    return _table_to_frame(table)


def _only_hdf5_table(path: Path) -> str:
    """The one table of an HDF5 file; a clear error when it holds several."""
    import h5py

    tables: list[str] = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.endswith("__table_column_meta__"):
            tables.append(name)

    try:
        with h5py.File(path, "r") as f:
            f.visititems(visit)
    except OSError as exc:
        msg = f"Could not open {path} as HDF5 ({exc})."
        raise ValueError(msg) from exc
    if len(tables) == 1:
        return tables[0]
    if not tables:
        msg = f"{path.name} holds no table."
        raise ValueError(msg)
    msg = (
        f"{path.name} holds {len(tables)} tables {tables}; pick one with path=, "
        f"e.g. read_catalog({str(path)!r}, path={tables[0]!r})."
    )
    raise ValueError(msg)


def _table_to_frame(table) -> tuple[pd.DataFrame, dict]:
    """An astropy Table as a DataFrame (native byte order, split vector columns)."""
    columns: dict[str, object] = {}
    units: dict[str, str] = {}
    for name in table.colnames:
        col = table[name]
        unit = None if col.unit is None else col.unit.to_string()
        data = np.ma.asanyarray(col)
        if data.ndim == 1:
            parts = {name: data}
        else:
            parts = {
                f"{name}_" + "_".join(map(str, idx)): data[(slice(None), *idx)]
                for idx in np.ndindex(*data.shape[1:])
            }
        for part, values in parts.items():
            columns[part] = _native_column(values)
            if unit is not None:
                units[part] = unit
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(table)))
    return frame, units


def _native_column(values: np.ma.MaskedArray):
    data = np.asarray(values.data)
    if data.dtype.byteorder not in ("=", "|"):
        data = data.astype(data.dtype.newbyteorder("="))
    if data.dtype.kind == "S":
        data = np.char.rstrip(np.char.decode(data, "utf-8", errors="replace"))
    mask = np.ma.getmaskarray(values)
    kind = data.dtype.kind
    if kind == "U":  # a masked string is an empty field in the file
        return np.where(mask, "", data) if mask.any() else data
    if not mask.any():
        return data
    if kind in "fc":
        return np.where(mask, np.nan, data)
    if kind in "iu":
        return pd.arrays.IntegerArray(data.astype(np.int64), mask)
    if kind == "b":
        return pd.arrays.BooleanArray(data, mask)
    out = data.astype(object)
    out[mask] = None
    return out
