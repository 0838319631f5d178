"""Held-out scores of a transferred label, as photometric-redshift papers give them.

For each label the residual of a held-out row is ``d = predicted - measured``;
for a redshift it is ``d = (z_pred - z_spec) / (1 + z_spec)``, the
normalisation of photometric-redshift papers (e.g. Ilbert et al. 2006,
Hildebrandt et al. 2010), so that an error of 0.1 at z = 2 counts like 0.033
at z = 0. From the residuals:

- ``bias``: their median (robust to the outliers counted below);
- ``nmad``: the normalised median absolute deviation
  ``1.4826 * median(|d - median(d)|)``, the scatter, equal to the standard
  deviation for a Gaussian but blind to a few catastrophic rows;
- ``outlier_fraction``: the fraction with ``|d| > outlier_threshold``. For
  redshifts the threshold is :data:`REDSHIFT_OUTLIER` (0.15, the
  "catastrophic" limit of those papers). A generic label has no such
  convention, so its default threshold is :data:`GENERIC_OUTLIER_NMADS`
  times ``baseline_nmad`` (below): a row predicted worse than that is as
  wrong as a guess three typical spreads of the label away. Pass a number in
  the label's units to choose another (e.g. 0.3 dex, a factor of 2, for a
  log ratio);
- ``rmse``: the root-mean-square residual (sensitive to outliers);
- ``baseline_nmad``: the NMAD of the residuals of predicting the median of
  the measured values for every row (the label's own spread, in the same
  units as ``nmad``): ``nmad`` far below it means the features carry
  information about the label;
- ``coverage``: the fraction of measured values inside the prediction
  interval (0.68 is the nominal value for 16th/84th percentiles).

These few lines are written here rather than imported because no
well-kept library computes the photometric-redshift set (scikit-learn has
the RMSE, not the NMAD or the 0.15 outlier rule).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["scores", "nmad", "REDSHIFT_OUTLIER", "GENERIC_OUTLIER_NMADS"]

REDSHIFT_OUTLIER = 0.15
"""Catastrophic photometric-redshift outliers: ``|z_pred - z| / (1 + z) > 0.15``."""

GENERIC_OUTLIER_NMADS = 3.0
"""A generic label's outliers: a residual above this many times the label's
own spread (``baseline_nmad``: the NMAD of its measured held-out values)."""

NMAD_SCALE = 1.4826
"""The median absolute deviation times this is the standard deviation of a
Gaussian."""


def nmad(values) -> float:
    """The normalised median absolute deviation of ``values`` (NaN ignored).

    Examples
    --------
    >>> round(nmad([0.0, 1.0, 2.0, 3.0, 100.0]), 3)  # one outlier barely counts
    1.483
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan")
    return float(NMAD_SCALE * np.median(np.abs(values - np.median(values))))


def _check_pair(measured, predicted) -> tuple[np.ndarray, np.ndarray]:
    measured = np.asarray(measured, dtype=float).ravel()
    predicted = np.asarray(predicted, dtype=float).ravel()
    if measured.shape != predicted.shape:
        msg = (
            f"measured has {measured.size} values but predicted has "
            f"{predicted.size}; pass one prediction per measured value."
        )
        raise ValueError(msg)
    keep = np.isfinite(measured) & np.isfinite(predicted)
    if not keep.any():
        msg = (
            "measured and predicted have no row where both are finite; there is "
            "nothing to score."
        )
        raise ValueError(msg)
    return measured[keep], predicted[keep]


def scores(
    measured,
    predicted,
    *,
    redshift: bool = False,
    outlier_threshold: float | None = None,
    lower=None,
    upper=None,
) -> pd.Series:
    """Bias, scatter (NMAD), outlier fraction and interval coverage of predictions.

    Parameters
    ----------
    measured, predicted : array-like of shape (N,)
        The held-out labels and their predictions; rows where either is NaN
        are left out (``n`` counts the rest).
    redshift : bool, default False
        Score residuals as ``(predicted - measured) / (1 + measured)``, with
        the outlier threshold :data:`REDSHIFT_OUTLIER` by default.
    outlier_threshold : float, optional
        ``|residual|`` above which a row is an outlier (in the residual's
        units). Default: 0.15 for redshifts; :data:`GENERIC_OUTLIER_NMADS`
        times ``baseline_nmad`` otherwise.
    lower, upper : array-like of shape (N,), optional
        A prediction interval per row (e.g. the 16th and 84th percentiles);
        gives ``coverage``.

    Returns
    -------
    pandas.Series
        ``n``, ``bias``, ``nmad``, ``outlier_fraction``, ``outlier_threshold``,
        ``rmse``, ``baseline_nmad`` and ``coverage`` (NaN without an interval).

    Raises
    ------
    ValueError
        Lengths that differ, no row with both values, or a threshold that
        is not a positive number.

    Examples
    --------
    >>> z = np.array([0.1, 0.5, 1.0, 2.0])
    >>> s = scores(z, [0.12, 0.45, 1.02, 3.0], redshift=True)
    >>> s[["bias", "outlier_fraction"]].round(3).to_dict()
    {'bias': 0.014, 'outlier_fraction': 0.25}
    """
    if outlier_threshold is not None and not (
        np.isscalar(outlier_threshold)
        and np.isfinite(outlier_threshold)
        and outlier_threshold > 0
    ):
        msg = (
            f"outlier_threshold={outlier_threshold!r} must be a positive number "
            "(in the residual's units), or None for the default."
        )
        raise ValueError(msg)
    lo_hi = None
    if lower is not None and upper is not None:
        lo_hi = np.column_stack([np.ravel(lower), np.ravel(upper)]).astype(float)
        ok = np.isfinite(np.asarray(measured, float)) & np.isfinite(
            np.asarray(predicted, float)
        )
        lo_hi = lo_hi[ok.ravel()]
    measured, predicted = _check_pair(measured, predicted)
    residual = predicted - measured
    baseline = np.median(measured) - measured
    if redshift:
        residual = residual / (1.0 + measured)
        baseline = baseline / (1.0 + measured)
    spread = nmad(baseline)
    if outlier_threshold is None:
        outlier_threshold = (
            REDSHIFT_OUTLIER if redshift else GENERIC_OUTLIER_NMADS * spread
        )
    coverage = float("nan")
    if lo_hi is not None:
        coverage = float(np.mean((lo_hi[:, 0] <= measured) & (measured <= lo_hi[:, 1])))
    return pd.Series(
        {
            "n": float(measured.size),
            "bias": float(np.median(residual)),
            "nmad": nmad(residual),
            "outlier_fraction": float(np.mean(np.abs(residual) > outlier_threshold)),
            "outlier_threshold": float(outlier_threshold),
            "rmse": float(np.sqrt(np.mean(residual**2))),
            "baseline_nmad": spread,
            "coverage": coverage,
        }
    )
