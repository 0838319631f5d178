"""The registry of derived features: what each one needs, computes and means.

Each :class:`Feature` records its name, the bands it needs, its formula as
text, its unit, a plot label, a one-line physical meaning, a function of the
band values, and how it moves with each band (``+1``: grows with the band,
``-1``: falls). The direction tells :mod:`astrokit.features._missing` whether a
feature computed from an upper limit is itself an upper or a lower limit.

Dust correction (Balmer decrement)
    Intrinsic Halpha/Hbeta = 2.86 (Case B recombination, T = 10^4 K,
    n_e = 100 cm^-3; Osterbrock & Ferland 2006). Attenuation curve: Cardelli,
    Clayton & Mathis (1989) with R_V = 3.1, k(Halpha) = 2.53 and
    k(Hbeta) = 3.61 (O'Donnell 1994's optical update differs by less than
    2 per cent at these lines). Then
    ``E(B-V) = 2.5 / (k(Hb) - k(Ha)) * log10((Ha/Hb) / 2.86)``,
    ``A(Ha) = k(Ha) E(B-V)``, ``A_V = R_V E(B-V)`` and
    ``Ha_corr = Ha * 10**(0.4 A(Ha))``. Decrements below 2.86 are unphysical
    (noise, or a wrong intrinsic ratio): they are clipped to 2.86, i.e. no
    attenuation, and :func:`astrokit.features.derive` reports how many.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Feature",
    "FEATURES",
    "FEATURE_SETS",
    "BALMER_INTRINSIC",
    "K_HALPHA",
    "K_HBETA",
    "R_V",
    "balmer_ebv",
    "bpt_line",
    "BPT_LINES",
]

BALMER_INTRINSIC = 2.86
"""Intrinsic Halpha/Hbeta: Case B, T = 10^4 K, n_e = 100 cm^-3."""
K_HALPHA = 2.53
"""Cardelli et al. (1989), R_V = 3.1: A(Halpha) / E(B-V)."""
K_HBETA = 3.61
"""Cardelli et al. (1989), R_V = 3.1: A(Hbeta) / E(B-V)."""
R_V = 3.1
"""Total-to-selective extinction A_V / E(B-V) of the attenuation curve."""

LINE = "1e-20 erg s$^{-1}$ cm$^{-2}$"
CO = "K km s$^{-1}$"
MJY = "MJy sr$^{-1}$"
LINE_UNIT = "1e-20 erg / (s cm2)"
# Units are astropy strings ("dex(...)" for log10 of a quantity; astropy
# simplifies ratios, e.g. Halpha/CO: erg/(s cm2) / (K km/s) = erg/(K km cm2)).
# Labels show the readable form.


@dataclass(frozen=True)
class Feature:
    """One derived feature (see the module docstring)."""

    name: str
    bands: tuple[str, ...]
    formula: str
    unit: str
    label: str
    meaning: str
    func: Callable = field(repr=False)
    signs: dict = field(repr=False)
    balmer: bool = False

    def definition(self) -> dict:
        """Plain-data description (JSON-friendly) for ``attrs`` and tables."""
        return {
            "bands": list(self.bands),
            "formula": self.formula,
            "unit": self.unit,
            "label": self.label,
            "short": re.sub(r" \[[^\[]*\]$", "", self.label),
            "meaning": self.meaning,
        }


def balmer_ebv(halpha, hbeta) -> np.ndarray:
    """Colour excess E(B-V) (mag) from the Balmer decrement, clipped at 0.

    Examples
    --------
    >>> float(balmer_ebv(286.0, 100.0))  # the intrinsic ratio: no dust
    0.0
    >>> round(float(balmer_ebv(572.0, 100.0)), 4)  # twice intrinsic
    0.6968
    """
    decrement = np.asarray(halpha, dtype=float) / np.asarray(hbeta, dtype=float)
    decrement = np.maximum(decrement, BALMER_INTRINSIC)
    return 2.5 / (K_HBETA - K_HALPHA) * np.log10(decrement / BALMER_INTRINSIC)


def _ratio(num: str, den: str, name: str, label: str, unit: str, meaning: str):
    return Feature(
        name=name,
        bands=(num, den),
        formula=f"log10({num} / {den})",
        unit=unit,
        label=label,
        meaning=meaning,
        func=lambda v: np.log10(v[num] / v[den]),
        signs={num: 1, den: -1},
    )


def _log(band: str, name: str, label: str, unit: str, meaning: str):
    return Feature(
        name, (band,), f"log10({band})", unit, label, meaning,
        func=lambda v: np.log10(v[band]), signs={band: 1},
    )  # fmt: skip


_HA, _HB = "H$\\alpha$", "H$\\beta$"
_DEX = "dex"
_RATIOS = [
    ("nii6583", "halpha", "log_nii_ha", f"log [NII]6583/{_HA}", _DEX,
     "BPT x-axis: ionisation source and gas metallicity"),
    ("sii6716_31", "halpha", "log_sii_ha", f"log [SII]6716+31/{_HA}", _DEX,
     "low-ionisation gas: diffuse ionised gas, shocks"),
    ("oi6300", "halpha", "log_oi_ha", f"log [OI]6300/{_HA}", _DEX,
     "partially ionised gas: shocks, AGN, hard radiation"),
    ("oiii5007", "hbeta", "log_oiii_hb", f"log [OIII]5007/{_HB}", _DEX,
     "BPT y-axis: ionisation parameter, hardness of the radiation"),
    ("halpha", "hbeta", "log_ha_hb", f"log {_HA}/{_HB} (Balmer decrement)", _DEX,
     "dust attenuation of the ionised gas (2.86 = none)"),
    ("halpha", "co21", "log_ha_co", f"log {_HA}/CO [{LINE} / ({CO})]",
     "dex(1e-20 erg / (K km cm2))",
     "ionised vs molecular gas: star formation per unit molecular gas"),
    ("halpha", "f2100w", "log_ha_f2100w", f"log {_HA}/F2100W [{LINE} / {MJY}]",
     "dex(1e-20 erg sr / (MJy s cm2))",
     "unobscured vs dust-embedded star formation (21 um hot dust)"),
    ("co21", "f2100w", "log_co_f2100w", f"log CO/F2100W [{CO} / {MJY}]",
     "dex(K km sr / (MJy s))",
     "molecular gas per unit hot dust"),
    ("halpha", "f770w", "log_ha_f770w", f"log {_HA}/F770W [{LINE} / {MJY}]",
     "dex(1e-20 erg sr / (MJy s cm2))",
     "ionised gas per unit PAH 7.7 um emission (neutral medium)"),
    ("co21", "f770w", "log_co_f770w", f"log CO/F770W [{CO} / {MJY}]",
     "dex(K km sr / (MJy s))",
     "molecular gas per unit PAH 7.7 um emission (PAH heating, CO-dark gas)"),
    ("f1130w", "f770w", "log_f1130w_f770w", "log PAH 11.3/7.7 $\\mu$m", _DEX,
     "PAH ionisation and size: high in soft radiation fields"),
    ("f1130w", "f335m", "log_f1130w_f335m", "log PAH 11.3/3.3 $\\mu$m", _DEX,
     "PAH size distribution: small PAHs emit at 3.3 um"),
]  # fmt: skip


def _dust_features() -> list[Feature]:
    bands = ("halpha", "hbeta")
    signs = {"halpha": 1, "hbeta": -1}
    return [
        Feature(
            "ebv", bands,
            f"2.5 / ({K_HBETA} - {K_HALPHA}) * log10(max(halpha / hbeta, "
            f"{BALMER_INTRINSIC}) / {BALMER_INTRINSIC})",
            "mag", "E(B-V) [mag]", "colour excess of the ionised gas",
            func=lambda v: balmer_ebv(v["halpha"], v["hbeta"]),
            signs=signs, balmer=True,
        ),
        Feature(
            "a_v", bands, f"{R_V} * ebv", "mag", "$A_V$ [mag]",
            "V-band attenuation of the ionised gas",
            func=lambda v: R_V * balmer_ebv(v["halpha"], v["hbeta"]),
            signs=signs, balmer=True,
        ),
        Feature(
            "log_ha_corr", bands, f"log10(halpha) + 0.4 * {K_HALPHA} * ebv",
            f"dex({LINE_UNIT})", f"log dust-corrected {_HA} [{LINE}]",
            "intrinsic Halpha: star formation rate surface density",
            func=lambda v: np.log10(v["halpha"])
            + 0.4 * K_HALPHA * balmer_ebv(v["halpha"], v["hbeta"]),
            signs=signs, balmer=True,
        ),
    ]  # fmt: skip


def _build() -> dict[str, Feature]:
    features = [_ratio(*row) for row in _RATIOS]
    features += _dust_features()
    features.append(
        _log("co21", "log_co", f"log CO(2-1) [{CO}]", "dex(K km / s)",
             "molecular gas surface density")
    )  # fmt: skip
    features.append(
        Feature(
            "co_width", ("co21_width",), "co21_width", "km / s",
            "CO(2-1) line width [km s$^{-1}$]",
            "turbulence and unresolved motions of the molecular gas",
            func=lambda v: v["co21_width"], signs={"co21_width": 1},
        )
    )  # fmt: skip
    return {f.name: f for f in features}


FEATURES: dict[str, Feature] = _build()
"""Every derived feature, by name."""

FEATURE_SETS: dict[str, list[str]] = {
    "baron2024": [
        "log_ha_co", "log_ha_f2100w", "log_co_f2100w", "log_ha_f770w",
        "log_co_f770w", "log_nii_ha", "log_sii_ha", "log_oi_ha", "log_oiii_hb",
        "log_f1130w_f770w", "log_f1130w_f335m",
    ],
    "bpt": ["log_nii_ha", "log_sii_ha", "log_oi_ha", "log_oiii_hb"],
    "dust": ["log_ha_hb", "ebv", "a_v", "log_ha_corr"],
    "all": list(FEATURES),
}  # fmt: skip
"""Named feature sets. ``"baron2024"`` (the default): the eleven multi-phase
gas and dust features of Baron et al. (2024), PHANGS at 150 pc."""


# BPT demarcations. Curves: log([OIII]/Hb) = a / (x - b) + c, valid for x < b
# (at and beyond the asymptote every point lies above the curve). Straight
# lines: log([OIII]/Hb) = m x + q, drawn only where they lie above the curve
# named in "from" (they separate Seyferts from LINERs among the points above
# the maximum-starburst line).
BPT_LINES: dict[str, dict] = {
    "kauffmann03": {"x": "log_nii_ha", "a": 0.61, "b": 0.05, "c": 1.30,
                    "text": "Kauffmann et al. (2003): star-forming below",
                    "ref": "Kauffmann et al. 2003, MNRAS 346, 1055"},
    "kewley01": {"x": "log_nii_ha", "a": 0.61, "b": 0.47, "c": 1.19,
                 "text": "Kewley et al. (2001): maximum starburst",
                 "ref": "Kewley et al. 2001, ApJ 556, 121"},
    "kewley01_sii": {"x": "log_sii_ha", "a": 0.72, "b": 0.32, "c": 1.30,
                     "text": "Kewley et al. (2001): maximum starburst",
                     "ref": "Kewley et al. 2001, ApJ 556, 121"},
    "kewley01_oi": {"x": "log_oi_ha", "a": 0.73, "b": -0.59, "c": 1.33,
                    "text": "Kewley et al. (2001): maximum starburst",
                    "ref": "Kewley et al. 2001, ApJ 556, 121"},
    "kewley06_sii": {"x": "log_sii_ha", "m": 1.89, "q": 0.76,
                     "from": "kewley01_sii",
                     "text": "Kewley et al. (2006): Seyfert above, LINER below",
                     "ref": "Kewley et al. 2006, MNRAS 372, 961"},
    "kewley06_oi": {"x": "log_oi_ha", "m": 1.18, "q": 1.30,
                    "from": "kewley01_oi",
                    "text": "Kewley et al. (2006): Seyfert above, LINER below",
                    "ref": "Kewley et al. 2006, MNRAS 372, 961"},
    "schawinski07": {"x": "log_nii_ha", "m": 1.05, "q": 0.45, "from": "kewley01",
                     "text": "Schawinski et al. (2007): Seyfert above, LINER below",
                     "ref": "Schawinski et al. 2007, MNRAS 382, 1415"},
}  # fmt: skip
"""Demarcation lines of the BPT diagrams (y is ``log_oiii_hb``), with the
paper each comes from (``"ref"``). The [NII] diagram has no Kewley et al.
(2006) Seyfert/LINER line (that paper separates them in the [SII] and [OI]
diagrams); Schawinski et al. (2007) give the one used for it here."""


def bpt_line(name: str, x) -> np.ndarray:
    """``log([OIII]/Hbeta)`` of a BPT demarcation line at ``x`` (NaN where undefined).

    Parameters
    ----------
    name : str
        A key of :data:`BPT_LINES` (``"kauffmann03"``, ``"kewley01"``,
        ``"kewley01_sii"``, ``"kewley01_oi"``, ``"kewley06_sii"``,
        ``"kewley06_oi"``, ``"schawinski07"``).
    x : float or array-like
        The x-axis line ratio (log10) of that diagram.

    Returns
    -------
    numpy.ndarray of float
        The line at ``x``: a curve is NaN at and beyond its asymptote; a
        Seyfert/LINER line is NaN where it lies below the maximum-starburst
        curve it starts from (there every point is star-forming).

    Raises
    ------
    ValueError
        An unknown ``name``.

    Examples
    --------
    >>> bpt_line("kauffmann03", [-0.5, -0.2, 0.1]).round(3)
    array([ 0.191, -1.14 ,    nan])
    >>> bpt_line("kewley06_sii", [-0.5, 0.0, 0.5]).round(3)  # starts at Kewley 01
    array([  nan, 0.76 , 1.705])
    """
    if name not in BPT_LINES:
        msg = f"name={name!r} is not a BPT line; choose one of {list(BPT_LINES)}."
        raise ValueError(msg)
    p = BPT_LINES[name]
    x = np.asarray(x, dtype=float)
    if "m" in p:
        y = p["m"] * x + p["q"]
        base = _curve(BPT_LINES[p["from"]], x)
        return np.where(np.isnan(base) | (y > base), y, np.nan)
    return np.where(x < p["b"], _curve(p, x), np.nan)


def _curve(p: dict, x: np.ndarray) -> np.ndarray:
    """A BPT curve ``a / (x - b) + c`` for ``x < b``, NaN elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        y = p["a"] / (x - p["b"]) + p["c"]
    return np.where(x < p["b"], y, np.nan)
