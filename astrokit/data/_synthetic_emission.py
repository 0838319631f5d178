"""Emission of the synthetic galaxies: from structure to the 17 true band values.

Each pixel's light is the sum of components, each with its own physics:

============  ==============================================================
component     model
============  ==============================================================
HII regions   photoionised by young stars; line ratios on the star-forming
              BPT sequence (metallicity falls outwards, so [NII]/Ha falls and
              [OIII]/Hb rises along Kauffmann's curve minus 0.3 dex); strong
              21 um hot dust; blue young-star light; ionised PAHs (low
              11.3/7.7, high 3.3/11.3).
DIG           diffuse ionised gas of the arm zone: elevated [SII]/Ha and
              [NII]/Ha (composite region of the BPT), lower surface
              brightness.
inter-arm     faint diffuse gas between the arms (leaky/HOLMES-ionised):
              higher [SII]/Ha, [NII]/Ha and [OI]/Ha still, low CO, low dust.
molecular     GMCs and bar lanes: bright, narrow CO, dust that hides the
              Halpha of the gas around them (high Balmer decrement).
bulge         old stars: red HST colours, weak LINER/HOLMES-like lines, PAHs
              heated by a soft radiation field (high 11.3/7.7, low 3.3/11.3),
              weak 21 um, little CO.
AGN           Seyfert nucleus and cone (NGC1365): [OIII]/Hb ~ 10, [NII]/Ha
              ~ 1, strong [OI]; very bright CO with broad lines; hot dust.
============  ==============================================================

Dust: ``A_V = 0.1 + 0.3 sqrt(I_CO)`` (mag, I_CO in K km/s, capped at 4.5,
with 0.05 dex scatter), lower where HII regions or the AGN (lying in front of
part of the gas) dominate. Lines are attenuated with a Cardelli et al. (1989)
R_V = 3.1 curve (``k(Ha) = 2.53``, ``k(Hb) = 3.61``) from the intrinsic
Ha/Hb = 2.86; stars see half the gas ``A_V``. PAH emission is the dust column
(HI + 6.7 I_CO, in Msun/pc2) times the radiation field heating it, so CO and
PAHs correlate; the 21 um hot dust follows the HII-region Halpha and the AGN.
"""

from __future__ import annotations

import numpy as np

from astrokit.data._synthetic_structure import ENVIRONMENTS, Structure

__all__ = ["ccm89_k", "emission", "LINES", "ANOMALY_KINDS"]

LINES = ("halpha", "hbeta", "oiii5007", "nii6583", "sii6716_31", "oi6300")
HST = ("f275w", "f336w", "f438w", "f555w", "f814w")
ANOMALY_KINDS = ("none", "shock", "oiii_knot")

# log10 line ratios per component: [NII]/Ha, [SII]/Ha, [OI]/Ha, [OIII]/Hb
RATIOS = {
    "dig": (-0.28, -0.35, -1.35, -0.22),
    "interarm": (-0.02, 0.00, -0.85, 0.02),
    "bulge": (0.25, 0.05, -0.55, 0.12),
    "agn": (0.02, -0.12, -0.72, 0.95),
    "shock": (0.40, 0.55, 0.05, 0.50),
    "oiii_knot": (-1.50, -1.40, -2.50, 1.50),
}
# PAH band ratios per environment: F1130W/F770W and F335M/F1130W
PAH_11_77 = {"hii_region": 0.50, "dig": 0.62, "molecular_cloud": 0.70, "agn": 0.80}
PAH_11_77 |= {"bulge": 1.15, "interarm": 0.64}
PAH_33_11 = {"hii_region": 0.21, "dig": 0.13, "molecular_cloud": 0.115, "agn": 0.055}
PAH_33_11 |= {"bulge": 0.04, "interarm": 0.11}
# HST spectral shapes (F275W, F336W, F438W, F555W, F814W), MJy/sr per unit
SED_DISC = np.array([0.02, 0.09, 0.42, 0.72, 1.0])
SED_BULGE = np.array([0.010, 0.055, 0.36, 0.68, 1.0])
SED_YOUNG = np.array([1.5, 1.25, 1.0, 0.85, 0.6])
HST_UM = np.array([0.275, 0.336, 0.438, 0.555, 0.814])
LINE_UM = {"halpha": 0.6563, "hbeta": 0.4861, "oiii5007": 0.5007}
LINE_UM |= {"nii6583": 0.6583, "sii6716_31": 0.6724, "oi6300": 0.6300}


def ccm89_k(wave_um) -> np.ndarray:
    """Extinction curve ``k(lambda) = A_lambda / E(B-V)`` for R_V = 3.1.

    Cardelli, Clayton & Mathis (1989), valid from 0.125 to 3.3 um. (O'Donnell
    1994's optical update differs by less than 2 per cent at Halpha and Hbeta.)

    Examples
    --------
    >>> ccm89_k([0.6563, 0.4861]).round(3)  # Halpha, Hbeta
    array([2.535, 3.609])
    """
    rv = 3.1
    x = 1.0 / np.atleast_1d(np.asarray(wave_um, dtype=float))
    a = np.zeros_like(x)
    b = np.zeros_like(x)
    ir = x < 1.1
    a[ir], b[ir] = 0.574 * x[ir] ** 1.61, -0.527 * x[ir] ** 1.61
    opt = (x >= 1.1) & (x < 3.3)
    y = x[opt] - 1.82
    ca = [1.0, 0.17699, -0.50447, -0.02427, 0.72085, 0.01979, -0.77530, 0.32999]
    cb = [0.0, 1.41338, 2.28305, 1.07233, -5.38434, -0.62251, 5.30260, -2.09002]
    a[opt] = np.polynomial.polynomial.polyval(y, ca)
    b[opt] = np.polynomial.polynomial.polyval(y, cb)
    uv = x >= 3.3
    xu = x[uv]
    fa = np.where(xu >= 5.9, -0.04473 * (xu - 5.9) ** 2 - 0.009779 * (xu - 5.9) ** 3, 0)
    fb = np.where(xu >= 5.9, 0.2130 * (xu - 5.9) ** 2 + 0.1207 * (xu - 5.9) ** 3, 0)
    a[uv] = 1.752 - 0.316 * xu - 0.104 / ((xu - 4.67) ** 2 + 0.341) + fa
    b[uv] = -3.090 + 1.825 * xu + 1.206 / ((xu - 4.62) ** 2 + 0.263) + fb
    return a * rv + b


def _lines(flux, ratios, r_scatter):
    """Line fluxes of one component from its Halpha and log ratios (4, n)."""
    n2, s2, o1, o3 = ratios + r_scatter
    hb = flux / 2.86
    return {
        "halpha": flux,
        "hbeta": hb,
        "oiii5007": hb * 10**o3,
        "nii6583": flux * 10**n2,
        "sii6716_31": flux * 10**s2,
        "oi6300": flux * 10**o1,
    }


def _add(lines, comp):
    return {k: lines[k] + comp[k] for k in lines}


def _ionised_gas(s: Structure, radius: float, rng):
    """Intrinsic line fluxes and the Halpha of each component.

    Halpha in 1e-20 erg/s/cm2 per MUSE spaxel of (0.2 arcsec)^2, i.e. a
    surface brightness that does not depend on the pixel size.
    """
    n = s.r.size
    rr = s.r / radius
    keep = (1.0 - s.t_bulge) * (1.0 - s.t_agn)
    texture = np.exp(0.3 * s.texture[0])
    flux = {
        "hii_region": s.hii_flux,
        "dig": 400.0 * np.exp(-s.r / (0.4 * radius)) * s.arm_zone * texture,
        "interarm": 60.0 * np.exp(-s.r / (0.5 * radius)) * texture * keep,
        "bulge": 50.0 * np.sqrt(s.bulge_star) * s.t_bulge,
        "agn": (9000.0 * np.exp(-s.rho_sky / 0.5) + 900.0 * np.exp(-s.rho_sky / 2.5))
        * s.t_agn,
    }

    def scatter(sigma):  # per-pixel white scatter of the four log ratios
        return rng.normal(0.0, sigma, size=(4, n))

    # HII regions: metallicity falls outwards; [OIII]/Hb follows the
    # star-forming sequence, 0.3 dex below Kauffmann et al. (2003).
    n2 = -0.35 - 0.35 * rr + s.hii_offset
    ratio = np.vstack(
        [n2, -0.62 + 0.15 * rr, np.full(n, -1.85), 0.61 / (n2 - 0.05) + 1]
    )
    lines = _lines(flux["hii_region"], ratio, scatter(0.04))
    smooth = 0.04 * s.texture[2]  # spatially correlated ratio variations
    for name in ("dig", "interarm", "bulge"):
        ratio = np.asarray(RATIOS[name])[:, None] + smooth
        lines = _add(lines, _lines(flux[name], ratio, scatter(0.04)))
    ratio = np.asarray(RATIOS["agn"])[:, None] + np.zeros((4, n))
    ratio[3] -= 0.06 * s.rho_sky  # excitation falls along the cone
    lines = _add(lines, _lines(flux["agn"], ratio, scatter(0.05)))
    return lines, flux


def _molecular_gas(s: Structure, radius: float, rng):
    """CO(2-1) intensity (K km/s) and line width (km/s), flux-weighted."""
    rr = s.r / radius
    keep = (1.0 - s.t_bulge) * (1.0 - s.t_agn)
    texture = np.exp(0.35 * s.texture[1])
    parts = [  # (intensity, width)
        (2.2 * np.exp(-rr / 0.25) * texture * keep, 7.0 + 5.0 * np.exp(-rr / 0.1)),
        (12.0 * s.arm_ridge * texture, 9.0),
        (s.gmc_co, 6.0),
        (45.0 * s.lanes, 22.0),
        (
            260.0 * np.exp(-s.rho_sky / 0.6) * s.t_agn,
            90.0 + 20 * np.exp(-s.rho_sky / 0.5),
        ),
        (0.4 * s.bulge_star * s.t_bulge, 28.0),
    ]
    co = sum(p[0] for p in parts)
    width = sum(p[0] * p[1] for p in parts) / np.maximum(co, 1e-6)
    return co, width * np.exp(rng.normal(0.0, 0.08, co.size))


def _environment_weights(s: Structure, flux) -> np.ndarray:
    """Soft membership ``(6, n)`` of each pixel in each environment (sums to 1).

    Taken in order: the AGN territory; the Halpha fraction from HII regions;
    the bulge; the molecular clouds and bar lanes; then the DIG or inter-arm
    share of what is left, by their Halpha.
    """
    total = sum(flux.values())
    f_hii = flux["hii_region"] / np.maximum(total, 1e-9)
    mc = np.minimum(s.gmc_cover + s.lanes, 1.0)
    f_dig = flux["dig"] / np.maximum(flux["dig"] + flux["interarm"], 1e-9)
    w = {"agn": s.t_agn}
    rest = 1.0 - s.t_agn
    for name, share in (
        ("hii_region", f_hii),
        ("bulge", s.t_bulge),
        ("molecular_cloud", mc),
    ):
        w[name] = rest * share
        rest = rest * (1.0 - share)
    w["dig"] = rest * f_dig
    w["interarm"] = rest * (1.0 - f_dig)
    return np.vstack([w[e] for e in ENVIRONMENTS])


def _anomalies(lines, co, width, total, rng, rows, kinds):
    """Add compact anomalous line sources at ``rows`` (modifies co, width)."""
    n = co.size
    for kind in ANOMALY_KINDS[1:]:
        at = rows[kinds == kind]
        if at.size == 0:
            continue
        flux = np.zeros(n)
        flux[at] = np.maximum(8.0 * total[at], 400.0) * rng.lognormal(0, 0.3, at.size)
        # each knot has its own spectrum: anomalies are sparse, not a cluster
        spread = np.zeros((4, n))
        spread[:, at] = rng.normal(0.0, 0.25, size=(4, at.size))
        lines = _add(lines, _lines(flux, np.asarray(RATIOS[kind])[:, None], spread))
        if kind == "shock":  # shocked molecular gas: broad CO
            co[at] += 6.0
            width[at] = rng.uniform(100.0, 250.0, at.size)
    return lines


def emission(s: Structure, radius: float, rng, anomaly_rows, anomaly_kind):
    """True band values, environment labels and A_V of one galaxy's pixels.

    ``anomaly_rows`` (indices) get an extra compact source of kind
    ``anomaly_kind`` (``"shock"`` or ``"oiii_knot"`` per row).

    Returns ``(truth, env_codes, av)``: ``truth`` maps band names to float64
    arrays, ``env_codes`` indexes :data:`ENVIRONMENTS`.
    """
    n = s.r.size
    lines, flux = _ionised_gas(s, radius, rng)
    co, width = _molecular_gas(s, radius, rng)
    weights = _environment_weights(s, flux)
    env = np.argmax(weights, axis=0).astype(np.int8)
    w = dict(zip(ENVIRONMENTS, weights, strict=True))
    f_hii = flux["hii_region"]
    total = sum(flux.values())
    lines = _anomalies(lines, co, width, total, rng, anomaly_rows, anomaly_kind)
    # dust: A_V from the gas column, lower where HII regions/AGN lie in front
    geometry = 1.0 - 0.35 * w["hii_region"] - 0.4 * w["agn"]
    av = np.minimum(0.1 + 0.3 * co**0.5, 4.5) * geometry * 10 ** rng.normal(0, 0.05, n)
    ebv = av / 3.1
    truth = {
        k: v * 10 ** (-0.4 * ccm89_k(LINE_UM[k])[0] * ebv) for k, v in lines.items()
    }
    truth["co21"] = co
    truth["co21_width"] = width
    # JWST: PAHs = dust column (Msun/pc2) x heating; hot dust at 21 um
    sigma_gas = 6.7 * co + 8.0 * np.exp(-s.r / (0.8 * radius)) * (1 - 0.8 * s.t_bulge)
    heat = 0.5 + 2.0 * s.disc_star + 6.0 * s.bulge_star + 2.0 * s.bar_star
    heat = heat + np.minimum(f_hii / 800.0, 8.0) + 10.0 * s.t_agn
    pah77 = (
        0.06 * np.minimum(sigma_gas, 600.0) * heat**0.8 * np.exp(0.08 * s.texture[2])
    )
    r117 = sum(w[e] * PAH_11_77[e] for e in ENVIRONMENTS)
    r33 = sum(w[e] * PAH_33_11[e] for e in ENVIRONMENTS)
    truth["f770w"] = pah77
    truth["f1130w"] = pah77 * r117 * 10 ** rng.normal(0, 0.03, n)
    truth["f335m"] = truth["f1130w"] * r33 * 10 ** rng.normal(0, 0.04, n)
    hot = 0.015 * f_hii + 0.004 * flux["agn"]
    hot = hot + 0.02 * sigma_gas * heat * (1 - s.t_bulge)
    truth["f2100w"] = hot * 10 ** rng.normal(0, 0.05, n)
    # HST: old disc and bar, bulge, young stars; stars see half the gas A_V
    old = 1.3 * s.disc_star + 3.0 * s.bar_star
    young = f_hii / 5000.0 + 0.15 * s.arm_zone * np.exp(-s.r / (0.3 * radius))
    bulge = 18.0 * s.bulge_star
    atten = 10 ** (-0.4 * ccm89_k(HST_UM)[:, None] * (0.5 * ebv))
    stars = SED_DISC[:, None] * old + SED_BULGE[:, None] * bulge
    stars = (stars + SED_YOUNG[:, None] * young) * atten
    for i, band in enumerate(HST):
        truth[band] = stars[i]
    return truth, env, av
