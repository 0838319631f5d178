"""The synthetic PHANGS-like galaxies: a pixel table with planted ground truth.

Three galaxies carry the names, sky positions, distances and orientations of
the first PHANGS targets observed with JWST (NGC0628, NGC1365, NGC7496). Each
is modelled as a continuous disc (stars, bar, bulge, spiral arms, HII regions,
molecular clouds, diffuse ionised gas, an AGN in NGC1365), observed through
four instruments with their own footprints and noise (ALMA CO, MUSE lines,
JWST PAH/dust bands, HST stellar bands), and sampled on a sky grid with a
real celestial WCS. See :func:`make_galaxies` for what is modelled and how;
the physics lives in ``_synthetic_structure`` and ``_synthetic_emission``;
:func:`astrokit.data.load_demo` (``_demo_cache``) caches the table on disk.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS, ERR_SUFFIX, UL_SUFFIX
from astrokit._shared.cache import TIERS
from astrokit._shared.checks import refuse_unknown, renamed
from astrokit.data._synthetic_emission import ANOMALY_KINDS, emission
from astrokit.data._synthetic_geometry import GALAXY_SPECS, footprints, make_grid
from astrokit.data._synthetic_structure import ENVIRONMENTS, build_structure

__all__ = [
    "make_galaxies",
    "check_tier",
    "check_random_state",
    "GALAXIES",
    "ENVIRONMENTS",
    "TIER_SIZES",
    "GENERATOR_VERSION",
]

GENERATOR_VERSION = 1
"""Bumped whenever the generator's output changes (invalidates caches)."""

GALAXIES: tuple[str, ...] = tuple(GALAXY_SPECS)
"""Names of the synthetic galaxies, in table order."""

TIER_PIXEL_PC = {"tiny": 1000.0, "demo": 150.0, "full": 50.0}
"""Pixel size (pc) each tier samples the galaxies at (the maps' resolution is
150 pc in every tier; ``tiny`` samples them sparsely, ``full`` at Nyquist)."""

TIER_SIZES: dict[str, dict] = {
    "tiny": {"pixel_pc": 1000.0, "rows": (2_000, 10_000), "use": "unit tests, CI"},
    "demo": {"pixel_pc": 150.0, "rows": (150_000, 400_000), "use": "notebooks"},
    "full": {"pixel_pc": 50.0, "rows": (1_500_000, 3_000_000), "use": "scale"},
}
"""Per tier: pixel size (pc), expected total rows (min, max) and intended use."""

DETECTION_SNR = 3.0
ANOMALY_RATE = 0.005
"""Fraction of the ALMA+MUSE+JWST pixels (outside the AGN) made anomalous
(at least 2 per galaxy when it has 20 such pixels or more)."""

# Typical 1-sigma noise per band (native units), before per-instrument structure.
ERR_BASE = {
    "co21": 0.4,
    "halpha": 0.8,
    "hbeta": 0.8,
    "oiii5007": 0.8,
    "nii6583": 0.8,
    "sii6716_31": 1.0,
    "oi6300": 0.7,
    "f335m": 0.003,
    "f770w": 0.015,
    "f1130w": 0.02,
    "f2100w": 0.04,
    "f275w": 0.004,
    "f336w": 0.003,
    "f438w": 0.002,
    "f555w": 0.0015,
    "f814w": 0.002,
}
TRUTH_COLUMNS = [
    "truth_env",
    "truth_anomaly",
    "truth_anomaly_kind",
    "truth_av",
    "truth_rgal_kpc",
]


def check_tier(tier) -> str:
    if tier == "survey":
        msg = (
            "tier='survey' does not fit in memory: write it with "
            "astrokit.data.write_survey(path), then read_table(path, dask=True)."
        )
        raise ValueError(msg)
    if tier not in TIERS:
        msg = f"tier={tier!r} is not a data tier; use one of {list(TIERS)}."
        raise ValueError(msg)
    return tier


def check_random_state(random_state) -> int:
    """The generator's seed: a non-negative integer (tiers and caches key on it)."""
    bad = isinstance(random_state, bool) or not isinstance(
        random_state, int | np.integer
    )
    if bad or random_state < 0:
        msg = (
            f"random_state={random_state!r} must be a non-negative integer: the "
            "generator combines it with each galaxy's number, and the demo "
            "cache is named after it."
        )
        raise ValueError(msg)
    return int(random_state)


def _check_galaxies(galaxies) -> list[str]:
    if galaxies is None:
        return list(GALAXIES)
    try:
        names = [galaxies] if isinstance(galaxies, str) else list(galaxies)
    except TypeError:
        names = [galaxies]
    unknown = [g for g in names if g not in GALAXY_SPECS]
    if unknown or not names:
        msg = f"galaxies={galaxies!r}: unknown or empty; choose from {list(GALAXIES)}."
        raise ValueError(msg)
    return list(dict.fromkeys(names))


def noise_sigma(band, truth, cover_info) -> np.ndarray:
    """1-sigma error of one band at the common resolution (the band's unit)."""
    instrument = BANDS[band].instrument
    base = ERR_BASE.get(band)
    if instrument == "ALMA":
        if band == "co21_width":
            co_err = cover_info["co21_err"]
            err = 1.0 + truth * co_err / np.maximum(cover_info["co21_true"], co_err)
        else:
            edge = 1.0 + 0.6 * cover_info["r_frac"] ** 4
            err = base * edge * np.exp(0.04 * cover_info["texture"])
    elif instrument == "MUSE":
        cont = cover_info["continuum"]
        err = base * cover_info["muse_depth"] * np.sqrt(1 + cont / 2 + truth / 400)
    elif instrument == "JWST":
        err = base * cover_info["jwst_depth"] * np.sqrt(1.0 + truth / 200.0)
    else:
        err = base * cover_info["hst_depth"] * np.sqrt(1.0 + truth / 5.0)
    return err


def _noise(band, truth, covered, cover_info, rng):
    """Measured value and 1-sigma error of one band (NaN outside its footprint)."""
    err = noise_sigma(band, truth, cover_info)
    value = truth + err * rng.standard_normal(truth.size)
    value = np.where(covered, value, np.nan).astype(np.float32)
    err = np.where(covered, err, np.nan).astype(np.float32)
    upper = covered & (value < DETECTION_SNR * err)
    return value, err, upper


def _one_galaxy(name: str, tier: str, seed: int) -> dict:
    """All columns of one galaxy, plus its WCS header and shape."""
    spec = GALAXY_SPECS[name]
    gid = GALAXIES.index(name)
    grid = make_grid(spec, TIER_PIXEL_PC[tier])
    pixel_rng = np.random.default_rng([seed, gid, 1, TIERS.index(tier)])
    return galaxy_columns(spec, gid, grid, seed, pixel_rng)


def galaxy_columns(spec, gid: int, grid, seed: int, pixel_rng) -> dict:
    """The columns of the pixels of ``grid`` (a whole galaxy or a band of rows).

    ``seed`` and ``gid`` fix the galaxy (its footprints, clumps, textures:
    the same in every band); ``pixel_rng`` draws the per-pixel noise and
    anomalies. Used by :func:`make_galaxies` and, band by band, by
    :func:`astrokit.data.write_survey`.
    """
    from astropy.io import fits
    from astropy.wcs import WCS

    cover = footprints(grid, np.random.default_rng([seed, gid, 2]))
    inside = cover["ALMA"] | cover["MUSE"] | cover["JWST"] | cover["HST"]
    y, x = np.nonzero(inside)
    y = y + grid.y0
    rows = {k: cover[k][inside] for k in cover}
    n = y.size
    structure_rng = np.random.default_rng([seed, gid, 0])
    s = build_structure(
        spec, structure_rng, grid.xd[inside], grid.yd[inside],
        grid.east[inside], grid.north[inside],
    )  # fmt: skip
    # anomalies: rare pixels where ALMA, MUSE and JWST all look (not the AGN)
    eligible = np.flatnonzero(rows["ALMA"] & rows["MUSE"] & rows["JWST"])
    eligible = eligible[s.t_agn[eligible] < 0.1]
    n_anom = int(round(ANOMALY_RATE * eligible.size))
    if eligible.size >= 20:
        n_anom = max(n_anom, 2)
    anom_rows = np.sort(pixel_rng.choice(eligible, size=n_anom, replace=False))
    anom_kind = np.where(pixel_rng.random(n_anom) < 0.65, "shock", "oiii_knot")
    truth, env, av = emission(s, spec.r_disc_kpc, pixel_rng, anom_rows, anom_kind)
    info = {
        "r_frac": np.minimum(s.r / spec.r_disc_kpc, 1.0),
        "texture": s.texture[1],
        "continuum": truth["f555w"],
        "muse_depth": rows["muse_depth"],
        "jwst_depth": rows["jwst_depth"],
        "hst_depth": rows["hst_depth"],
        "co21_true": truth["co21"],
    }
    cols: dict[str, np.ndarray] = {}
    for band, meta in BANDS.items():
        covered = rows[meta.instrument]
        value, err, upper = _noise(band, truth[band], covered, info, pixel_rng)
        if band == "co21":
            info["co21_err"] = np.nan_to_num(err, nan=1.0).astype(float)
        cols[band], cols[band + ERR_SUFFIX], cols[band + UL_SUFFIX] = value, err, upper
    wcs = WCS(fits.Header.fromstring(grid.header))
    ra, dec = wcs.wcs_pix2world(x, y, 0)
    kind = np.zeros(n, dtype=np.int8)
    kind[anom_rows] = np.where(anom_kind == "shock", 1, 2)
    out = {
        "x": x.astype(np.int32),
        "y": y.astype(np.int32),
        "ra": ra,
        "dec": dec,
        **cols,
        "truth_env": env,
        "truth_anomaly": kind > 0,
        "truth_anomaly_kind": kind,
        "truth_av": av.astype(np.float32),
        "truth_rgal_kpc": s.r.astype(np.float32),
    }
    return {"columns": out, "n": n, "header": grid.header, "shape": (grid.ny, grid.nx)}


def _units() -> dict[str, str]:
    units = {"x": "pix", "y": "pix", "ra": "deg", "dec": "deg"}
    for band, meta in BANDS.items():
        units[band] = units[band + ERR_SUFFIX] = meta.unit
    units |= {"truth_av": "mag", "truth_rgal_kpc": "kpc"}
    return units


def make_galaxies(
    tier: str = "demo",
    *,
    galaxies: str | Iterable[str] | None = None,
    random_state: int = 0,
    **old_names,
) -> pd.DataFrame:
    """Generate the synthetic PHANGS-like pixel table.

    One row per pixel inside at least one instrument footprint. Columns:
    ``galaxy`` (categorical), ``x``, ``y`` (int32 pixel indices, numpy order
    ``image[y, x]``), ``ra``, ``dec`` (deg, from the WCS), then for every
    band of :data:`astrokit._shared.bands.BANDS` its value, ``_err`` (1 sigma) and
    ``_ul`` (covered but below ``3 * err``), then the truth columns listed in
    ``attrs["truth_columns"]`` (never use them as features).

    Parameters
    ----------
    tier : {"tiny", "demo", "full"}, default "demo"
        Size. Every tier shows the same galaxies at 150 pc resolution,
        sampled with pixels of 1000 pc (``tiny``: a few thousand rows),
        150 pc (``demo``: about 2 x 10^5 rows) or 50 pc (``full``: about
        1.9 x 10^6 rows); see :data:`TIER_SIZES`.
    galaxies : str or list of str, optional
        A subset of :data:`GALAXIES`; default all three.
    random_state : int, default 0
        Seeds everything (a non-negative integer; ``seed=`` is its old name,
        accepted with a FutureWarning until astrokit 0.3). The same value
        gives the identical table; the clump catalogues depend on it only
        (not on the tier), so all tiers of one seed show the same galaxy.

    Returns
    -------
    pandas.DataFrame
        float32 values and errors, bool flags, categorical labels.
        ``attrs``: ``units``, ``wcs`` (FITS header string per galaxy),
        ``shape`` (``(ny, nx)`` per galaxy), ``pixel_pc``, ``detection_snr``,
        ``truth_columns``, ``source``, ``tier``, ``random_state``,
        ``generator_version``, ``galaxy_info``.

    Raises
    ------
    ValueError
        For an unknown tier or galaxy name, or a negative or non-integer
        ``random_state``.

    Notes
    -----
    What is modelled:

    - Geometry: real centre, distance, inclination and position angle; the
      disc is deprojected exactly through the TAN WCS (pixel size in degrees
      = pixel size in pc / distance).
    - Footprints: ALMA covers the disc (the largest), MUSE a mosaic of square
      pointings with pointing-to-pointing depth changes, JWST a smaller
      rotated rectangle, HST a narrow strip. Values are NaN outside.
    - Environments (``truth_env``): HII regions, diffuse ionised gas, quiescent
      molecular clouds (and bar dust lanes), the Seyfert centre of NGC1365,
      old-star bulges and the inter-arm disc, each with its own line ratios
      (BPT), dust (Balmer decrement), CO brightness and width, PAH band
      ratios, hot dust and stellar colours; pixels mix the components, so
      environments overlap at their edges. The label is the dominant one.
    - Noise: Gaussian, per-band error maps nearly constant per instrument
      (ALMA noise rises at the mosaic edge, MUSE depth varies per pointing
      and with continuum brightness, JWST per tile, HST along the strip).
      Faint pixels scatter below zero, as in real maps.
    - Anomalies (``truth_anomaly``, 0.5% of the pixels seen by ALMA, MUSE
      and JWST outside the AGN; ``truth_anomaly_kind``): shock-like knots
      (very high [SII]/Ha, [OI]/Ha and [NII]/Ha, CO width 100-250 km/s) and
      compact knots of extreme [OIII]/Hb with very low [NII]/Ha. Each knot
      has its own spectrum (0.25 dex spread), so they are scattered outliers
      rather than a seventh cluster.

    Other truth columns: ``truth_av`` (the V-band attenuation applied, mag)
    and ``truth_rgal_kpc`` (galactocentric radius in the disc plane).

    Pixels are independent samples of a continuous model: noise is not
    correlated between neighbouring pixels as it is in real convolved maps.

    Examples
    --------
    >>> t = make_galaxies("tiny", random_state=0)
    >>> list(t["galaxy"].cat.categories)
    ['NGC0628', 'NGC1365', 'NGC7496']
    >>> t.attrs["pixel_pc"], t.attrs["units"]["halpha"]
    (1000.0, '1e-20 erg / (s cm2)')
    >>> t["halpha"].dtype, t["halpha_ul"].dtype
    (dtype('float32'), dtype('bool'))
    >>> sorted(t["truth_env"].cat.categories)
    ['agn', 'bulge', 'dig', 'hii_region', 'interarm', 'molecular_cloud']
    """
    random_state = renamed(old_names, "seed", "random_state", random_state, default=0)
    refuse_unknown(old_names, "make_galaxies")
    tier = check_tier(tier)
    seed = check_random_state(random_state)
    names = _check_galaxies(galaxies)
    parts = [_one_galaxy(name, tier, seed) for name in names]
    table = galaxy_frame(parts, names, names)
    specs = [GALAXY_SPECS[name] for name in names]
    table.attrs = galaxy_attrs(specs, parts, TIER_PIXEL_PC[tier], tier, seed)
    return table


def galaxy_frame(parts: list, names: list, categories: list) -> pd.DataFrame:
    """The table of the galaxies ``names`` (``parts`` from :func:`galaxy_columns`).

    ``categories``: the ``galaxy`` column's categories (a superset of ``names``).
    """
    codes = [categories.index(name) for name in names]
    columns = {
        "galaxy": pd.Categorical.from_codes(
            np.repeat(codes, [p["n"] for p in parts]), categories=categories
        )
    }
    for key in parts[0]["columns"]:
        columns[key] = np.concatenate([p["columns"][key] for p in parts])
    columns["truth_env"] = pd.Categorical.from_codes(
        columns["truth_env"], categories=list(ENVIRONMENTS)
    )
    columns["truth_anomaly_kind"] = pd.Categorical.from_codes(
        columns["truth_anomaly_kind"], categories=list(ANOMALY_KINDS)
    )
    return pd.DataFrame(columns)


_INFO_KEYS = ("ra", "dec", "dist_mpc", "incl_deg", "pa_deg", "description")


def galaxy_attrs(specs: list, parts: list, pixel_pc, tier: str, seed: int) -> dict:
    """The table's ``attrs`` for the galaxies ``specs`` (one part per galaxy)."""
    return {
        "units": _units(),
        "wcs": {s.name: p["header"] for s, p in zip(specs, parts, strict=True)},
        "shape": {s.name: p["shape"] for s, p in zip(specs, parts, strict=True)},
        "pixel_pc": pixel_pc,
        "detection_snr": DETECTION_SNR,
        "truth_columns": list(TRUTH_COLUMNS),
        "source": f"astrokit synthetic PHANGS-like galaxies v{GENERATOR_VERSION}",
        "tier": tier,
        "random_state": seed,
        "generator_version": GENERATOR_VERSION,
        "galaxy_info": {
            s.name: {key: getattr(s, key) for key in _INFO_KEYS} for s in specs
        },
    }
