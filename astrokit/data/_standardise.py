"""Maps of several instruments to one resolution and one grid.

:func:`standardise` is what ``read_maps(..., resolution=...)`` runs between
opening the files and building the pixel table: each band's native beam
(``_beams``), per-beam units to per steradian (``_units``), smoothing to the
common beam with errors propagated (``_convolve``, where the NaN rule and
the noise correlation are stated), then one grid: a band's, or a new
north-up TAN grid over all the maps (``reproject.mosaicking.
find_optimal_celestial_wcs``) with pixels of half the target beam by
default, filled with ``reproject.reproject_interp``. Upper limits are not
made here: the pixel table flags them from the propagated errors.
"""

from __future__ import annotations

import dataclasses
import logging
import math

import numpy as np

from astrokit.data._beams import native_beam, target_beam
from astrokit.data._convolve import (
    NOISE,
    beam_noise_ratio,
    kernel_for,
    pixel_scale_arcsec,
    smooth,
)
from astrokit.data._fits import grid_difference
from astrokit.data._units import per_steradian, unit_kind

__all__ = ["standardise", "check_standardise_args"]

log = logging.getLogger("astrokit.data")

_SAME = 1e-3
"""Beams whose axes agree to this fraction are the same (header rounding)."""


def check_standardise_args(maps, resolution, grid, native, coverage, noise):
    """Refuse bad options before any file is opened."""
    if resolution is None:
        if grid is not None or native:
            msg = (
                f"grid={grid!r} and native= need resolution= (the common beam, e.g. "
                "resolution='150 pc'); to reproject without smoothing use reproject=."
            )
            raise ValueError(msg)
        return
    unknown = sorted(set(native or {}) - set(maps))
    if unknown:
        msg = f"native= names bands {unknown} that are not in maps {list(maps)}."
        raise ValueError(msg)
    if isinstance(grid, str) and grid not in maps:
        try:
            _size("grid", grid)
        except ValueError:
            msg = (
                f"grid={grid!r} must be None (a new grid with pixels of half the "
                f"target beam), one of the bands {list(maps)}, or a pixel size "
                "(e.g. '75 pc' or '0.5 arcsec')."
            )
            raise ValueError(msg) from None
    if not (isinstance(coverage, float | int) and 0 < coverage <= 1):
        msg = f"coverage={coverage!r} must be a number in (0, 1] (default 0.5)."
        raise ValueError(msg)
    if noise not in NOISE:
        msg = f"noise={noise!r} must be one of {list(NOISE)}."
        raise ValueError(msg)


def standardise(
    values, errs, *, name, resolution, distance, grid, native, coverage, noise
):
    """Smooth every band to ``resolution`` and put all on one grid (in place).

    Returns ``(target, info)``: the target map (its ``wcs`` and ``data.shape``
    are the grid) and what was done, for ``table.attrs``.
    """
    header = next((v.header for v in values.values() if "DIST_MPC" in v.header), None)
    beam, info = target_beam(resolution, distance, galaxy=name, header=header)
    info["beam"] = _describe(beam)
    bands_info = {}
    for band, fmap in values.items():
        bands_info[band] = _match_beam(band, fmap, errs, beam, native, coverage, noise)
    target, grid_info = _choose_grid(values, grid, beam, info["distance_mpc"])
    for band in values:
        covered = _onto(band, values, errs, target)
        bands_info[band]["covered_fraction"] = covered
    info.update(bands=bands_info, grid=grid_info, coverage=coverage, noise=noise)
    return target, info


def _describe(beam) -> dict:
    return {
        "bmaj_arcsec": float(beam.major.to("arcsec").value),
        "bmin_arcsec": float(beam.minor.to("arcsec").value),
        "bpa_deg": float(beam.pa.to("deg").value),
    }


def _match_beam(band, fmap, errs, beam, native, coverage, noise) -> dict:
    """Smooth one band (and its error map) from its beam to ``beam``."""
    label = f"maps[{band!r}]"
    nat, source = native_beam(label, band, fmap, (native or {}).get(band))
    record = {
        "native_beam": _describe(nat),
        "beam_from": source,
        "unit": None if fmap.unit is None else str(fmap.unit),
        "pixel_arcsec": pixel_scale_arcsec(fmap.wcs),
    }
    err = errs.get(band)
    if unit_kind(fmap.unit) == "beam":
        factor, unit = per_steradian(fmap.unit, nat)
        fmap.data, fmap.unit = fmap.data * np.float32(factor), unit
        if err is not None and unit_kind(err.unit) == "beam":
            err.data, err.unit = err.data * np.float32(factor), unit
    kernel_beam = _kernel_beam(label, fmap, nat, beam)
    record["kernel"] = None if kernel_beam is None else _describe(kernel_beam)
    if kernel_beam is None:
        fmap.covered = np.isfinite(fmap.data).astype(np.float32)
        return record
    kernel = kernel_for(kernel_beam, fmap.wcs, fmap.data.shape)
    if noise == "auto":
        noise = "beam" if source == "header" else "pixel"
    record["noise"] = noise
    ratio = beam_noise_ratio(nat, kernel_beam)
    value, error, covered = smooth(
        fmap.data,
        None if err is None else err.data,
        kernel,
        coverage=coverage,
        noise=noise,
        area_ratio=ratio,
    )
    fmap.data, fmap.covered = value, covered
    if err is not None:
        err.data = error
    return record


def _kernel_beam(label, fmap, nat, beam):
    """The beam to convolve with: None when ``nat`` already is ``beam``."""
    from radio_beam import Beam
    from radio_beam.utils import BeamError

    major, minor = (float(b.to("arcsec").value) for b in (nat.major, nat.minor))
    goal = float(beam.major.to("arcsec").value)
    if abs(major - goal) <= _SAME * goal and abs(minor - goal) <= _SAME * goal:
        return None
    try:
        return beam.deconvolve(nat)
    except BeamError:
        if major <= goal * (1 + _SAME):
            return Beam(beam.major * (1 + 2 * _SAME)).deconvolve(nat)
    msg = (
        f'{label} ({fmap.path.name}) has a beam of {major:.3g}" x {minor:.3g}" '
        f"(PA {float(nat.pa.to('deg').value):.0f} deg), coarser than the target "
        f'resolution {goal:.3g}": a map cannot be smoothed to a finer resolution. '
        f'Choose a target of at least {major:.3g}" (the coarsest beam), or leave '
        "this band out."
    )
    raise ValueError(msg)


def _size(name, value):
    from astrokit.data._beams import _quantity

    size = _quantity(name, value)
    if size.unit.physical_type not in ("angle", "length") or not size.value > 0:
        msg = f"{name}={value!r} must be a positive angle or length (e.g. '75 pc')."
        raise ValueError(msg)
    return size


def _choose_grid(values, grid, beam, dist_mpc):
    """The target grid: a band's, the maps' shared one, or a new one."""
    import astropy.units as u

    bands = list(values)
    fwhm = float(beam.major.to("arcsec").value)
    if isinstance(grid, str) and grid in values:
        return values[grid], {"kind": "band", "band": grid}
    shared = all(not grid_difference(values[bands[0]], values[b]) for b in bands)
    if grid is None and shared:
        return values[bands[0]], {"kind": "shared", "band": bands[0]}
    if grid is None:
        pixel = fwhm / 2
    else:
        size = _size("grid", grid)
        if size.unit.physical_type == "length":
            if not math.isfinite(dist_mpc):
                msg = (
                    f"grid={grid!r} is a length; it needs the distance: give "
                    "resolution as a length too, or distance=."
                )
                raise ValueError(msg)
            size = (size / (dist_mpc * u.Mpc)).decompose().value * u.rad
        pixel = float(size.to(u.arcsec).value)
    if pixel > fwhm / 2 * 1.01:
        log.warning(
            "The grid's pixels (%.3g\") are larger than half the target beam "
            '(%.3g"): the common-resolution maps are undersampled.',
            pixel,
            fwhm / 2,
        )
    from reproject.mosaicking import find_optimal_celestial_wcs

    wcs, shape = find_optimal_celestial_wcs(
        [(v.data.shape, v.wcs) for v in values.values()],
        resolution=pixel * u.arcsec,
        frame=values[bands[0]].wcs.celestial.wcs.radesys.lower() or "icrs",
    )
    wcs.pixel_shape = shape[::-1]
    first = values[bands[0]]
    target = dataclasses.replace(first, data=np.empty(shape, np.float32), wcs=wcs)
    return target, {"kind": "new", "pixel_arcsec": pixel}


def _onto(band, values, errs, target) -> float:
    """Reproject one band (value, error, coverage) onto ``target``'s grid.

    The three planes go through one ``reproject_interp`` call (its leading
    axis broadcasts), so the pixel-to-sky mapping is computed once.
    """
    fmap = values[band]
    if grid_difference(target, fmap):
        from reproject import reproject_interp

        area = (pixel_scale_arcsec(target.wcs) / pixel_scale_arcsec(fmap.wcs)) ** 2
        err = errs.get(band)
        planes = [fmap.data, fmap.covered] + ([] if err is None else [err.data])
        out, _ = reproject_interp(
            (np.stack(planes), fmap.wcs), target.wcs, shape_out=target.data.shape
        )
        out = out.astype(np.float32, copy=False)
        scale = area if unit_kind(fmap.unit) == "pixel" else 1.0
        values[band] = dataclasses.replace(fmap, data=out[0] * scale, wcs=target.wcs)
        values[band].covered = np.nan_to_num(out[1])
        if err is not None:
            scale = area if unit_kind(err.unit) == "pixel" else 1.0
            errs[band] = dataclasses.replace(err, data=out[2] * scale, wcs=target.wcs)
    return float(np.mean(np.isfinite(values[band].data)))
