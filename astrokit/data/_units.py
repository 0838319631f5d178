"""Map units: to the band's unit, per beam to per steradian, per pixel kept right.

Three kinds of map unit matter when maps are smoothed and regridded:

- **per solid angle** (MJy/sr, erg/s/cm2/arcsec2) and **brightness
  temperature** (K, K km/s): surface brightnesses, unchanged by a new pixel
  size;
- **per beam** (Jy/beam, Jy/beam km/s): turned into per steradian with the
  native beam's area (``astropy.units.beam_angular_area``) before smoothing,
  since "per beam" changes meaning when the beam does;
- **per pixel** (a flux with no solid angle, e.g. MUSE's 1e-20 erg/s/cm2 per
  spaxel, or Jy per pixel): the flux in a pixel, scaled by the ratio of pixel
  areas when reprojected so that totals are kept.

Conversions to a band's unit use astropy's equivalencies, with
``brightness_temperature`` at the band's frequency (the header's ``RESTFRQ``,
else the band's wavelength) for K <-> Jy/sr.

:func:`parse_bunit` reads two radio conventions astropy does not, as
spectral-cube does (its issues 126 and 214): the capitals of older CASA
and AIPS headers (``JY/BEAM``, ``K.KM/S``), and CASA's moment maps,
``Jy/beam.km/s``, which mean (Jy/beam)(km/s) where astropy's parser puts
everything after the first ``/`` below the line, Jy/(beam km s).
"""

from __future__ import annotations

import logging
import re
import warnings

import numpy as np

from astrokit._shared.bands import BANDS

__all__ = [
    "parse_bunit",
    "to_band_unit",
    "error_in_unit",
    "per_steradian",
    "unit_kind",
]

log = logging.getLogger("astrokit.data")

CAPITALS = {
    "JY": "Jy", "BEAM": "beam", "K": "K", "KELVIN": "K", "KM": "km", "M": "m",
    "S": "s", "SR": "sr", "HZ": "Hz", "ERG": "erg", "CM": "cm", "W": "W",
    "ANGSTROM": "Angstrom", "ARCSEC": "arcsec", "PIXEL": "pix", "PIX": "pix",
}  # fmt: skip
"""Unit names in the capitals of older radio headers (``MJY`` is left out:
milli- or mega-Jansky cannot be told apart)."""
NAME = r"(?<!\d)[A-Z]+"
"""A unit name in capitals (not the E of 1E-20)."""
PER_BEAM_TIMES = re.compile(r"^(?P<flux>[^/()]+)/beam[.* ]+(?P<times>[^()]+)$")
"""CASA's ``<flux>/beam.<unit>``: per beam, then times the unit."""


def _from_capitals(text: str) -> str:
    """``text`` with capital unit names spelled as astropy reads them."""
    if text != text.upper():
        return text
    names = re.findall(NAME, text)
    if not names or any(name not in CAPITALS for name in names):
        return text
    return re.sub(NAME, lambda found: CAPITALS[found.group()], text)


def parse_bunit(text):
    """A FITS ``BUNIT`` as an astropy unit; unreadable text kept as text.

    Examples
    --------
    >>> parse_bunit("JY/BEAM.KM/S").to_string()
    'Jy km / (beam s)'
    >>> parse_bunit("K km/s").to_string()
    'K km / s'
    """
    if text is None or not str(text).strip():
        return None
    import astropy.units as u

    given = str(text).strip()
    spelled = _from_capitals(given)
    casa = PER_BEAM_TIMES.match(spelled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", u.UnitsWarning)
        try:
            if casa:
                unit = u.Unit(casa["flux"]) / u.beam * u.Unit(casa["times"])
            else:
                unit = u.Unit(spelled)
        except ValueError:
            log.warning(
                "BUNIT %r is not a unit astropy can parse; kept as text.", given
            )
            return given
    if spelled != given or casa:
        log.info("BUNIT %r read as %s (a radio convention).", given, unit)
    return unit


def unit_kind(unit) -> str:
    """'beam', 'pixel', 'area' (per solid angle or temperature) or 'other'."""
    import astropy.units as u

    if unit is None or isinstance(unit, str):
        return "other"
    if u.beam in unit.bases:
        return "beam"
    decomposed = unit.decompose()
    powers = dict(zip(decomposed.bases, decomposed.powers, strict=True))
    if powers.get(u.rad, 0) == -2 or u.K in decomposed.bases:
        return "area"
    flux_like = (u.W / u.m**2, u.Jy, u.Jy * u.km / u.s)
    if any(unit.is_equivalent(f) for f in flux_like):
        return "pixel"
    return "other"


def per_steradian(unit, beam):
    """``(factor, new_unit)``: a per-beam unit to per steradian with ``beam``."""
    import astropy.units as u

    new = unit * u.beam / u.sr
    sr_per_beam = u.beam.to(u.sr, equivalencies=u.beam_angular_area(beam.sr))
    return 1.0 / float(sr_per_beam), new


def _frequency(band: str, fmap):
    import astropy.units as u

    if fmap.header.get("RESTFRQ"):
        return float(fmap.header["RESTFRQ"]) * u.Hz
    meta = BANDS.get(band)
    if meta is not None and meta.wavelength_um:
        return (meta.wavelength_um * u.um).to(u.GHz, equivalencies=u.spectral())
    return None


def _factor(unit, expected, freq) -> float | None:
    """unit -> expected, directly or with brightness temperature (None if not)."""
    import astropy.units as u

    if unit.is_equivalent(expected):
        return float(unit.to(expected))
    if freq is None:
        return None
    eq = u.brightness_temperature(freq)
    for common in (u.dimensionless_unscaled, u.km / u.s):
        try:
            return float((unit / common).to(expected / common, equivalencies=eq))
        except u.UnitConversionError:
            continue
    return None


def to_band_unit(band, fmap):
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
    factor = _factor(unit, expected, _frequency(band, fmap))
    if factor is None:
        hint = " (a per-beam unit needs resolution= to be converted)"
        msg = (
            f"maps[{band!r}] ({fmap.path.name}) has BUNIT {unit.to_string()!r}, which "
            f"does not convert to the {band!r} unit {expected.to_string()!r}"
            f"{hint if unit_kind(unit) == 'beam' else ''}. Check the file, or give "
            f"the band another name (e.g. '{band}_raw') to read it without this check."
        )
        raise ValueError(msg)
    return scaled(fmap.data, factor), expected.to_string()


def error_in_unit(band, err, value):
    """The error map in its value map's (possibly converted) unit."""
    if band in BANDS:
        import astropy.units as u

        target = u.Unit(BANDS[band].unit)
    else:
        target = value.unit if not isinstance(value.unit, str) else None
    unit = err.unit
    if target is None or unit is None or isinstance(unit, str):
        return err.data
    factor = _factor(unit, target, _frequency(band, value))
    if factor is None:
        msg = (
            f"errors[{band!r}] ({err.path.name}) has BUNIT {unit.to_string()!r}, "
            f"which does not convert to its value map's unit {target.to_string()!r}."
        )
        raise ValueError(msg)
    return scaled(err.data, factor)


def scaled(data: np.ndarray, factor: float) -> np.ndarray:
    return data if factor == 1 else data * np.asarray(factor, dtype=data.dtype)
