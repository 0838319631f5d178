"""A synthetic Gaia cone with one open cluster: for lessons without the archive.

Written here (not taken from a library) because no light package makes a
Gaia-like cone with a known membership. It is a caricature, good enough to
teach the method and to grade it (``truth_member``), not to do science:

- field stars uniform in volume out to 4 kpc, with a 30 km/s velocity
  dispersion (proper motions spread as 30 / (4.74 d) mas/yr);
- the cluster: a Gaussian knot in proper motion (0.15 mas/yr intrinsic) at
  one parallax, concentrated on the sky (0.1 deg);
- a main sequence ``M_G = 1.5 + 3.9 (BP-RP)`` with a few giants;
- errors growing with G roughly as Gaia (E)DR3's (0.02 mas at G < 15,
  about 0.5 mas at G = 20), a RUWE column with 5% of poorly fitted stars,
  and no parallax for 10% of stars fainter than G = 19.5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int

__all__ = ["make_cone"]


def _errors(g: np.ndarray) -> np.ndarray:
    return 0.02 + 0.5 * 10 ** (0.4 * (g - 20.0))


def _photometry(rng, n, distance_kpc, giants: float):
    colour = rng.uniform(0.5, 2.6, n)
    absolute = 1.5 + 3.9 * colour + rng.normal(0, 0.15, n)
    giant = rng.random(n) < giants
    colour[giant] = rng.uniform(1.0, 1.4, giant.sum())
    absolute[giant] = rng.uniform(-0.5, 1.5, giant.sum())
    g = absolute + 5 * np.log10(distance_kpc * 100.0)
    return g, colour


def make_cone(
    *,
    n_field: int = 3000,
    n_members: int = 400,
    radius: float = 0.5,
    center: tuple[float, float] = (120.0, -20.0),
    cluster_pm: tuple[float, float] = (-4.0, 6.0),
    cluster_parallax: float = 0.8,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """A synthetic cone: Gaia-named columns and ``truth_member``.

    Parameters
    ----------
    n_field, n_members : int
        Field stars and cluster members (before the G < 21 limit).
    radius : float, default 0.5
        Cone radius (deg) around ``center`` (ra, dec in deg).
    cluster_pm : (float, float), default (-4, 6)
        The cluster's mean (pmra, pmdec) in mas/yr.
    cluster_parallax : float, default 0.8
        Its parallax in mas.
    random_state : int or None, default 0

    Returns
    -------
    pandas.DataFrame
        ``source_id, ra, dec, parallax, parallax_error, pmra, pmdec, ruwe,
        phot_g_mean_mag, bp_rp, truth_member``; ``attrs["synthetic"]`` True.

    Examples
    --------
    >>> cone = make_cone(n_field=500, n_members=100)
    >>> int(cone["truth_member"].sum()) <= 100, cone.attrs["synthetic"]
    (True, True)
    """
    n_field = check_int(n_field, "n_field")
    n_members = check_int(n_members, "n_members")
    rng = np.random.default_rng(random_state)
    d_field = np.maximum(4.0 * rng.random(n_field) ** (1 / 3), 0.05)
    d = np.concatenate([d_field, np.full(n_members, 1.0 / cluster_parallax)])
    member = np.r_[np.zeros(n_field, bool), np.ones(n_members, bool)]
    g, colour = _photometry(rng, len(d), d, giants=0.03)
    sigma_v = 30.0 / (4.74 * d_field)
    pm = np.vstack([
        np.column_stack([rng.normal(-2.0, sigma_v), rng.normal(1.0, sigma_v)]),
        rng.normal(cluster_pm, 0.15, (n_members, 2)),
    ])  # fmt: skip
    err = _errors(g)
    ruwe = rng.lognormal(0.0, 0.08, len(d))
    poor = rng.random(len(d)) < 0.05
    ruwe[poor] = rng.uniform(1.5, 4.0, poor.sum())
    err_star = err * np.where(poor, 3.0, 1.0)
    r = np.r_[radius * np.sqrt(rng.random(n_field)),
              np.abs(rng.normal(0, 0.1, n_members))]  # fmt: skip
    angle = rng.uniform(0, 2 * np.pi, len(d))
    dec = center[1] + r * np.sin(angle)
    ra = center[0] + r * np.cos(angle) / np.cos(np.radians(dec))
    cone = pd.DataFrame({
        "source_id": rng.choice(10**15, len(d), replace=False) + 10**17,
        "ra": ra, "dec": dec,
        "parallax": 1.0 / d + rng.normal(0, err_star),
        "parallax_error": err,
        "pmra": pm[:, 0] + rng.normal(0, err_star),
        "pmdec": pm[:, 1] + rng.normal(0, err_star),
        "ruwe": ruwe, "phot_g_mean_mag": g,
        "bp_rp": colour + rng.normal(0, 0.01 + err / 10), "truth_member": member,
    })  # fmt: skip
    no_solution = (g > 19.5) & (rng.random(len(d)) < 0.1)
    cone.loc[no_solution, ["parallax", "parallax_error", "pmra", "pmdec"]] = np.nan
    cone = cone[(r <= radius) & (g < 21.0)].sample(frac=1.0, random_state=0)
    cone = cone.reset_index(drop=True)
    cone.attrs = {"synthetic": True, "source": "astrokit.stars.make_cone"}
    return cone
