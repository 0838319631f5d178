"""Physically motivated features from the pixel table, and which of them matter.

From bands to features
    :func:`derive` turns band columns into derived features (log line ratios,
    the Balmer decrement and the dust correction it gives, gas-to-dust and
    PAH band ratios, CO intensity and width), keeping the table's index.
    :func:`registry` lists every feature with the bands it needs, its formula,
    unit, plot label and physical meaning; :data:`FEATURE_SETS` names useful
    sets (``"baron2024"``, the default, is the eleven multi-phase features of
    Baron et al. 2024). :func:`display_label` gives any column's physical
    name with units (``"log [OIII]5007/Hβ"``), the label every plot uses.

Missing data is a choice
    Outside a footprint (NaN), non-detected (``<band>_ul``) and non-positive
    values are handled by an explicit ``policy`` (``"drop"``, ``"flag"`` or
    ``"impute"``, see :func:`derive`); :func:`missing_report` shows what the
    policy did to the row count.

Towards a matrix
    :func:`to_matrix` gives the float32 matrix ``X`` as a DataFrame (the
    rows' index, one named column per feature), standardised as
    :data:`STANDARDIZATIONS` names, refusing columns that cannot be features.

Ranking features: which carry independent information
    :func:`correlation` (the correlation matrix ordered by hierarchical
    clustering), :func:`mutual_information`, :func:`forest_importance`
    (supervised, against a known label) and :func:`unsupervised_importance`
    (which features a forest uses to tell the real rows from rows shuffled
    column by column).

Colours
    :func:`colours`: colour indices (``u_g``, ``g_r``, ...) from any set of
    magnitude columns, with errors in quadrature.

Classes
    :func:`bpt_class`: star-forming, composite, Seyfert or LINER per row,
    from the Kauffmann et al. (2003), Kewley et al. (2001) and Kewley et al.
    (2006) lines (:func:`bpt_line`), upper limits handled honestly.

Figures (each takes ``ax=None`` and returns the axes it drew)
    :func:`plot_bpt` (BPT diagram with the Kauffmann et al. 2003 and Kewley
    et al. 2001 curves), :func:`plot_pair` (any two features),
    :func:`plot_kept` (which pixels a policy kept, on the sky),
    :func:`plot_correlation`, :func:`plot_importances`.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence

import pandas as pd

from astrokit._shared.checks import keyword_only_after
from astrokit._shared.dask import is_dask
from astrokit._shared.matrix import check_unique_index
from astrokit.features import _dask, _missing
from astrokit.features._bpt import BPT_CLASSES, bpt_class
from astrokit.features._colours import colours
from astrokit.features._definitions import (
    BALMER_INTRINSIC,
    FEATURE_SETS,
    FEATURES,
    K_HALPHA,
    K_HBETA,
    R_V,
    bpt_line,
)
from astrokit.features._labels import display_label
from astrokit.features._matrix import STANDARDIZATIONS, to_matrix
from astrokit.features._plots import (
    plot_bpt,
    plot_correlation,
    plot_importances,
    plot_kept,
    plot_pair,
)
from astrokit.features._ranking import (
    correlation,
    forest_importance,
    mutual_information,
    unsupervised_importance,
)

__all__ = [
    "derive",
    "missing_report",
    "registry",
    "to_matrix",
    "correlation",
    "mutual_information",
    "forest_importance",
    "unsupervised_importance",
    "colours",
    "bpt_line",
    "bpt_class",
    "display_label",
    "BPT_CLASSES",
    "plot_bpt",
    "plot_correlation",
    "plot_importances",
    "plot_kept",
    "plot_pair",
    "FEATURE_SETS",
    "BALMER_INTRINSIC",
    "K_HALPHA",
    "K_HBETA",
    "R_V",
    "STANDARDIZATIONS",
]

logger = logging.getLogger("astrokit.features")

DEFAULT_SET = "baron2024"


def _resolve(features) -> list[str]:
    """Feature names from None, a set name, a feature name or a list of names."""
    if features is None:
        return list(FEATURE_SETS[DEFAULT_SET])
    if isinstance(features, str):
        features = FEATURE_SETS.get(features, [features])
    names = list(dict.fromkeys(features))
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names:
        hints = {
            n: difflib.get_close_matches(str(n), list(FEATURES) + list(FEATURE_SETS))
            for n in unknown
        }
        close = "; ".join(f"{n!r}: did you mean {h}?" for n, h in hints.items() if h)
        msg = (
            f"features={features!r}: unknown feature(s) {unknown}. "
            f"{close + ' ' if close else ''}Available features: {list(FEATURES)}; "
            f"named sets: {list(FEATURE_SETS)}."
        )
        raise ValueError(msg)
    return names


def registry(features: str | Sequence[str] | None = "all") -> pd.DataFrame:
    """The feature definitions: bands, formula, unit, plot label and meaning.

    Parameters
    ----------
    features : str or list of str, default "all"
        A set name of :data:`FEATURE_SETS`, one feature name or a list; None
        means the default set (``"baron2024"``).

    Returns
    -------
    pandas.DataFrame
        One row per feature (index: name), columns ``bands``, ``formula``,
        ``unit`` (an astropy unit string; ``dex(...)`` for a log10),
        ``label`` (for axes, with units), ``short`` (label without units)
        and ``meaning``.

    Examples
    --------
    >>> registry("bpt").loc["log_nii_ha", "formula"]
    'log10(nii6583 / halpha)'
    >>> registry("a_v").loc["a_v", "unit"]
    'mag'
    """
    names = _resolve(features)
    rows = {n: FEATURES[n].definition() for n in names}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame["bands"] = [", ".join(b) for b in frame["bands"]]
    frame.index.name = "feature"
    return frame


@keyword_only_after(1)
def derive(
    table: pd.DataFrame,
    *,
    features: str | Sequence[str] | None = None,
    policy: str = "drop",
    impute: str = "median",
    detection_snr: float | None = None,
) -> pd.DataFrame:
    """Derived features of every row, with an explicit missing-data policy.

    Parameters
    ----------
    table : pandas.DataFrame or dask.dataframe.DataFrame
        A pixel table (one row per pixel): band columns ``<band>``, and where
        available ``<band>_err`` and ``<band>_ul``. A Dask table gives a lazy
        Dask result, derived partition by partition (``"drop"`` and
        ``"flag"``; no ``attrs``): ``astrokit.features._dask``.
    features : str or list of str, optional
        Feature names (see :func:`registry`) or a set name of
        :data:`FEATURE_SETS` (by name: ``derive(table, features="dust")``;
        given by position it works with a FutureWarning until astrokit 0.3).
        Default ``"baron2024"``: Halpha/CO,
        Halpha/21um, CO/21um, Halpha/PAH 7.7, CO/PAH 7.7, [NII]/Halpha,
        [SII]/Halpha, [OI]/Halpha, [OIII]/Hbeta, PAH 11.3/7.7 and 11.3/3.3
        (all log10).
    policy : {"drop", "flag", "impute"}, default "drop"
        What to do with values outside a footprint (NaN), non-detections
        (``<band>_ul`` set) and non-positive values (no log):

        - ``"drop"`` (default, what Baron did with PHANGS: pixels where a
          needed line or band is not detected are discarded): keep only rows
          where every band a requested feature needs is usable.
        - ``"flag"``: drop rows outside a footprint or with non-positive
          values; place non-detections at their upper limit
          ``detection_snr * err``. The categorical column
          ``<feature>_censored`` says what the value then is: ``"none"``,
          ``"upper"`` (a non-detection in the numerator: the true value is
          lower), ``"lower"`` (in the denominator: the true value is higher)
          or ``"unconstrained"`` (both).
        - ``"impute"``: fill unusable entries per feature by ``impute`` and
          mark them in the boolean column ``<feature>_imputed``; rows with no
          measured feature at all are dropped.
    impute : {"median", "knn"}, default "median"
        With ``policy="impute"``: the median of the measured rows, or the
        mean of the 5 nearest measured rows (``sklearn.impute.KNNImputer``
        in standardised feature space; donors: at most 5,000 rows drawn with
        a fixed seed).
    detection_snr : float, optional
        Signal-to-noise of the upper limits; default
        ``table.attrs["detection_snr"]`` (else 3).

    Returns
    -------
    pandas.DataFrame
        The features (float32), then the flag columns, on the kept rows; the
        index is the table's, so ``table.loc[out.index]`` joins back.
        ``attrs``: ``features`` (names), ``definitions`` (per feature: bands,
        formula, unit, label, meaning), ``policy``, ``missing_report`` (see
        :func:`missing_report`), ``balmer_clipped`` (rows whose Balmer
        decrement was below 2.86 and was clipped to it; None without a dust
        feature), ``detection_snr``.

    Raises
    ------
    ValueError
        For an unknown feature (the message lists the available ones and
        close matches), a table lacking bands the features need (named),
        an unknown policy or imputer, or ``policy="flag"`` without the
        ``<band>_err`` columns needed to place upper limits.

    See Also
    --------
    missing_report, to_matrix, registry

    Notes
    -----
    Dust: intrinsic Halpha/Hbeta = 2.86 (Case B, 10^4 K), Cardelli et al.
    (1989) curve with R_V = 3.1, k(Halpha) = 2.53, k(Hbeta) = 3.61:
    ``E(B-V) = 2.5 / (k(Hb) - k(Ha)) log10((Ha/Hb) / 2.86)``,
    ``A_V = 3.1 E(B-V)``, ``log Ha_corr = log Ha + 0.4 k(Ha) E(B-V)``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"halpha": [300.0, 200.0, float("nan")],
    ...                   "hbeta": [100.0, 100.0, 50.0],
    ...                   "hbeta_ul": [False, False, False]})
    >>> f = derive(t, features=["log_ha_hb", "a_v"])
    >>> f.round(3)  # the third row lies outside the Halpha footprint
       log_ha_hb    a_v
    0      0.477  0.149
    1      0.301  0.000
    >>> f.attrs["balmer_clipped"]  # 200/100 < 2.86: clipped to no dust
    1
    >>> missing_report(f)["rows"].to_dict()
    {'rows in': 3, 'outside footprint': 1, 'non detection': 0, 'non positive': 0, \
'rows out': 2}
    """
    check_unique_index(table, "table")
    names = _resolve(features)
    if policy not in _missing.POLICIES:
        msg = f"policy={policy!r} is not a policy; choose one of {_missing.POLICIES}."
        raise ValueError(msg)
    if impute not in _missing.IMPUTERS:
        msg = f"impute={impute!r} is not an imputer; choose one of {_missing.IMPUTERS}."
        raise ValueError(msg)
    chosen = [FEATURES[n] for n in names]
    needed = list(dict.fromkeys(b for f in chosen for b in f.bands))
    absent = [b for b in needed if b not in table]
    if absent:
        users = [f.name for f in chosen if set(f.bands) & set(absent)]
        msg = (
            f"The table lacks band column(s) {absent}, needed by feature(s) "
            f"{users}; drop those features or add the bands."
        )
        raise ValueError(msg)
    if is_dask(table):  # partition by partition: astrokit.features._dask
        return _dask.derive(
            table, names, policy=policy, impute=impute, detection_snr=detection_snr
        )
    if detection_snr is None:
        detection_snr = float(table.attrs.get("detection_snr", 3.0))
    out, report, clipped = _missing.apply_policy(
        table, chosen, policy=policy, impute=impute, snr=detection_snr
    )
    out.attrs = {
        "features": names,
        "definitions": {f.name: f.definition() for f in chosen},
        "policy": policy,
        "missing_report": report,
        "balmer_clipped": clipped,
        "detection_snr": detection_snr,
    }
    logger.info(
        "derive: %d features, policy=%r: %d of %d rows kept",
        len(names), policy, report["rows_out"], report["rows_in"],
    )  # fmt: skip
    if report["rows_out"] == 0:
        logger.warning(
            "derive returned no rows: %s. Check the footprints with "
            "astrokit.inspect.coverage_report, or choose other features or "
            "policy='impute'.",
            _missing.why_empty(report),
        )
    infinite = _missing.infinite_bands(table, needed)
    if infinite:
        logger.warning(
            "derive: band(s) with infinite values %s (count per band): the "
            "features of those rows are infinite, and to_matrix refuses them; "
            "replace them (e.g. table.replace([np.inf, -np.inf], np.nan)).",
            infinite,
        )
    if clipped:
        logger.info("derive: %d Balmer decrements below 2.86 clipped", clipped)
    return out


def missing_report(features, *, by: str = "reason") -> pd.DataFrame:
    """What the missing-data policy of :func:`derive` did, as a table.

    Parameters
    ----------
    features : pandas.DataFrame or dict
        A result of :func:`derive` (the report is its
        ``attrs["missing_report"]``), or that report itself. pandas drops
        ``attrs`` in some operations (``join``, ``merge``, ``pd.concat`` of
    tables with different ``attrs``): keep
        ``report = features.attrs["missing_report"]`` right after
        :func:`derive` to ask later.
    by : {"reason", "band", "feature"}, default "reason"
        ``"reason"``: rows in, rows affected per reason (each row counted once,
        under its first reason; reasons that drop rows come first) and what
        was done to them, rows out. ``"band"`` / ``"feature"``: per band or
        per feature, the rows of the input table with each reason (a row can
        count under several bands), plus per feature the rows ``censored``
        (``policy="flag"``) or ``imputed`` (``policy="impute"``).

    Returns
    -------
    pandas.DataFrame
        ``by="reason"``: columns ``rows`` and ``action``, one row per step;
        else one row per band or feature, one column per reason.

    Raises
    ------
    ValueError
        If ``features`` carries no report (its ``attrs`` were lost) or ``by``
        is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"nii6583": [5.0, 1.0], "nii6583_ul": [False, True],
    ...                   "halpha": [20.0, 20.0]})
    >>> f = derive(t, features="log_nii_ha")
    >>> missing_report(f, by="band")
             outside_footprint  non_detection  non_positive
    nii6583                  0              1             0
    halpha                   0              0             0
    >>> report = f.attrs["missing_report"]  # kept: attrs may not survive
    >>> missing_report(f.join(t[["halpha"]]))
    Traceback (most recent call last):
    ...
    ValueError: features carries no attrs['missing_report'] (pandas drops attrs in operations such as join, merge or pd.concat); pass the table that astrokit.features.derive returned, or its report: keep report = features.attrs['missing_report'] after derive and call missing_report(report).
    >>> int(missing_report(report).loc["rows out", "rows"])
    1
    """  # noqa: E501
    if isinstance(features, dict) and "rows_in" in features:
        report = features
    else:
        report = getattr(features, "attrs", {}).get("missing_report")
    if report is None:
        msg = (
            "features carries no attrs['missing_report'] (pandas drops attrs in "
            "operations such as join, merge or pd.concat); pass the table that "
            "astrokit.features.derive returned, or its report: keep report = "
            "features.attrs['missing_report'] after derive and call "
            "missing_report(report)."
        )
        raise ValueError(msg)
    if by == "reason":
        return _missing.summary(report)
    if by in ("band", "feature"):
        return pd.DataFrame.from_dict(report[f"by_{by}"], orient="index")
    msg = f"by={by!r} must be one of 'reason', 'band', 'feature'."
    raise ValueError(msg)
