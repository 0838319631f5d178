"""Structure of the synthetic galaxies in the disc plane: where the gas, the
stars and the ionising sources are, and which environment dominates each pixel.

All lengths are in kpc in the disc plane. Every field is a continuous function
of position evaluated at pixel centres, so a coarser or finer pixel grid samples
the same galaxy; fine structure (HII regions, molecular clouds, arm edges) is
no smaller than about 150 pc, the common resolution of the maps.

Components
----------
- Stellar disc: exponential, scale length 0.22 of the disc radius ``R``.
- Bulge: a compact old-star component inside ``bulge_kpc``; the gas disc
  (and star formation) is suppressed there.
- Bar (NGC1365, NGC7496): an elongated old-star component with two straight
  molecular dust lanes on its leading edges, GMCs along the lanes, HII
  regions just inside them and diffuse ionised gas over the bar.
- Two logarithmic spiral arms (trailing; they start at the bar ends in the
  barred galaxies). Gas flows through an arm from the upstream (``d < 0``)
  to the downstream (``d > 0``) side: a molecular ridge and the giant
  molecular clouds (GMCs) sit upstream, the HII regions downstream, and the
  diffuse ionised gas (DIG) fills the arm zone (flat-topped profile, half
  width ``0.3 + 0.06 R`` kpc).
- Flocculent patches: a thresholded smooth random field (1 kpc correlation)
  adds spurs of DIG and molecular gas between the arms.
- HII regions and GMCs: flat-topped clumps (``exp(-(rho/R_c)**4)``) of
  radius 0.1-0.4 kpc (a few 150 pc pixels), most along the arms, some in
  the inter-arm disc; brightness declines with radius. Overlapping clumps
  add up.
- AGN (NGC1365): a Seyfert nucleus plus a one-sided ionisation cone to the
  south-east (sky position angle 130 degrees), as observed in [OIII].
- Turbulent texture: log-normal multiplicative random fields with about
  0.5 kpc correlation length modulate the diffuse gas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astrokit.data._synthetic_geometry import RAD_PER_DEG, GalaxySpec

__all__ = ["ENVIRONMENTS", "Structure", "build_structure"]

ENVIRONMENTS = ("hii_region", "dig", "molecular_cloud", "agn", "bulge", "interarm")
"""The planted physical environments (categories of ``truth_env``)."""


@dataclass
class Structure:
    """Per-pixel structural fields of one galaxy (1-D arrays over the rows)."""

    r: np.ndarray  # disc-plane radius (kpc)
    rho_sky: np.ndarray  # projected distance from the nucleus (kpc)
    disc_star: np.ndarray  # stellar disc, 1 at the centre
    bulge_star: np.ndarray  # bulge stars, 1 at the centre
    bar_star: np.ndarray  # bar stars
    t_bulge: np.ndarray  # bulge territory (0..1)
    t_agn: np.ndarray  # AGN-ionised territory (0..1)
    arm_zone: np.ndarray  # arm DIG zone profile (0..1, flat-topped)
    arm_ridge: np.ndarray  # upstream molecular ridge profile (0..1)
    arm_env: np.ndarray  # radial envelope of the arms
    lanes: np.ndarray  # bar dust lanes profile (0..1)
    hii_flux: np.ndarray  # summed HII-region Halpha (intrinsic)
    hii_offset: np.ndarray  # flux-weighted per-region offset of log [NII]/Ha
    gmc_co: np.ndarray  # summed GMC CO intensity
    gmc_cover: np.ndarray  # GMC territory (0..1)
    texture: np.ndarray  # (3, n) unit-variance Gaussian random fields


def _gaussian_fields(rng, half_size: float, n_fields: int, corr_kpc: float):
    """Unit-variance Gaussian random fields on a disc-plane grid (0.15 kpc cells).

    Returns the fields ``(n_fields, m, m)`` and the cell size.
    """
    cell = 0.15
    m = int(np.ceil(2 * half_size / cell)) + 4
    k = np.fft.fftfreq(m, d=cell)
    kk = k[:, None] ** 2 + k[None, :] ** 2
    kernel = np.exp(-2 * (np.pi * corr_kpc) ** 2 * kk)
    white = rng.standard_normal((n_fields, m, m))
    fields = np.fft.ifft2(np.fft.fft2(white) * kernel).real
    fields /= fields.std(axis=(1, 2), keepdims=True)
    return fields, cell


def _sample_fields(fields, cell, half_size, xd, yd):
    from scipy.ndimage import map_coordinates

    m = fields.shape[-1]
    centre = (m - 1) / 2.0
    coords = np.vstack([yd / cell + centre, xd / cell + centre])
    coords = np.clip(coords, 0, m - 1)
    return np.stack([map_coordinates(f, coords, order=1) for f in fields])


def _arm_start(spec: GalaxySpec) -> tuple[float, float]:
    """Radius where the arms start and the azimuth of the first arm there."""
    if spec.bar_kpc > 0:
        return spec.bar_kpc, spec.bar_angle_deg * RAD_PER_DEG
    return max(1.6 * spec.bulge_kpc, 0.1 * spec.r_disc_kpc), spec.arm_phase_deg * (
        RAD_PER_DEG
    )


def arm_distance(spec: GalaxySpec, r, theta) -> np.ndarray:
    """Signed distance (kpc) from the nearest of the two arms (> 0: downstream).

    The arms are logarithmic spirals ``theta = theta0 + k pi - ln(r/r0)/tan(p)``
    (trailing for counter-clockwise rotation). The perpendicular distance of a
    point at azimuthal offset ``dtheta`` from an arm is ``r dtheta sin(p)``.
    """
    r0, theta0 = _arm_start(spec)
    tanp = np.tan(spec.pitch_deg * RAD_PER_DEG)
    phase = theta + np.log(np.maximum(r, 0.05) / r0) / tanp - theta0
    psi = np.angle(np.exp(2j * phase))  # wrapped into (-pi, pi]
    return r * (psi / 2.0) * np.sin(spec.pitch_deg * RAD_PER_DEG)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _sample_on_arms(spec, rng, n, offset_kpc, scatter_kpc, interarm_frac):
    """Disc-plane positions of ``n`` clumps: most on the arms, some in between."""
    r0, theta0 = _arm_start(spec)
    radius = spec.r_disc_kpc
    tanp = np.tan(spec.pitch_deg * RAD_PER_DEG)
    sinp = np.sin(spec.pitch_deg * RAD_PER_DEG)
    # radii ~ r exp(-r / h) (a Gamma(2) law), truncated to the arm range
    r = rng.gamma(2.0, 0.28 * radius, size=4 * n)
    r = r[(r > 1.05 * r0) & (r < 0.95 * radius)][:n]
    while r.size < n:  # rare: top up
        extra = rng.gamma(2.0, 0.28 * radius, size=n)
        r = np.concatenate([r, extra[(extra > 1.05 * r0) & (extra < 0.95 * radius)]])
        r = r[:n]
    arm = rng.integers(0, 2, size=n)
    d = rng.normal(offset_kpc, scatter_kpc, size=n)
    theta = theta0 + np.pi * arm - np.log(r / r0) / tanp + d / (r * sinp)
    inter = rng.random(n) < interarm_frac
    theta[inter] = rng.uniform(-np.pi, np.pi, size=int(inter.sum()))
    return r * np.cos(theta), r * np.sin(theta), r


def _sample_in_bar(spec, rng, n, offset_kpc, scatter_kpc):
    """Disc-plane positions of ``n`` clumps along the bar's leading edges.

    ``offset_kpc`` is measured from the dust lane towards the bar axis.
    """
    a = spec.bar_kpc
    beta = spec.bar_angle_deg * RAD_PER_DEG
    side = rng.choice([-1.0, 1.0], size=n)
    ub = side * rng.uniform(1.3 * spec.bulge_kpc, 0.95 * a, size=n)
    vb = side * (0.13 * a - rng.normal(offset_kpc, 1.5 * scatter_kpc, size=n))
    x = ub * np.cos(beta) - vb * np.sin(beta)
    y = ub * np.sin(beta) + vb * np.cos(beta)
    return x, y, np.hypot(x, y)


def _place(spec, rng, n, arm_offset, bar_offset, scatter, interarm_frac, per_kpc):
    """Clump positions: along the arms, and ``per_kpc`` per kpc of bar edge."""
    lane_kpc = 2.0 * max(0.95 * spec.bar_kpc - 1.3 * spec.bulge_kpc, 0.0)
    n_bar = int(per_kpc * lane_kpc)
    x, y, r = _sample_on_arms(spec, rng, n - n_bar, arm_offset, scatter, interarm_frac)
    if n_bar:
        bx, by, br = _sample_in_bar(spec, rng, n_bar, bar_offset, scatter)
        x, y, r = (
            np.concatenate([x, bx]),
            np.concatenate([y, by]),
            np.concatenate([r, br]),
        )
    return x, y, r


def _clumps(tree, cx, cy, radius, n_rows):
    """Flat-topped clump profiles: sparse (row, clump, profile) triplets."""
    hits = tree.query_ball_point(np.column_stack([cx, cy]), r=1.7 * radius)
    lengths = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    if lengths.sum() == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    rows = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits if len(h)])
    clump = np.repeat(np.arange(len(hits)), lengths)
    xy = tree.data[rows]
    rho = np.hypot(xy[:, 0] - cx[clump], xy[:, 1] - cy[clump])
    prof = np.exp(-((rho / radius[clump]) ** 4))
    return rows, clump, prof


def _bar(spec: GalaxySpec, xd, yd, n: int):
    """The bar's stars, its leading-edge dust lanes and the zone they occupy."""
    if spec.bar_kpc <= 0:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    a, rb = spec.bar_kpc, spec.bulge_kpc
    beta = spec.bar_angle_deg * RAD_PER_DEG
    ub = xd * np.cos(beta) + yd * np.sin(beta)
    vb = -xd * np.sin(beta) + yd * np.cos(beta)
    bar_star = np.exp(-(((ub / a) ** 2 + (vb / (0.25 * a)) ** 2) ** 1.5))
    width = 0.15 + 0.03 * a
    along = _sigmoid((np.abs(ub) - 1.1 * rb) / 0.1) * _sigmoid(
        (0.95 * a - np.abs(ub)) / 0.15
    )
    lanes = np.exp(-(((vb - 0.13 * a * np.sign(ub)) / width) ** 4)) * along
    bar_zone = np.exp(-(((ub / a) ** 2 + (vb / (0.3 * a)) ** 2) ** 3))
    return bar_star, lanes, bar_zone


def _arms(spec: GalaxySpec, r, theta, bar_zone):
    """Where the spiral arms are: envelope, zone (with the bar's) and ridge."""
    radius = spec.r_disc_kpc
    r0, _ = _arm_start(spec)
    d = arm_distance(spec, r, theta)
    w_arm = 0.3 + 0.06 * radius
    arm_env = _sigmoid((r - r0) / (0.1 * r0)) * np.exp(-r / (0.6 * radius))
    arm_zone = np.exp(-(((d - 0.05) / w_arm) ** 6)) * _sigmoid((r - r0) / 0.15)
    arm_zone = np.maximum(arm_zone, bar_zone)
    arm_ridge = np.exp(-(((d + 0.15) / (0.7 * w_arm)) ** 2)) * arm_env
    return arm_env, arm_zone, arm_ridge


def _agn(spec: GalaxySpec, east, north, n: int):
    """The AGN's weight: nucleus plus a one-sided ionisation cone (sky geometry)."""
    if not spec.agn:
        return np.zeros(n)
    rho_sky = np.hypot(east, north)
    pa_sky = np.degrees(np.arctan2(east, north))
    dpa = (pa_sky - 130.0 + 180.0) % 360.0 - 180.0
    cone = _sigmoid((25.0 - np.abs(dpa)) / 3.0) * _sigmoid((4.5 - rho_sky) / 0.15)
    core = _sigmoid((1.3 - rho_sky) / 0.08)
    return np.maximum(core, cone)


def _hii_regions(spec: GalaxySpec, rng, tree, n: int):
    """HII-region flux per pixel (downstream of the arms) and its line offset."""
    radius = spec.r_disc_kpc
    hx, hy, hr = _place(spec, rng, spec.n_hii, 0.25, 0.35, 0.12, 0.12, 4.0)
    h_rad = np.clip(rng.lognormal(np.log(0.17), 0.3, spec.n_hii), 0.1, 0.4)
    h_peak = 10 ** rng.normal(3.1, 0.35, spec.n_hii) * (
        0.35 + np.exp(-hr / (0.3 * radius))
    )
    h_off = rng.normal(0.0, 0.07, spec.n_hii)
    rows, clump, prof = _clumps(tree, hx, hy, h_rad, n)
    weight = prof * h_peak[clump]
    hii_flux = np.bincount(rows, weight, minlength=n)
    hii_offset = np.bincount(rows, weight * h_off[clump], minlength=n) / np.maximum(
        hii_flux, 1e-30
    )
    return hii_flux, hii_offset


def _molecular_clouds(spec: GalaxySpec, rng, tree, n: int):
    """CO of giant molecular clouds (upstream of the arms) and their cover."""
    radius = spec.r_disc_kpc
    gx, gy, gr = _place(spec, rng, spec.n_gmc, -0.25, 0.0, 0.12, 0.15, 6.0)
    g_rad = np.clip(rng.lognormal(np.log(0.18), 0.25, spec.n_gmc), 0.1, 0.4)
    g_peak = 10 ** rng.normal(1.35, 0.2, spec.n_gmc) * (
        0.5 + np.exp(-gr / (0.35 * radius))
    )
    rows, clump, prof = _clumps(tree, gx, gy, g_rad, n)
    gmc_co = np.bincount(rows, prof * g_peak[clump], minlength=n)
    gmc_cover = np.minimum(np.bincount(rows, prof, minlength=n), 1.0)
    return gmc_co, gmc_cover


def build_structure(spec: GalaxySpec, rng, xd, yd, east, north) -> Structure:
    """All structural fields of one galaxy at the given pixel positions.

    ``rng`` drives the clump catalogues and textures only, so the same seed
    gives the same galaxy at every pixel size. The order of the random draws
    (HII regions, clouds, textures, flocculent patches) is part of the output.
    """
    from scipy.spatial import cKDTree

    radius, rb = spec.r_disc_kpc, spec.bulge_kpc
    r = np.hypot(xd, yd)
    n = r.size
    t_bulge = _sigmoid(-(r - rb) / (0.06 * rb))
    bar_star, lanes, bar_zone = _bar(spec, xd, yd, n)
    arm_env, arm_zone, arm_ridge = _arms(spec, r, np.arctan2(yd, xd), bar_zone)
    t_agn = _agn(spec, east, north, n)
    tree = cKDTree(np.column_stack([xd, yd]))
    hii_flux, hii_offset = _hii_regions(spec, rng, tree, n)
    gmc_co, gmc_cover = _molecular_clouds(spec, rng, tree, n)
    # textures: Halpha of the diffuse gas, CO, line-ratio variations
    fields, cell = _gaussian_fields(rng, radius + 1.0, 3, corr_kpc=0.5)
    texture = _sample_fields(fields, cell, radius + 1.0, xd, yd)
    # flocculent structure: patches of ionised gas between the arms
    fields, cell = _gaussian_fields(rng, radius + 1.0, 1, corr_kpc=1.0)
    floc = _sample_fields(fields, cell, radius + 1.0, xd, yd)[0]
    floc = _sigmoid((floc - 0.9) / 0.05) * _sigmoid((r - 1.5 * rb) / 0.2)
    arm_zone = np.maximum(arm_zone, floc)
    arm_ridge = np.maximum(arm_ridge, 0.8 * floc * np.exp(-r / (0.6 * radius)))
    # gas and star formation avoid the bulge and the AGN
    keep = (1.0 - t_bulge) * (1.0 - t_agn)
    return Structure(
        r=r,
        rho_sky=np.hypot(east, north),
        disc_star=np.exp(-r / (0.22 * radius)),
        bulge_star=np.exp(-((r / (0.35 * rb)) ** 0.8)),
        bar_star=bar_star,
        t_bulge=t_bulge * (1.0 - t_agn),
        t_agn=t_agn,
        arm_zone=arm_zone * keep,
        arm_ridge=arm_ridge * keep,
        arm_env=arm_env,
        lanes=lanes * keep,
        hii_flux=hii_flux * keep,
        hii_offset=hii_offset,
        gmc_co=gmc_co * keep,
        gmc_cover=gmc_cover * keep,
        texture=texture,
    )
