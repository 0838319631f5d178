"""What the explorer offers: colour-by choices, physical columns, categories.

The "colour by" menu lists columns by what they mean, each under its
physical label (:func:`astrokit.features.display_label`): the derived
features (present as columns or computable from the table's bands, then
computed on demand by :func:`astrokit.features.derive`, non-detections left
out), the bands, the labels and scores, the truth columns. Uncertainties
(``_err``), upper-limit flags (``_ul``), the missing-data flags of
:func:`~astrokit.features.derive`, coordinates (``ra``, ``dec``, ``x``,
``y``, the embedding) are bookkeeping: hidden unless asked for.

Categorical columns (pandas categoricals, booleans, integers with at most
:data:`MAX_CATEGORIES` distinct values, such as cluster labels) are coloured
by category with a legend, never as a mean. The contrast tables compare
only :func:`physical_columns`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.bands import BANDS
from astrokit.explorer._columns import colour_values, numeric_columns
from astrokit.features import FEATURE_SETS, derive, display_label
from astrokit.features._definitions import FEATURES

__all__ = [
    "MAX_CATEGORIES",
    "colour_choices",
    "derivable",
    "physical_columns",
    "is_bookkeeping",
    "is_categorical",
    "category_codes",
    "values_of",
]

MAX_CATEGORIES = 24
"""Integer columns with at most this many distinct values are categories."""
_COORDS = {"x", "y", "ra", "dec", "umap_x", "umap_y", "pca_x", "pca_y"}
_FLAGS = ("_err", "_ul", "_censored", "_imputed")


def is_bookkeeping(column) -> bool:
    """True for uncertainties, flags and coordinates (hidden by default).

    Examples
    --------
    >>> [is_bookkeeping(c) for c in ("halpha_err", "co21_ul", "ra", "log_oi_ha")]
    [True, True, True, False]
    """
    name = str(column)
    return name in _COORDS or name.endswith(_FLAGS) or name.startswith("index")


def derivable(table: pd.DataFrame) -> list[str]:
    """Derived features the table has the bands for but not yet as columns."""
    have = set(map(str, table.columns))
    return [n for n, f in FEATURES.items() if n not in have and set(f.bands) <= have]


def _group(name: str) -> int:
    if name in FEATURES:
        return 0
    if name in BANDS:
        return 1
    if name.startswith("truth_"):
        return 3
    return 2


def colour_choices(table: pd.DataFrame, *, show_all: bool = False) -> dict:
    """``{menu label: column}`` for the "colour by" menu, physical first.

    Derived features come first (those computed on demand say "derived"),
    then bands, then labels, scores and other columns, then truth columns;
    bookkeeping columns only with ``show_all``.

    Examples
    --------
    >>> t = pd.DataFrame({"oiii5007": [3.0], "hbeta": [1.0], "hbeta_err": [0.1]})
    >>> list(colour_choices(t).values())
    ['log_oiii_hb', 'oiii5007', 'hbeta']
    >>> list(colour_choices(t))[0]
    'log [OIII]5007/Hβ (derived)'
    >>> "hbeta_err" in colour_choices(t, show_all=True).values()
    True
    """
    present = [c for c in numeric_columns(table) if show_all or not is_bookkeeping(c)]
    extra = derivable(table)
    order = {n: i for i, n in enumerate([*FEATURE_SETS["baron2024"], *FEATURES])}
    columns = sorted(
        [*present, *extra],
        key=lambda c: (_group(c), order.get(c, len(order))),
    )
    out = {}
    for c in columns:
        label = display_label(c, tex=False)
        if c in extra:
            label += " (derived)"
        elif label != c and c not in FEATURES:
            label += f" ({c})"
        while label in out:  # two columns with one label: keep both
            label += " "
        out[label] = c
    return out


def physical_columns(table: pd.DataFrame) -> list[str]:
    """Columns the contrast tables compare: measurements and derived features.

    The table's bands and derived features (present or derivable); for a
    table with none of those, its numeric columns that are neither
    bookkeeping, truth nor categorical.

    Examples
    --------
    >>> t = pd.DataFrame({"halpha": [2.0], "hbeta": [1.0], "cluster": [1],
    ...                   "halpha_err": [0.1], "truth_env": [0]})
    >>> physical_columns(t)
    ['log_ha_hb', 'ebv', 'a_v', 'log_ha_corr', 'halpha', 'hbeta']
    """
    known = [c for c in colour_choices(table).values() if _group(c) < 2]
    if known:
        return known
    return [
        c
        for c in numeric_columns(table)
        if not is_bookkeeping(c)
        and not c.startswith("truth_")
        and not is_categorical(table, c)
    ]


def is_categorical(table: pd.DataFrame, column: str) -> bool:
    """Categoricals, booleans, and integers with few distinct values."""
    if column not in table.columns:
        return False
    dtype = table[column].dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return True
    if not pd.api.types.is_integer_dtype(dtype) or str(column) in _COORDS:
        return False
    sample = table[column].iloc[:200_000]
    return sample.nunique(dropna=True) <= MAX_CATEGORIES and (
        table[column].nunique(dropna=True) <= MAX_CATEGORIES
    )


def category_codes(table: pd.DataFrame, column: str) -> tuple[np.ndarray, list]:
    """``(codes, categories)``: int32 codes (-1 missing) and the category values.

    Examples
    --------
    >>> t = pd.DataFrame({"c": pd.array([2, -1, None, 2], dtype="Int64")})
    >>> codes, cats = category_codes(t, "c")
    >>> codes.tolist(), cats
    ([1, 0, -1, 1], [-1, 2])
    """
    series = table[column]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype(np.int32), list(series.cat.categories)
    cat = pd.Categorical(series)
    return cat.codes.astype(np.int32), [
        c.item() if hasattr(c, "item") else c for c in cat.categories
    ]


def values_of(table: pd.DataFrame, column: str, positions=None) -> np.ndarray:
    """A column (or a derived feature) as float32, over all rows or ``positions``.

    A derived feature that is not a column is computed by
    :func:`astrokit.features.derive` (``policy="drop"``: non-detections and
    pixels outside a footprint are NaN).

    Raises
    ------
    ValueError
        ``column`` is neither a numeric column nor a derivable feature.
    """
    rows = table if positions is None else table.iloc[positions]
    if column in table.columns:
        return colour_values(rows, column)
    if column in FEATURES and column in derivable(table):
        derived = derive(rows, features=[column], policy="drop")[column]
        out = np.full(len(rows), np.nan, dtype=np.float32)
        out[rows.index.get_indexer(derived.index)] = derived.to_numpy(np.float32)
        return out
    msg = (
        f"column={column!r} is neither a column of the table nor a feature its "
        f"bands can give; choose one of {list(colour_choices(table).values())}."
    )
    raise ValueError(msg)
