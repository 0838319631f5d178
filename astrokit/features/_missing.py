"""Missing data as an explicit choice: what each policy does to which rows.

A band value can be unusable for three reasons, checked in this order:

- ``outside_footprint``: the value is NaN (the instrument did not look);
- ``non_detection``: the ``<band>_ul`` flag is set (covered, but below
  ``detection_snr * err``: only an upper limit is known);
- ``non_positive``: a value at or below zero that is not flagged (a log is
  undefined).

The policies (see :func:`astrokit.features.derive`):

- ``"drop"``: keep only rows where every band a requested feature needs is
  usable. What Baron (2023, 2024) did for PHANGS.
- ``"flag"``: rows outside a footprint (or with non-positive values) are
  dropped; a non-detected band is replaced by its upper limit
  ``detection_snr * err``, and the column ``<feature>_censored`` says what
  the feature value then is: ``"upper"`` limit, ``"lower"`` limit, or
  ``"unconstrained"`` (limits pull it both ways, e.g. both lines of a ratio
  undetected); ``"none"`` where every band was detected.
- ``"impute"``: unusable entries become NaN, then are filled per feature
  (``"median"`` of the measured rows, or ``"knn"``: the mean of the 5 nearest
  measured rows in standardised feature space, donors drawn from at most
  5,000 rows); ``<feature>_imputed`` marks them. Rows without any measured
  feature are dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.bands import ERR_SUFFIX, UL_SUFFIX
from astrokit.features._definitions import BALMER_INTRINSIC, Feature

__all__ = [
    "POLICIES",
    "IMPUTERS",
    "REASONS",
    "CENSOR",
    "apply_policy",
    "summary",
    "why_empty",
    "infinite_bands",
]

POLICIES = ("drop", "flag", "impute")
IMPUTERS = ("median", "knn")
REASONS = ("outside_footprint", "non_detection", "non_positive")
CENSOR = ("none", "upper", "lower", "unconstrained")
KNN_DONORS = 5_000
KNN_NEIGHBORS = 5


def _band_status(table, bands, *, policy, snr) -> tuple[dict, dict]:
    """Per band: the values to use and a mask per reason (exclusive per band)."""
    values, status = {}, {}
    for band in bands:
        raw = table[band].to_numpy(dtype=float)
        outside = np.isnan(raw)
        ul_col = band + UL_SUFFIX
        ul = np.zeros(raw.size, bool)
        if ul_col in table:
            ul = table[ul_col].to_numpy(dtype=bool) & ~outside
        used = raw.copy()
        if policy == "flag" and ul.any():
            err_col = band + ERR_SUFFIX
            if err_col not in table:
                msg = (
                    f"policy='flag' places non-detections of {band!r} at "
                    f"detection_snr * err, but the table has no {err_col!r} "
                    "column; use policy='drop' or 'impute'."
                )
                raise ValueError(msg)
            err = table[err_col].to_numpy(dtype=float)
            used[ul] = snr * err[ul]
            nonpos = ~outside & ~(used > 0)
            ul &= ~nonpos  # a limit that is no positive number is no limit
        else:
            nonpos = ~outside & ~ul & ~(raw > 0)
        values[band] = used
        status[band] = {
            "outside_footprint": outside,
            "non_detection": ul,
            "non_positive": nonpos,
        }
    return values, status


def _feature_status(feature: Feature, status: dict) -> dict:
    return {
        r: np.logical_or.reduce([status[b][r] for b in feature.bands]) for r in REASONS
    }


def _censor_codes(feature: Feature, status: dict) -> np.ndarray:
    up = np.zeros(len(next(iter(status.values()))["non_detection"]), bool)
    lo = up.copy()
    for band in feature.bands:
        if feature.signs[band] > 0:
            up |= status[band]["non_detection"]
        else:
            lo |= status[band]["non_detection"]
    return up.astype(np.int8) + 2 * lo.astype(np.int8)


ORDER = {
    "drop": ("outside_footprint", "non_detection", "non_positive"),
    "flag": ("outside_footprint", "non_positive", "non_detection"),
    "impute": ("outside_footprint", "non_detection", "non_positive"),
}
"""Order in which a row's reasons are counted: dropping reasons first, so the
counts of the dropped rows add up to ``rows_in - rows_out``."""


def _first_reason(masks: dict, order) -> dict:
    """Rows per reason, each row counted once under the first reason it has."""
    left = np.ones(len(masks[order[0]]), bool)
    counts = {}
    for reason in order:
        hit = masks[reason] & left
        counts[reason] = int(hit.sum())
        left &= ~hit
    return counts


def _impute(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    measured = frame.notna()
    empty = [c for c in frame if not measured[c].any()]
    if empty:
        msg = (
            f"policy='impute' cannot fill features {empty}: no row measures them "
            "(check the footprints of their bands)."
        )
        raise ValueError(msg)
    if method == "median":
        return frame.fillna(frame.median())
    from sklearn.impute import KNNImputer

    # Not _shared.matrix.standardize: the fill is mapped back to feature
    # units below, which needs the centre and scale it does not return.
    centre, scale = frame.mean(), frame.std(ddof=0).replace(0.0, 1.0)
    z = ((frame - centre) / scale).to_numpy()
    rng = np.random.default_rng(0)
    donors = z[rng.choice(len(z), min(len(z), KNN_DONORS), replace=False)]
    imputer = KNNImputer(n_neighbors=KNN_NEIGHBORS, keep_empty_features=True)
    filled = imputer.fit(donors).transform(z)
    return (
        pd.DataFrame(filled, index=frame.index, columns=frame.columns) * scale + centre
    )


def _any(masks) -> np.ndarray:
    return np.logical_or.reduce(list(masks))


def _keep(policy, any_reason, fstatus) -> np.ndarray:
    if policy == "drop":
        return ~_any(any_reason.values())
    if policy == "flag":
        return ~(any_reason["outside_footprint"] | any_reason["non_positive"])
    return _any([~_any(s.values()) for s in fstatus.values()])


def _clipped(features, sub, status, keep, unusable) -> int | None:
    """Rows (kept, Balmer lines measured) whose decrement is below 2.86."""
    if not any(f.balmer for f in features):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        decrement = sub["halpha"] / sub["hbeta"]
    bad = _any(status[b][r] for b in ("halpha", "hbeta") for r in unusable)
    decrement = np.where(bad[keep], np.nan, decrement)
    return int((decrement < BALMER_INTRINSIC).sum())


def apply_policy(table, features: list[Feature], *, policy, impute, snr):
    """Compute ``features`` on ``table`` under ``policy``.

    Returns ``(out, report, clipped)``: the feature table (float32 values plus
    flag columns, index kept), the report (plain data) and the number of rows
    whose Balmer decrement was clipped (None when no dust feature is asked).
    """
    bands = list(dict.fromkeys(b for f in features for b in f.bands))
    values, status = _band_status(table, bands, policy=policy, snr=snr)
    fstatus = {f.name: _feature_status(f, status) for f in features}
    any_reason = {r: _any(s[r] for s in fstatus.values()) for r in REASONS}
    keep = _keep(policy, any_reason, fstatus)
    if policy == "impute":  # the kept rows that had something imputed
        rows = _first_reason(
            {r: m & keep for r, m in any_reason.items()}, ORDER[policy]
        )
    else:
        rows = _first_reason(any_reason, ORDER[policy])
    sub = {b: v[keep] for b, v in values.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        data = {f.name: np.asarray(f.func(sub), dtype=float) for f in features}
    index = table.index[keep]
    flags, extra = {}, {}
    if policy == "flag":
        for f in features:
            codes = _censor_codes(f, status)[keep]
            flags[f.name + "_censored"] = pd.Categorical.from_codes(codes, CENSOR)
            extra[f.name] = {"censored": int((codes > 0).sum())}
    elif policy == "impute":
        frame = pd.DataFrame(data, index=index)
        for f in features:
            frame.loc[_any(fstatus[f.name].values())[keep], f.name] = np.nan
        missing = frame.isna()
        frame = _impute(frame, impute)
        data = {c: frame[c].to_numpy() for c in frame}
        for f in features:
            flags[f.name + "_imputed"] = missing[f.name].to_numpy()
            extra[f.name] = {"imputed": int(missing[f.name].sum())}
    # imputed rows did not use their decrement; limits (policy="flag") did
    unusable = REASONS if policy == "impute" else ("outside_footprint", "non_positive")
    clipped = _clipped(features, sub, status, keep, unusable)
    out = pd.DataFrame({k: v.astype(np.float32) for k, v in data.items()}, index=index)
    for k, v in flags.items():
        out[k] = v
    report = {
        "policy": policy,
        "impute": impute if policy == "impute" else None,
        "rows_in": len(table),
        "rows_out": int(keep.sum()),
        "rows": rows,
        "by_band": {b: {r: int(status[b][r].sum()) for r in REASONS} for b in bands},
        "by_feature": {
            f.name: {r: int(fstatus[f.name][r].sum()) for r in REASONS}
            | extra.get(f.name, {})
            for f in features
        },
    }
    return out, report, clipped


_ACTION = {
    "drop": dict.fromkeys(REASONS, "dropped"),
    "flag": {
        "outside_footprint": "dropped",
        "non_detection": "kept, bands at their upper limit (see <feature>_censored)",
        "non_positive": "dropped",
    },
}


DROPPING = {
    "drop": REASONS,
    "flag": ("outside_footprint", "non_positive"),
    "impute": REASONS,
}
"""Per policy, the reasons that make a band unusable in a row."""


def why_empty(report: dict) -> str:
    """Why :func:`apply_policy` kept no row: the bands or the policy, in words.

    Examples
    --------
    >>> report = {"policy": "drop", "rows_in": 4, "rows_out": 0, "rows": {},
    ...           "by_band": {"co21": {"outside_footprint": 4, "non_detection": 0,
    ...                                "non_positive": 0}}}
    >>> why_empty(report)
    "band(s) ['co21'] have no usable value in any of the 4 rows (co21: 4 outside \
footprint)"
    """
    n, policy = report["rows_in"], report["policy"]
    if n == 0:
        return "the table has no rows"
    reasons = DROPPING[policy]
    dead = {
        band: counts
        for band, counts in report["by_band"].items()
        if sum(counts[r] for r in reasons) == n
    }
    if dead:
        detail = "; ".join(
            f"{band}: "
            + ", ".join(
                f"{counts[r]:,} {r.replace('_', ' ')}" for r in reasons if counts[r]
            )
            for band, counts in dead.items()
        )
        return (
            f"band(s) {list(dead)} have no usable value in any of the {n:,} rows "
            f"({detail})"
        )
    counts = ", ".join(
        f"{c:,} {r.replace('_', ' ')}" for r, c in report["rows"].items() if c
    )
    return (
        f"policy={policy!r} removed all {n:,} rows: no row has every band the "
        f"features need usable ({counts})"
    )


def infinite_bands(table, bands) -> dict[str, int]:
    """``{band: number of +-inf values}`` for the bands that have any."""
    counts = {b: int(np.isinf(table[b].to_numpy(dtype=float)).sum()) for b in bands}
    return {b: n for b, n in counts.items() if n}


def summary(report: dict) -> pd.DataFrame:
    """The report as a table: rows per reason and what the policy did to them.

    Each affected row is counted once, under its first reason in the order
    of ``report["rows"]`` (reasons that drop rows come first).
    """
    policy = report["policy"]
    if policy != "impute":
        action = _ACTION[policy]
    else:
        action = {
            r: f"kept, {report['impute']}-imputed (see <feature>_imputed)"
            for r in REASONS
        }
    index, counts, actions = ["rows in"], [report["rows_in"]], [""]
    for reason, count in report["rows"].items():
        index.append(reason.replace("_", " "))
        counts.append(count)
        actions.append(action[reason])
    if policy == "impute":
        index.append("nothing measured")
        counts.append(report["rows_in"] - report["rows_out"])
        actions.append("dropped")
    index.append("rows out")
    counts.append(report["rows_out"])
    actions.append("")
    frame = pd.DataFrame({"rows": counts, "action": actions}, index=index)
    frame.index.name = f"policy={policy!r}"
    return frame
