"""Quality cuts on a Gaia cone, each counted: what it removed and why.

Defaults follow the open-cluster censuses: only stars with a 5- or
6-parameter astrometric solution; RUWE < 1.4 where the column exists
(Lindegren et al. 2021: above it the single-star astrometric model fits
poorly: binaries, blends); G < 18 (Cantat-Gaudin et al. 2018: fainter stars'
astrometric errors blur the clusters). A cut on ``parallax_over_error`` is
available but off by default: it keeps only precise parallaxes, which
removes most members of distant clusters (a cluster at 3 kpc has parallax
0.33 mas, the error of a G = 17 star); the G limit bounds the errors
without that bias.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit.stars._cone import ASTROMETRY, check_cone

__all__ = ["quality_cuts", "G_MAX", "RUWE_MAX"]

logger = logging.getLogger("astrokit.stars")

G_MAX = 18.0
"""Default faint limit in G (Cantat-Gaudin et al. 2018 used G < 18)."""
RUWE_MAX = 1.4
"""Default RUWE limit (Lindegren et al. 2021)."""


def _finite(stars: pd.DataFrame, column: str) -> pd.Series:
    return pd.Series(np.isfinite(pd.to_numeric(stars[column], errors="coerce")))


def _plx_over_error(stars: pd.DataFrame) -> pd.Series | None:
    if "parallax_over_error" in stars:
        return pd.to_numeric(stars["parallax_over_error"], errors="coerce")
    if "parallax_error" in stars:
        return stars["parallax"] / stars["parallax_error"]
    return None


def quality_cuts(
    stars: pd.DataFrame,
    *,
    g_max: float | None = G_MAX,
    max_ruwe: float | None = RUWE_MAX,
    min_parallax_over_error: float | None = None,
) -> pd.DataFrame:
    """The stars that pass the quality cuts, with the count of every cut.

    Parameters
    ----------
    stars : pandas.DataFrame
        A Gaia cone: ``pmra``, ``pmdec``, ``parallax``; where present
        ``ruwe``, ``parallax_over_error`` (or ``parallax_error``) and
        ``phot_g_mean_mag``.
    g_max : float or None, default 18
        Keep ``phot_g_mean_mag < g_max``; None: no magnitude cut.
    max_ruwe : float or None, default 1.4
        Keep ``ruwe < max_ruwe`` when the cone has a ``ruwe`` column.
    min_parallax_over_error : float or None, default None
        Keep ``parallax / parallax_error >= min_parallax_over_error`` (off by
        default: see the module notes).

    Returns
    -------
    pandas.DataFrame
        The kept rows (the cone's index). ``attrs["cuts"]``: one row per cut
        in the order applied, columns ``rule``, ``removed``, ``remaining``
        and ``applied`` (False, with the reason in ``rule``, where the
        column is absent or the cut is switched off).

    Raises
    ------
    ValueError
        The cone lacks ``pmra``, ``pmdec`` or ``parallax``, has no finite
        value in one of them, or a limit is not a number.

    Examples
    --------
    >>> cone = pd.DataFrame({"pmra": [1.0, np.nan, 2.0, 3.0],
    ...                      "pmdec": [1.0, np.nan, 2.0, 3.0],
    ...                      "parallax": [1.0, np.nan, 0.5, 0.4],
    ...                      "phot_g_mean_mag": [15.0, 20.0, 17.0, 19.0]})
    >>> kept = quality_cuts(cone)
    >>> kept.index.tolist()
    [0, 2]
    >>> cuts = kept.attrs["cuts"]
    >>> cuts["removed"].to_dict()  # RUWE: no column; parallax_over_error: off
    {'5-parameter astrometry': 1, 'RUWE': 0, 'parallax_over_error': 0, 'G limit': 1}
    >>> cuts["applied"].tolist()
    [True, False, False, True]
    """
    check_cone(stars, ASTROMETRY, name="stars")
    for name, value in (
        ("g_max", g_max), ("max_ruwe", max_ruwe),
        ("min_parallax_over_error", min_parallax_over_error),
    ):  # fmt: skip
        if value is not None and not (
            isinstance(value, int | float) and np.isfinite(value)
        ):
            msg = f"{name}={value!r} must be a finite number or None (no cut)."
            raise ValueError(msg)
    keep = pd.Series(True, index=stars.index)
    rows = []

    def apply(cut: str, rule: str, mask: pd.Series | None) -> None:
        before = int(keep.sum())
        if mask is not None:
            keep[:] = keep & mask.fillna(False).to_numpy()
        rows.append(
            (cut, rule, before - int(keep.sum()), int(keep.sum()), mask is not None)
        )

    astrometric = np.logical_and.reduce(
        [_finite(stars, c).to_numpy() for c in ASTROMETRY]
    )
    apply("5-parameter astrometry", "finite pmra, pmdec, parallax",
          pd.Series(astrometric, index=stars.index))  # fmt: skip
    if max_ruwe is None or "ruwe" not in stars:
        why = "switched off" if max_ruwe is None else "no ruwe column"
        apply("RUWE", f"not applied: {why}", None)
    else:
        apply("RUWE", f"ruwe < {max_ruwe}", stars["ruwe"] < max_ruwe)
    ratio = _plx_over_error(stars)
    if min_parallax_over_error is None or ratio is None:
        why = (
            "switched off (default)"
            if min_parallax_over_error is None
            else ("no parallax_over_error or parallax_error column")
        )
        apply("parallax_over_error", f"not applied: {why}", None)
    else:
        apply("parallax_over_error", f"parallax / error >= {min_parallax_over_error}",
              ratio >= min_parallax_over_error)  # fmt: skip
    if g_max is None or "phot_g_mean_mag" not in stars:
        why = "switched off" if g_max is None else "no phot_g_mean_mag column"
        apply("G limit", f"not applied: {why}", None)
    else:
        apply("G limit", f"phot_g_mean_mag < {g_max}", stars["phot_g_mean_mag"] < g_max)
    cuts = pd.DataFrame(
        rows, columns=["cut", "rule", "removed", "remaining", "applied"]
    )
    kept = stars.loc[keep.to_numpy()].copy()
    kept.attrs = {**stars.attrs, "cuts": cuts.set_index("cut")}
    logger.info("quality_cuts: %d of %d stars kept", len(kept), len(stars))
    return kept
