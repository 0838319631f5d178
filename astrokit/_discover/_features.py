"""The features :func:`astrokit.discover` works on, and their scaling.

With ``columns=None`` on a table that is not a PHANGS-like pixel table, every
numeric column but the truth columns is a feature, except the columns that
are not measurements of the objects or would carry nothing or cost most
rows: identifiers (:data:`IDENTIFIER`), positions on the sky
(:data:`POSITION`) and survey bookkeeping (:data:`BOOKKEEPING`), by their
names; no finite value, one value only, or missing in more than half of the
rows (:data:`MOSTLY_MISSING`; keeping such a column would drop those rows).
Each left-out column is logged and recorded in ``choices``; named
``columns`` are taken as given.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from astrokit._shared.matrix import (
    names_list,
    numeric_columns,
    select_columns,
    standardize,
)

__all__ = ["features_of", "is_pixel_table", "standardised", "MOSTLY_MISSING"]

logger = logging.getLogger("astrokit.discover")

MOSTLY_MISSING = 0.5
"""A column missing (or infinite) in more than this share of rows is left out."""
IDENTIFIER = re.compile(r"(^|_)id$|objid$", re.IGNORECASE)
"""Names of identifier columns (``id``, ``source_id``, SDSS's ``objid``,
``specobjid``): a row's name, not a measurement (SDSS's CSV holds objid as
rounded floats, so its values need not even be unique)."""
POSITION = re.compile(
    r"^_?(ra|dec|de)(_?j2000|_?icrs|_?deg)?$"
    r"|^(glon|glat|elon|elat|ecl_lon|ecl_lat)$",
    re.IGNORECASE,
)
"""Names of sky positions (``ra``, ``dec``, ``raj2000``, ``ra_icrs``,
``glon``; :data:`GALACTIC`): where an object is seen, not what it is; with
them, a cone's groups would be patches of sky (name them in ``columns`` to
use them)."""
GALACTIC = ("l", "b")
"""Gaia's Galactic longitude and latitude: positions only as a pair (a lone
``b`` may be an ellipse's axis, a capital ``B`` a magnitude)."""
BOOKKEEPING = re.compile(
    r"^(run|rerun|camcol|field|plate|mjd|fiberid|fiber|tile|frame|ref_epoch)$",
    re.IGNORECASE,
)
"""Names of survey bookkeeping (SDSS's run, camcol, field, plate, mjd,
fiberid; Gaia's ref_epoch): how a row was observed, not what it is."""


def _truth_columns(table: pd.DataFrame) -> set:
    named = set(table.attrs.get("truth_columns", []))
    return named | {c for c in table.columns if str(c).startswith("truth_")}


def is_pixel_table(table: pd.DataFrame) -> bool:
    """Whether the bands of the default PHANGS features are all columns."""
    from astrokit import features

    needed = features.registry().loc[features.FEATURE_SETS["baron2024"], "bands"]
    bands = {b.strip() for text in needed for b in text.split(",")}
    return bands <= set(table.columns)


def _finite(values: pd.DataFrame) -> np.ndarray:
    return np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))


def _screened(table: pd.DataFrame, names: list) -> tuple[list, dict]:
    """``names`` less the columns that carry nothing; ``{left out: why}``."""
    finite = _finite(table[names])
    galactic = set(GALACTIC) <= set(names)
    why = {}
    for j, name in enumerate(names):
        share = finite[:, j].mean()
        if IDENTIFIER.search(str(name)):
            why[name] = "an identifier, by its name"
        elif POSITION.search(str(name)) or (galactic and name in GALACTIC):
            why[name] = "a position on the sky, by its name"
        elif BOOKKEEPING.search(str(name)):
            why[name] = "survey bookkeeping, by its name"
        elif share == 0:
            why[name] = "no finite value"
        elif table[name][finite[:, j]].nunique() < 2:
            why[name] = "one value only"
        elif 1 - share > MOSTLY_MISSING:
            why[name] = f"missing in {1 - share:.0%} of the rows"
    return [n for n in names if n not in why], why


def _pixel_features(table, choices):
    from astrokit import features

    derived = features.derive(table, policy="flag")
    names = derived.attrs["features"]
    choices.append(
        (
            "features",
            f"the {len(names)} features of Baron et al. (2024)",
            "a PHANGS-like pixel table; policy='flag' keeps non-detections "
            "at their upper limit, so faint gas is not thrown away",
        )
    )
    kept = derived[names]
    return kept, table.index.difference(kept.index)


def _every_numeric(table, truth, choices) -> list:
    names = [c for c in numeric_columns(table) if c not in truth]
    reason = "every numeric column" + (
        f" except the truth columns {names_list(sorted(truth))}" if truth else ""
    )
    names, left_out = _screened(table, names) if names else (names, {})
    if left_out:
        shown = "; ".join(f"{name!r}: {why}" for name, why in left_out.items())
        logger.warning(
            "discover: left out %d column(s) that are not measurements, carry "
            "nothing or would cost most rows (%s); pass columns= to choose the "
            "features yourself",
            len(left_out),
            shown,
        )
        reason += f", less {len(left_out)} left out ({shown})"
    if not names:
        msg = (
            "the table has no numeric columns to discover structure in"
            + (f" (left out: {shown})" if left_out else "")
            + "; pass columns= or add numeric columns."
        )
        raise ValueError(msg)
    choices.append(("features", names_list(names), reason))
    return names


def _named(columns, truth, table, choices) -> list:
    names = [columns] if isinstance(columns, str) else list(columns)
    leaked = sorted(set(names) & truth)
    if leaked:
        msg = (
            f"columns {leaked} are truth columns: discover never uses the "
            "answer; grade its result with them afterwards instead."
        )
        raise ValueError(msg)
    if not names:
        msg = "columns= is empty; name at least one numeric column."
        raise ValueError(msg)
    chosen = select_columns(table, names, "the table")  # unknown names listed
    text = [n for n in names if n not in numeric_columns(chosen)]
    if text:
        msg = (
            f"columns {names_list(text)} are not numeric (text, categories and "
            "flags are not features); leave them out or convert them to numbers."
        )
        raise ValueError(msg)
    finite = _finite(table[names]).any(axis=0)
    empty = [n for n, ok in zip(names, finite, strict=True) if not ok]
    if empty:
        msg = f"columns {names_list(empty)} have no finite value; leave them out."
        raise ValueError(msg)
    choices.append(("features", names_list(names), "the columns given"))
    return names


def features_of(table, columns, choices) -> tuple[pd.DataFrame, pd.Index]:
    """The features in their own units, rows with missing values left out."""
    truth = _truth_columns(table)
    if columns is None and is_pixel_table(table):
        return _pixel_features(table, choices)
    if columns is None:
        names = _every_numeric(table, truth, choices)
    else:
        names = _named(columns, truth, table, choices)
    values = table[names]
    complete = values.notna().all(axis=1) & _finite(values).all(axis=1)
    if not complete.any():
        msg = f"every row has a missing or infinite value in {names_list(names)}."
        raise ValueError(msg)
    return values[complete], table.index[~complete]


def standardised(feats: pd.DataFrame, choices) -> pd.DataFrame:
    """Zero mean and unit variance per feature, as float32."""
    X = standardize(feats.to_numpy(dtype=np.float64))
    choices.append(
        (
            "scaling",
            "zero mean, unit variance per feature",
            "so that no feature dominates by its units",
        )
    )
    return pd.DataFrame(X.astype(np.float32), index=feats.index, columns=feats.columns)
