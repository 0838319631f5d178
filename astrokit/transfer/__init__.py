"""Label transfer: learn expensive labels from cheap measurements, predict the rest.

Anders (2024) calls it "label transfer": spectroscopic labels exist for a
few million stars, photometry for hundreds of millions; a regression learnt
where both exist (gradient-boosted trees: XGBoost in StarHorse's SHBoost,
photometric redshifts in many papers) gives the labels everywhere. In
PHANGS the footprints differ: MUSE's line ratios are measured on part of
each galaxy, JWST, HST and ALMA bands elsewhere too, and a transfer
predicts the line ratios where MUSE did not look.

- :class:`LabelTransfer`: the scikit-learn-style estimator. One set of
  gradient-boosted trees per label (:data:`BACKENDS`: scikit-learn's
  ``HistGradientBoostingRegressor`` by default, LightGBM or XGBoost when
  installed), NaN features handled natively, NaN labels marking the rows
  to predict. ``fit`` holds out part of the labelled rows (randomly, or in
  groups such as :func:`sky_blocks`) and records ``scores_`` (bias, NMAD,
  outlier fraction and interval coverage on them), ``importances_``
  (permutation importances on them), ``predictions_`` for every row with a
  16th-84th percentile interval from quantile-loss models, and which rows
  lie outside what the trees saw (``extrapolated``);
- :func:`transfer_labels`: the same in one call on a table;
- :func:`scores`: the photometric-redshift scores of any predictions;
  :func:`sky_blocks`: square blocks of pixels for a spatial held-out split;
- figures: :func:`plot_predicted` (predicted against measured),
  :func:`plot_maps` (on the sky, where measured and where not) and
  :func:`plot_importances`.

A held-out score describes rows like the held-out ones: on the footprint.
Where the label was never measured the features may lie elsewhere
(``extrapolated`` says where they leave the trained range), and trees
predict a constant beyond it.

Measured by ``benchmarks/bench_transfer.py`` with the defaults (one run on
a shared 2-core machine): on the demo tier, the four BPT line ratios from
the log of the 11 ALMA, JWST and HST bands (38,570 labelled pixels) have a
held-out NMAD of 0.057-0.090 dex against 0.125-0.300 dex for predicting the
median, outlier fractions of 0.1-0.5%, 68% intervals covering 65-66%,
about the same with 10 x 10 pixel sky blocks held out; 60% of the pixels
without MUSE lie outside the trained range. On SDSS DR14 (10,000 objects,
four colours and r): photometric-redshift NMAD 0.016, 4.0% outliers
(galaxies 0.024 and 1.7%, quasars 0.10 and 25%).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from astrokit.transfer._backends import BACKENDS
from astrokit.transfer._estimator import MIN_LABELLED, SPLITS, LabelTransfer
from astrokit.transfer._inputs import check_names, sky_blocks
from astrokit.transfer._metrics import (
    GENERIC_OUTLIER_NMADS,
    REDSHIFT_OUTLIER,
    nmad,
    scores,
)
from astrokit.transfer._plots import plot_importances, plot_maps, plot_predicted

__all__ = [
    "LabelTransfer",
    "transfer_labels",
    "scores",
    "nmad",
    "sky_blocks",
    "plot_predicted",
    "plot_maps",
    "plot_importances",
    "BACKENDS",
    "MIN_LABELLED",
    "SPLITS",
    "REDSHIFT_OUTLIER",
    "GENERIC_OUTLIER_NMADS",
]


def transfer_labels(
    table: pd.DataFrame,
    *,
    features: Sequence[str],
    labels: str | Sequence[str],
    groups=None,
    **options,
) -> pd.DataFrame:
    """Predict ``labels`` for every row of ``table`` from ``features``.

    ``LabelTransfer(**options).fit(table[features], table[labels],
    groups=groups).predictions_``, with the held-out scores in
    ``attrs["scores"]``.

    Parameters
    ----------
    table : DataFrame
        One row per object or pixel.
    features : list of str
        Columns to learn from (NaN allowed: e.g. outside a footprint).
    labels : str or list of str
        Columns to transfer; NaN where not measured.
    groups : str or Series, optional
        A column name (or values per row) whose groups are held out
        together, e.g. :func:`sky_blocks`; default: a random split.
    **options
        Parameters of :class:`LabelTransfer` (``backend``, ``interval``,
        ``redshift``, ``test_size``, ``random_state``, ...).

    Returns
    -------
    pandas.DataFrame
        On the table's index: ``<label>_pred``, ``<label>_lo``,
        ``<label>_hi``, ``<label>_split`` (one of :data:`SPLITS`) per label
        and ``extrapolated``. ``attrs["scores"]``: ``{label: {score:
        value}}`` (see :attr:`LabelTransfer.scores_`).

    Raises
    ------
    ValueError
        Unknown columns (with close matches), a column both feature and
        label, and everything :meth:`LabelTransfer.fit` refuses.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> t = pd.DataFrame({"g_r": rng.uniform(0, 1.5, 500)})
    >>> t["z"] = 0.3 * t["g_r"] + 0.01 * rng.normal(size=500)
    >>> t.loc[400:, "z"] = np.nan  # no spectrum
    >>> out = transfer_labels(t, features=["g_r"], labels="z", redshift="z")
    >>> out["z_split"].value_counts().to_dict()
    {'train': 300, 'test': 100, 'unlabelled': 100, 'unused': 0}
    >>> out.attrs["scores"]["z"]["outlier_fraction"]
    0.0
    """
    features = check_names(table, features, "features")
    labels = check_names(table, labels, "labels")
    both = [c for c in labels if c in features]
    if both:
        msg = (
            f"columns {both} are both features and labels; a label cannot be "
            "learnt from itself."
        )
        raise ValueError(msg)
    if isinstance(groups, str):
        groups = table[check_names(table, groups, "groups")[0]]
    model = LabelTransfer(**options).fit(table[features], table[labels], groups=groups)
    out = model.predictions_.copy()
    out.attrs["scores"] = model.scores_.to_dict(orient="index")
    out.attrs["features"], out.attrs["labels"] = features, labels
    return out
