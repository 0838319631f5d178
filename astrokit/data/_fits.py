"""One FITS map opened and checked: data, celestial WCS, unit; grids compared.

Every problem a real file can have (not FITS, truncated, no celestial WCS,
several planes, an unparsable unit) is a ``ValueError`` that names the file
and says what to do; astropy's own warnings about the header are logged.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from pathlib import Path

import numpy as np

from astrokit.data._units import parse_bunit

__all__ = [
    "MapSpec",
    "open_map",
    "check_content",
    "grid_difference",
    "reproject_onto",
    "stem",
]

log = logging.getLogger("astrokit.data")

MapSpec = str | Path | tuple[str | Path, int | str]
"""A map: a path, or ``(path, hdu)`` with the HDU's name or index."""

COMPRESSION = (".gz", ".bz2", ".xz")
"""Compression endings looked through when a format is inferred."""

DATA_ENDINGS = (".fits", ".fit", ".fts", ".fz", ".csv", ".ecsv", ".parquet", ".pq")
DATA_ENDINGS += (".hdf5", ".h5", ".he5")


@dataclasses.dataclass
class _Map:
    """One map read from a FITS file: 2-D data, its celestial WCS and unit."""

    path: Path
    data: np.ndarray  # (ny, nx) float32 or float64
    header: object  # astropy.io.fits.Header
    wcs: object  # 2-D celestial astropy.wcs.WCS
    unit: object  # astropy Unit, str (unparsable BUNIT) or None
    covered: object = None  # kernel-weight coverage (0-1) after smoothing


class _MapError(ValueError):
    """A problem already described for the user (not a corrupt file)."""


def open_map(label: str, spec: MapSpec) -> _Map:
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
    return _Map(path, data, header, wcs, parse_bunit(header.get("BUNIT")))


def check_content(label: str, fmap: _Map, *, error: bool = False) -> None:
    """Refuse an error map that is all NaN or negative; log what a value map lacks.

    A value map with no finite pixel, or with infinite ones, is logged as a
    warning (its pixels count as outside the footprint); an error map with
    no finite value or any value below zero is a ``ValueError`` (it would
    flag no pixel as an upper limit).
    """
    data = fmap.data
    finite = np.isfinite(data)
    where = f"{label} ({fmap.path.name})"
    if error:
        with np.errstate(invalid="ignore"):
            negative = int(np.sum(data < 0))
        if not finite.any() or negative:
            what = (
                f"{negative:,} negative value(s) (lowest {np.nanmin(data):.4g})"
                if negative
                else f"no finite value (all {data.size:,} pixels NaN)"
            )
            msg = (
                f"{where} has {what}; a 1-sigma error map must be finite and "
                "non-negative where the band is measured. Check that it is the "
                "error map (not a variance or signal map), or leave this band "
                "out of errors=."
            )
            raise ValueError(msg)
        return
    if not finite.any():
        log.warning(
            "%s has no finite pixel (all %s NaN or infinite): the band adds no "
            "measurement%s.",
            where,
            f"{data.size:,}",
            "" if np.isnan(data).all() else f", {int(np.isinf(data).sum()):,} infinite",
        )
    elif np.isinf(data).any():
        log.warning(
            "%s has %s infinite pixels (+inf: %s, -inf: %s); they are kept as "
            "infinite values where another band measures the pixel (left out where "
            "none does).",
            where,
            f"{int(np.isinf(data).sum()):,}",
            f"{int(np.sum(data == np.inf)):,}",
            f"{int(np.sum(data == -np.inf)):,}",
        )


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


def grid_difference(a: _Map, b: _Map) -> str:
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
                ("rotation (PC/CD)", _orientation(wa), _orientation(wb)),
            ]:
                if not np.allclose(va, vb, rtol=1e-9, atol=0):
                    keys.append(name)
            keys = keys or ["pixel-to-sky mapping"]
    if a.data.shape == b.data.shape and not keys:
        return ""
    text = f"shape {a.data.shape} vs {b.data.shape}"
    return text + (f", WCS {', '.join(keys)}" if keys else ", same WCS")


def _orientation(wcs) -> np.ndarray:
    """The pixel-to-sky matrix with each axis scaled to unit length.

    Two grids differ in rotation only when these differ: the raw PC/CD
    matrices also hold the pixel scale, so an unrotated 0.2" grid and an
    unrotated 1" grid would otherwise be reported as rotated.
    """
    matrix = np.asarray(wcs.pixel_scale_matrix, dtype=float)
    return matrix / np.linalg.norm(matrix, axis=0, keepdims=True)


def reproject_onto(fmap: _Map, target: _Map) -> _Map:
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


def stem(path: Path) -> str:
    """A file name without its data and compression endings."""
    name = path.name
    endings = COMPRESSION + DATA_ENDINGS
    changed = True
    while changed:
        changed = False
        for ending in endings:
            if name.lower().endswith(ending) and len(name) > len(ending):
                name, changed = name[: -len(ending)], True
    return name
