"""The PHANGS-like bands: one place for names, instruments, units and labels.

Every module that needs to know what a band is (the generator, the readers,
the features, the plots) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BANDS", "Band", "band_names", "ERR_SUFFIX", "UL_SUFFIX"]

ERR_SUFFIX = "_err"
"""Suffix of the 1-sigma uncertainty column of a band."""

UL_SUFFIX = "_ul"
"""Suffix of the boolean upper-limit (non-detection) flag column of a band."""

LINE_UNIT = "1e-20 erg / (s cm2)"
IMAGE_UNIT = "MJy / sr"


@dataclass(frozen=True)
class Band:
    """One measured quantity: its column name, instrument, unit and label."""

    name: str
    instrument: str
    unit: str
    label: str
    wavelength_um: float | None = None


BANDS: dict[str, Band] = {
    b.name: b
    for b in [
        Band("co21", "ALMA", "K km / s", "CO(2-1) intensity", 1300.0),
        Band("co21_width", "ALMA", "km / s", "CO(2-1) line width", 1300.0),
        Band("halpha", "MUSE", LINE_UNIT, "H$\\alpha$", 0.6563),
        Band("hbeta", "MUSE", LINE_UNIT, "H$\\beta$", 0.4861),
        Band("oiii5007", "MUSE", LINE_UNIT, "[OIII]5007", 0.5007),
        Band("nii6583", "MUSE", LINE_UNIT, "[NII]6583", 0.6583),
        Band("sii6716_31", "MUSE", LINE_UNIT, "[SII]6716+6731", 0.6724),
        Band("oi6300", "MUSE", LINE_UNIT, "[OI]6300", 0.6300),
        Band("f335m", "JWST", IMAGE_UNIT, "F335M (PAH 3.3$\\mu$m)", 3.35),
        Band("f770w", "JWST", IMAGE_UNIT, "F770W (PAH 7.7$\\mu$m)", 7.7),
        Band("f1130w", "JWST", IMAGE_UNIT, "F1130W (PAH 11.3$\\mu$m)", 11.3),
        Band("f2100w", "JWST", IMAGE_UNIT, "F2100W (hot dust 21$\\mu$m)", 21.0),
        Band("f275w", "HST", IMAGE_UNIT, "F275W (NUV)", 0.275),
        Band("f336w", "HST", IMAGE_UNIT, "F336W (U)", 0.336),
        Band("f438w", "HST", IMAGE_UNIT, "F438W (B)", 0.438),
        Band("f555w", "HST", IMAGE_UNIT, "F555W (V)", 0.555),
        Band("f814w", "HST", IMAGE_UNIT, "F814W (I)", 0.814),
    ]
}


def band_names(instrument: str | None = None) -> list[str]:
    """Names of the known bands, optionally only those of one instrument.

    Examples
    --------
    >>> band_names("ALMA")
    ['co21', 'co21_width']
    """
    if instrument is None:
        return list(BANDS)
    known = sorted({b.instrument for b in BANDS.values()})
    if instrument not in known:
        msg = f"instrument={instrument!r} is unknown; choose one of {known}."
        raise ValueError(msg)
    return [name for name, b in BANDS.items() if b.instrument == instrument]
