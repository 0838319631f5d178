"""The raw observations' instruments: grids, beams, noise and FITS layouts.

The instrument definitions and file writers of ``_synthetic_raw`` (see its
docstring for how the files are made): per instrument a north-up TAN grid
about the galaxy centre, each band's noiseless map convolved with its
native beam and sampled onto that grid, its noise, and the file layout of
the survey product it imitates.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from astrokit.data._synthetic_emission import HST, LINES
from astrokit.data._synthetic_geometry import GALAXY_SPECS

__all__ = ["INSTRUMENTS", "ALMA_BEAM", "MUSE_SEEING", "write_instrument"]

INSTRUMENTS = {
    # name: pixel (arcsec), field side (fraction), centre offset (east, north;
    # fraction of the field), bands, footprint key of the generator
    "ALMA": (0.25, 1.00, (0.00, 0.00), ("co21",), "ALMA"),
    "MUSE": (0.20, 0.90, (0.03, -0.02), LINES, "MUSE"),
    "NIRCam": (0.063, 0.80, (-0.04, 0.03), ("f335m",), "JWST"),
    "MIRI": (0.11, 0.85, (-0.04, 0.03), ("f770w", "f1130w", "f2100w"), "JWST"),
    "HST": (0.04, 0.75, (0.05, 0.04), HST, "HST"),
}  # fmt: skip
"""Per instrument: pixel size, grid extent and centre, bands, footprint.
PHANGS-like pixels: ALMA cubes about a quarter of the beam, MUSE 0.2"
spaxels, NIRCam long-wave 0.063", MIRI 0.11", drizzled HST 0.04"."""

ALMA_BEAM = {
    "NGC0628": (1.12, 0.92, 34.0),
    "NGC1365": (1.05, 0.86, -68.0),
    "NGC7496": (1.00, 0.82, 80.0),
}
"""ALMA CO(2-1) beam per galaxy: BMAJ, BMIN (arcsec), BPA (deg east of north)."""
MUSE_SEEING = {"NGC0628": 0.80, "NGC1365": 0.86, "NGC7496": 0.74}
"""MUSE seeing FWHM (arcsec) per galaxy."""
SII_SPLIT = 0.58
"""Fraction of the [SII] doublet in 6716 (6716/6731 = 1.38, low density)."""
MUSE_SPAXEL2 = 0.04
"""The model's line fluxes are per (0.2 arcsec)^2 spaxel."""
MUSE_EXT = {"halpha": "HA6562", "hbeta": "HB4861", "oiii5007": "OIII5006"}
MUSE_EXT |= {"nii6583": "NII6583", "oi6300": "OI6300"}


def _header(spec, pixel_arcsec, crpix, **cards):
    """A north-up TAN header about the galaxy centre, with the kit's keywords."""
    from astropy.io import fits

    deg = pixel_arcsec / 3600.0
    header = fits.Header()
    header["WCSAXES"] = 2
    header["CTYPE1"], header["CTYPE2"] = "RA---TAN", "DEC--TAN"
    header["CRVAL1"], header["CRVAL2"] = spec.ra, spec.dec
    header["CRPIX1"], header["CRPIX2"] = crpix
    header["CDELT1"], header["CDELT2"] = -deg, deg
    header["CUNIT1"], header["CUNIT2"] = "deg", "deg"
    header["RADESYS"] = "ICRS"
    header["OBJECT"] = (spec.name, "synthetic PHANGS-like galaxy (astrokit)")
    header["DIST_MPC"] = (spec.dist_mpc, "[Mpc] adopted distance")
    for key, value in cards.items():
        header[key] = value
    return header


def _axis_weights(n_out, crpix_out, pix_out, crpix_in, pix_in, n_in, nearest=False):
    """Sparse (n_out, n_in) bilinear (or nearest) weights along one axis."""
    from scipy.sparse import csr_matrix

    pos = crpix_in - 1 + (np.arange(n_out) + 1 - crpix_out) * (pix_out / pix_in)
    if nearest:
        cols = np.clip(np.rint(pos).astype(int), 0, n_in - 1)
        return csr_matrix((np.ones(n_out), (np.arange(n_out), cols)), (n_out, n_in))
    lo = np.clip(np.floor(pos).astype(int), 0, n_in - 2)
    frac = np.clip(pos - lo, 0.0, 1.0)
    rows = np.repeat(np.arange(n_out), 2)
    cols = np.column_stack([lo, lo + 1]).ravel()
    vals = np.column_stack([1 - frac, frac]).ravel()
    return csr_matrix((vals, (rows, cols)), (n_out, n_in))


def _resample(image, weights):
    """``image`` (model grid) on another grid: ``Wy @ image @ Wx.T``."""
    wy, wx = weights
    return np.asarray(wy @ (wx @ image.T).T, dtype=np.float32)


def _convolve(image, beam, wcs):
    from scipy.signal import oaconvolve

    from astrokit.data._convolve import kernel_for

    kernel = kernel_for(beam, wcs, image.shape).array
    return oaconvolve(image, kernel / kernel.sum(), mode="same")


def _native_beam(name, instrument, band):
    import astropy.units as u
    from radio_beam import Beam

    from astrokit.data._beams import PSF_FWHM

    if instrument == "ALMA":
        major, minor, pa = ALMA_BEAM[name]
        return Beam(major * u.arcsec, minor * u.arcsec, pa * u.deg), "header"
    if instrument == "MUSE":
        return Beam(MUSE_SEEING[name] * u.arcsec), "file name"
    return Beam(PSF_FWHM[band] * u.arcsec), "PSF_FWHM"


def _noise_factor(native, target, wcs, shape, correlated: bool) -> float:
    """How much smoothing from ``native`` to ``target`` reduces a pixel's sigma."""
    from astrokit.data._convolve import beam_noise_ratio, kernel_for

    kernel_beam = target.deconvolve(native)
    if correlated:
        return math.sqrt(beam_noise_ratio(native, kernel_beam))
    k = kernel_for(kernel_beam, wcs, shape).array
    return float(np.sqrt(np.sum((k / k.sum()) ** 2)))


def _beam_noise(native, wcs, shape, rng):
    """Unit-variance noise whose autocorrelation is the beam ``native``."""
    from radio_beam import Beam
    from scipy.signal import oaconvolve

    from astrokit.data._convolve import kernel_for

    root = Beam(native.major / math.sqrt(2), native.minor / math.sqrt(2), native.pa)
    k = kernel_for(root, wcs, shape).array
    h0, h1 = k.shape[0] // 2, k.shape[1] // 2
    white = rng.standard_normal((shape[0] + 2 * h0, shape[1] + 2 * h1))
    return oaconvolve(white, k / np.sqrt(np.sum(k**2)), mode="valid")


def _instrument_grid(spec, inst, model):
    """Header, shape and grid-to-model weights of one instrument's grid."""
    pixel, frac, (off_e, off_n), _, _ = INSTRUMENTS[inst]
    field = model["field_arcsec"]
    east, north = model["centre_arcsec"]
    n = int(round(frac * field / pixel))
    crpix = (
        (n + 1) / 2 + (east + off_e * field) / pixel,
        (n + 1) / 2 - (north + off_n * field) / pixel,
    )
    header = _header(spec, pixel, crpix, TELESCOP=inst)
    p_m, n_m = model["pixel_arcsec"], model["n"]
    weights = [
        _axis_weights(n, crpix[axis], pixel, model["crpix"][axis], p_m, n_m, near)
        for near in (False, True)
        for axis in (1, 0)  # y first
    ]
    return header, (n, n), weights[:2], weights[2:]


def _band_maps(name, inst, band, sky, model, grid):
    """Noiseless value, sigma and footprint mask of one band on its grid."""
    from astropy.wcs import WCS

    header, shape, bilinear, nearest = grid
    native, beam_from = _native_beam(name, inst, band)
    signal = _resample(_convolve(sky["truth"][band], native, model["wcs"]), bilinear)
    factor = _noise_factor(
        native, model["target"], WCS(header), shape, correlated=inst == "ALMA"
    )
    sigma = _resample(sky["sigma"][band], bilinear) / np.float32(factor)
    covered = _resample(sky["cover"][INSTRUMENTS[inst][4]].astype(float), nearest)
    return signal, sigma, covered >= 0.5, native, beam_from


def _observed(signal, sigma, covered, noise):
    """Value and error maps: NaN outside the footprint, float32."""
    value = np.where(covered, signal + sigma * noise, np.nan).astype(np.float32)
    return value, np.where(covered, sigma, np.nan).astype(np.float32)


def _row(name, inst, band, files, native, beam_from, grid, unit):
    (path, hdu), (err_path, err_hdu) = files
    return {
        "galaxy": name,
        "instrument": inst,
        "band": band,
        "path": str(path),
        "hdu": hdu,
        "err_path": str(err_path),
        "err_hdu": err_hdu,
        "beam_major_arcsec": float(native.major.to("arcsec").value),
        "beam_minor_arcsec": float(native.minor.to("arcsec").value),
        "beam_pa_deg": float(native.pa.to("deg").value),
        "beam_from": beam_from,
        "pixel_arcsec": INSTRUMENTS[inst][0],
        "ny": grid[1][0],
        "nx": grid[1][1],
        "unit": unit,
        "noise": "beam" if inst == "ALMA" else "pixel",
    }


def _write_alma(folder, name, sky, model, grid, rng) -> list[dict]:
    from astropy.io import fits
    from astropy.wcs import WCS

    signal, sigma, covered, native, how = _band_maps(
        name, "ALMA", "co21", sky, model, grid
    )
    noise = _beam_noise(native, WCS(grid[0]), grid[1], rng)
    value, sigma = _observed(signal, sigma, covered, noise)
    header = grid[0].copy()
    header["BUNIT"] = "K km/s"
    header["BMAJ"] = (native.major.to("deg").value, "[deg] beam major axis")
    header["BMIN"] = (native.minor.to("deg").value, "[deg] beam minor axis")
    header["BPA"] = (native.pa.to("deg").value, "[deg] beam position angle")
    stem = folder / f"{name.lower()}_alma_co21"
    path, err_path = Path(f"{stem}_mom0.fits"), Path(f"{stem}_emom0.fits")
    fits.writeto(path, value, header, overwrite=True)
    fits.writeto(err_path, sigma, header, overwrite=True)
    files = ((path, 0), (err_path, 0))
    return [_row(name, "ALMA", "co21", files, native, how, grid, "K km/s")]


def _write_muse(folder, name, sky, model, grid, rng) -> list[dict]:
    """One DAP-like file: ``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR`` extensions."""
    from astropy.io import fits

    unit = "1e-20 erg / (s cm2)"
    header = grid[0].copy()
    header["BUNIT"] = (unit, "per 0.2 arcsec spaxel")
    path = folder / f"{name}-{MUSE_SEEING[name]:.2f}asec_MAPS.fits"
    primary = fits.PrimaryHDU(header=fits.Header([("OBJECT", name)]))
    primary.header["DIST_MPC"] = GALAXY_SPECS[name].dist_mpc
    hdus, rows = [primary], []
    for band in LINES:
        signal, sigma, covered, native, how = _band_maps(
            name, "MUSE", band, sky, model, grid
        )
        if band == "sii6716_31":  # a doublet: two extensions, as in the DAP
            parts = [
                ("SII6716", "sii6716", SII_SPLIT * signal, sigma / math.sqrt(2)),
                ("SII6730", "sii6731", (1 - SII_SPLIT) * signal, sigma / math.sqrt(2)),
            ]
        else:
            parts = [(MUSE_EXT[band], band, signal, sigma)]
        for ext, kit_band, sig, err in parts:
            value, err = _observed(sig, err, covered, rng.standard_normal(grid[1]))
            hdus.append(fits.ImageHDU(value, header, name=f"{ext}_FLUX"))
            hdus.append(fits.ImageHDU(err, header, name=f"{ext}_FLUX_ERR"))
            files = ((path, f"{ext}_FLUX"), (path, f"{ext}_FLUX_ERR"))
            rows.append(_row(name, "MUSE", kit_band, files, native, how, grid, unit))
    fits.HDUList(hdus).writeto(path, overwrite=True)
    return rows


def _write_images(folder, name, inst, sky, model, grid, rng) -> list[dict]:
    """JWST or HST: one file per filter with ``SCI`` and ``ERR`` extensions."""
    from astropy.io import fits

    rows, mission = [], "HST" if inst == "HST" else "JWST"
    for band in INSTRUMENTS[inst][3]:
        signal, sigma, covered, native, how = _band_maps(
            name, inst, band, sky, model, grid
        )
        value, err = _observed(signal, sigma, covered, rng.standard_normal(grid[1]))
        header = grid[0].copy()
        header["TELESCOP"], header["INSTRUME"] = mission, inst
        header["FILTER"], header["BUNIT"] = band.upper(), "MJy/sr"
        path = folder / f"{name.lower()}_{mission.lower()}_{band}.fits"
        primary = fits.PrimaryHDU(header=fits.Header([("OBJECT", name)]))
        hdus = [primary, fits.ImageHDU(value, header, name="SCI")]
        fits.HDUList([*hdus, fits.ImageHDU(err, header, name="ERR")]).writeto(
            path, overwrite=True
        )
        files = ((path, "SCI"), (path, "ERR"))
        rows.append(_row(name, inst, band, files, native, how, grid, "MJy/sr"))
    return rows


def write_instrument(folder, name, inst, sky, model, rng) -> list[dict]:
    """Write one instrument's files for one galaxy; one manifest row per band.

    ``model`` describes the model grid: ``wcs``, ``pixel_arcsec``, ``n`` (its
    side in pixels), ``crpix``, ``field_arcsec``, ``centre_arcsec`` (the field
    centre's east and north offsets) and ``target`` (the 150 pc beam).
    """
    grid = _instrument_grid(GALAXY_SPECS[name], inst, model)
    if inst == "ALMA":
        return _write_alma(folder, name, sky, model, grid, rng)
    if inst == "MUSE":
        return _write_muse(folder, name, sky, model, grid, rng)
    return _write_images(folder, name, inst, sky, model, grid, rng)
