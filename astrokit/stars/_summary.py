"""The cluster's mean astrometry, its uncertainty and its distance.

Distances come from the mean parallax after the parallax zero-point is
removed: Gaia parallaxes are too small on average; for (E)DR3 the quasars'
median parallax is -0.017 mas (Lindegren et al. 2021, A&A 649, A4), for DR2
-0.029 mas (Lindegren et al. 2018). The full correction depends on
magnitude, colour and position (the ``gaiadr3_zeropoint`` package); the
global value is what this module applies, and the summary says which. The
quoted uncertainties are statistical (the scatter of the members over the
square root of their number); Gaia's parallax systematics on small scales
(about 0.01 mas, Lindegren et al. 2021) set a floor under the mean
parallax's error that they do not include.

The Gaussian fit to the members' parallax histogram (Anders' walk-through)
uses ``astropy.modeling``: a second, independent estimate of the mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ZERO_POINT", "cluster_summary", "fit_parallax", "distance_pc"]

ZERO_POINT = -0.017
"""Gaia (E)DR3 global parallax zero-point in mas (Lindegren et al. 2021)."""


def distance_pc(parallax, *, zero_point: float = ZERO_POINT):
    """Distance in pc from a parallax in mas, zero-point removed: 1000/(plx - zp).

    Sensible for a cluster's mean parallax (small relative error); for a
    single star with a large relative error the inverse is biased (use a
    prior, e.g. Bailer-Jones et al. 2021). Non-positive parallaxes give NaN.

    Examples
    --------
    >>> round(float(distance_pc(1.0)), 1)
    983.3
    """
    corrected = np.asarray(parallax, dtype=float) - zero_point
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(corrected > 0, 1000.0 / corrected, np.nan)


def fit_parallax(parallax, *, bins: int | str = "auto") -> dict:
    """Gaussian fit (astropy.modeling) to a histogram of parallaxes.

    Returns
    -------
    dict
        ``mean``, ``stddev`` and ``amplitude`` of the Gaussian, ``mean_err``
        (from the fit's covariance), and the histogram ``counts``, ``edges``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> fit = fit_parallax(rng.normal(1.2, 0.05, 500))
    >>> round(fit["mean"], 2), abs(fit["stddev"] - 0.05) < 0.01
    (1.2, True)
    """
    from astropy.modeling import fitting, models

    values = np.asarray(parallax, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 5:
        msg = f"fit_parallax needs at least 5 finite parallaxes; got {len(values)}."
        raise ValueError(msg)
    counts, edges = np.histogram(values, bins=bins)
    centres = 0.5 * (edges[1:] + edges[:-1])
    start = models.Gaussian1D(
        amplitude=counts.max(), mean=np.median(values), stddev=np.std(values) or 1e-3
    )
    fitter = fitting.TRFLSQFitter(calc_uncertainties=True)
    fit = fitter(start, centres, counts)
    stds = fit.stds
    mean_err = float(stds["mean"]) if stds is not None else float("nan")
    return {
        "mean": float(fit.mean.value), "stddev": abs(float(fit.stddev.value)),
        "amplitude": float(fit.amplitude.value), "mean_err": mean_err,
        "counts": counts, "edges": edges,
    }  # fmt: skip


def _weighted(values: pd.Series, weights: pd.Series) -> tuple[float, float]:
    """Weighted mean and its standard error (weighted scatter / sqrt(n_eff))."""
    w = weights.to_numpy()
    v = values.to_numpy(dtype=float)
    mean = float(np.sum(w * v) / np.sum(w))
    var = float(np.sum(w * (v - mean) ** 2) / np.sum(w))
    n_eff = np.sum(w) ** 2 / np.sum(w**2)
    return mean, float(np.sqrt(var / n_eff))


def cluster_summary(
    members: pd.DataFrame, *, zero_point: float = ZERO_POINT
) -> pd.DataFrame:
    """One row: the members' mean astrometry, errors, and distance.

    ``members`` holds the member stars with a ``probability`` column (the
    weights). Columns: ``members``, ``ra``, ``dec``, ``pmra``, ``pmra_err``,
    ``pmdec``, ``pmdec_err``, ``parallax``, ``parallax_err`` (mas/yr, mas;
    statistical), ``parallax_zero_point``, ``distance_pc`` with
    ``distance_lo_pc`` / ``distance_hi_pc`` (parallax -+ 1 error), and the
    Gaussian fit's ``parallax_fit`` and ``parallax_fit_sigma``.
    """
    weights = members["probability"]
    row: dict[str, float] = {"members": len(members)}
    for column in ("ra", "dec", "pmra", "pmdec", "parallax"):
        if column in members:
            mean, err = _weighted(members[column], weights)
            row[column] = mean
            if column not in ("ra", "dec"):
                row[f"{column}_err"] = err
    plx, err = row["parallax"], row["parallax_err"]
    row["parallax_zero_point"] = zero_point
    row["distance_pc"] = float(distance_pc(plx, zero_point=zero_point))
    row["distance_lo_pc"] = float(distance_pc(plx + err, zero_point=zero_point))
    row["distance_hi_pc"] = float(distance_pc(plx - err, zero_point=zero_point))
    if len(members) >= 5:
        fit = fit_parallax(members["parallax"])
        row["parallax_fit"], row["parallax_fit_sigma"] = fit["mean"], fit["stddev"]
    return pd.DataFrame([row], index=pd.Index(["cluster"]))
