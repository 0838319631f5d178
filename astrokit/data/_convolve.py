"""One map smoothed from its native beam to the common one, with its errors.

The kernel is the target beam deconvolved by the native one
(``radio_beam.Beam.deconvolve``), an astropy ``Gaussian2DKernel`` drawn on
the map's own pixels and turned with the grid's orientation on the sky
(radio-beam's ``as_kernel`` assumes north up). The convolution is scipy's
overlap-add FFT (``scipy.signal.oaconvolve``, single precision) rather than
astropy's ``convolve_fft``: the same linear convolution with zeros outside
the map, but in blocks of about the kernel's size, so that a 2000 x 2000 map
with a kernel of a few tens of pixels is not padded to a prime-sized FFT
(astropy pads to map + kernel, 4x slower here) and memory stays near a few
copies of the map. The NaN handling below is done explicitly, so none of
astropy's ``nan_treatment`` is needed.

**Footprint edges (the NaN rule).** Normalised convolution: with ``w`` = 1
where the map is finite and 0 elsewhere, the smoothed map is
``conv(w * map, K) / conv(w, K)``, kept where the coverage ``conv(w, K)``
(the fraction of the kernel's weight that fell on measured pixels) is at
least ``coverage`` (default 0.5) and NaN elsewhere. A Gaussian kernel does
not ring, nothing leaks into the NaN region beyond the coverage threshold,
and small NaN holes inside the footprint are filled from their neighbours
instead of eating a kernel-sized hole. At a straight edge the coverage is
0.5, so the default keeps the footprint where it was.

**Errors.** An error map is propagated as a variance with the squared
kernel, ``var = conv(w * err**2, K**2) / conv(w, K)**2`` (``noise="pixel"``):
the exact variance of the smoothed value when the native pixels' noise is
independent (detector noise of optical and infrared images). After
smoothing, neighbouring pixels are no longer independent: their noise is
correlated over the target beam, about ``beam area / pixel area`` pixels per
independent measurement, so errors of sums or fits over many pixels must not
treat them as independent. Interferometer maps are different from the
start: their noise is correlated like the beam (its autocorrelation is the
beam), and the squared-kernel rule would shrink their errors far too much
(by ~40x for PHANGS-ALMA NGC 3621 smoothed from 150 to 300 pc instead of
~2.6x). ``noise="beam"`` treats the native noise as white noise smoothed
by a Gaussian whose autocorrelation is the native beam (``B / sqrt(2)``),
so the smoothed variance is the kernel-weighted variance times
``area(B/sqrt(2)) / area(B/sqrt(2) * kernel)`` (radio-beam's ``convolve``
and ``sr``); for circular beams that is ``s_n**2 / (2 s_t**2 - s_n**2)``.
``noise="auto"`` (the kit's default) uses "beam" for a map whose beam is in
its header (BMAJ, written by radio imaging software) and "pixel" otherwise.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["kernel_for", "smooth", "grid_orientation", "beam_noise_ratio"]

NOISE = ("auto", "pixel", "beam")


def grid_orientation(wcs, shape) -> tuple[float, bool]:
    """Angle (deg) of north from the pixel +x axis, and whether east is to its left.

    Measured at the centre of a grid of ``shape`` (ny, nx) by stepping 1
    arcsec north and east.
    """
    ny, nx = shape
    x0, y0 = (nx - 1) / 2, (ny - 1) / 2
    lon, lat = wcs.pixel_to_world_values(x0, y0)
    step = 1 / 3600
    xn, yn = wcs.world_to_pixel_values(lon, lat + step)
    xe, ye = wcs.world_to_pixel_values(lon + step / math.cos(math.radians(lat)), lat)
    north = math.degrees(math.atan2(yn - y0, xn - x0))
    east = math.degrees(math.atan2(ye - y0, xe - x0))
    east_left = ((east - north) % 360) < 180
    return north, east_left


def pixel_scale_arcsec(wcs) -> float:
    """The geometric-mean pixel size (arcsec) of a celestial WCS."""
    from astropy.wcs.utils import proj_plane_pixel_scales

    sx, sy = np.abs(proj_plane_pixel_scales(wcs))
    return float(math.sqrt(sx * sy) * 3600)


def kernel_for(conv_beam, wcs, shape):
    """The elliptical Gaussian kernel of ``conv_beam`` on the pixels of a grid."""
    from astropy.convolution import Gaussian2DKernel
    from astropy.stats import gaussian_fwhm_to_sigma

    pix = pixel_scale_arcsec(wcs)
    north, east_left = grid_orientation(wcs, shape)
    pa = float(conv_beam.pa.to("deg").value)
    angle = north + pa if east_left else north - pa
    major = float(conv_beam.major.to("arcsec").value) / pix * gaussian_fwhm_to_sigma
    minor = float(conv_beam.minor.to("arcsec").value) / pix * gaussian_fwhm_to_sigma
    size = 2 * int(math.ceil(4 * max(major, 0.5))) + 1  # +-4 sigma, odd
    kernel = Gaussian2DKernel(
        major, max(minor, 1e-3), math.radians(angle), x_size=size, y_size=size
    )
    kernel.normalize()
    return kernel


def _convolve(data: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Linear convolution, zero outside the map, same shape, float32."""
    from scipy.signal import oaconvolve

    out = oaconvolve(data.astype(np.float32, copy=False), kernel, mode="same")
    return out.astype(np.float32, copy=False)


def beam_noise_ratio(native, conv_beam) -> float:
    """Variance ratio for noise correlated like ``native``, smoothed by a kernel."""
    from radio_beam import Beam

    root = Beam(native.major / math.sqrt(2), native.minor / math.sqrt(2), native.pa)
    return float(root.sr / root.convolve(conv_beam).sr)


def smooth(
    data: np.ndarray,
    err: np.ndarray | None,
    kernel,
    *,
    coverage: float = 0.5,
    noise: str = "pixel",
    area_ratio: float = 1.0,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Normalised convolution of a map (and its error map) with ``kernel``.

    Returns ``(value, error, covered)`` as float32 arrays on the same grid;
    ``covered`` is the kernel-weight fraction on measured pixels (0 to 1).
    ``area_ratio`` multiplies the kernel-weighted variance (``noise="beam"``;
    :func:`beam_noise_ratio`).
    """
    k = np.asarray(kernel.array if hasattr(kernel, "array") else kernel, np.float64)
    k = (k / k.sum()).astype(np.float32)
    finite = np.isfinite(data)
    weight = finite.astype(np.float32)
    covered = np.clip(_convolve(weight, k), 0.0, 1.0)
    keep = covered >= coverage
    with np.errstate(invalid="ignore", divide="ignore"):
        value = _convolve(np.where(finite, data, 0).astype(np.float32), k)
        value = np.where(keep, value / covered, np.nan).astype(np.float32)
    if err is None:
        return value, None, covered
    var = np.where(finite & np.isfinite(err), np.square(err, dtype=np.float32), 0)
    var = var.astype(np.float32, copy=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        if noise == "beam":
            smoothed = _convolve(var, k) / covered * np.float32(area_ratio)
        else:
            smoothed = _convolve(var, k * k) / np.square(covered)
        error = np.where(keep, np.sqrt(np.clip(smoothed, 0, None)), np.nan)
    return value, error.astype(np.float32), covered
