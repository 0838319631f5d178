"""The feature matrix every analysis stage starts from, checked in one place.

:func:`feature_matrix` turns a ``DataFrame`` of numeric columns or a 2-D array
into a C-contiguous float64 array plus the column names and the row labels,
and refuses, with an error that names the parameter, the columns at fault
(with counts) and what to do:

- arrays that are not 2-D or not numeric, non-numeric DataFrame columns
  (labels, flags, truth columns);
- no columns, or fewer rows than the step needs;
- NaN or infinite values (unless ``allow_nan``), naming each column with its
  count of bad rows;
- constant columns (unless ``allow_constant``);
- a DataFrame whose index repeats a label: every result of the kit is
  indexed like its input so that it joins back to the table (and the sky),
  which needs one label per row (:func:`check_unique_index`, also called by
  the entry points that take a table without building a matrix).

:func:`check_rows`, :func:`check_finite` and :func:`check_constant` are the
single checks, for callers that hold values already (a kNN graph's rows, a
matrix scikit-learn has converted). :func:`names_list` formats column names
for messages. :func:`numeric_columns` and :func:`standardize` are the one
column picker and the one z-scoring of the kit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "MISSING_ADVICE",
    "check_constant",
    "check_finite",
    "check_rows",
    "check_unique_index",
    "feature_matrix",
    "names_list",
    "numeric_columns",
    "select_columns",
    "standardize",
]

MAX_NAMES = 8
"""How many names a message lists before "and N more"."""

MISSING_ADVICE = (
    "Choose a missing-data policy first "
    "(astrokit.features.derive(..., policy='drop' | 'flag' | 'impute'))."
)
"""What to do about NaN values, the default ending of that error."""


def names_list(names, *, limit: int = MAX_NAMES) -> str:
    """Column names as a short list for an error message.

    Examples
    --------
    >>> names_list(["a", "b"])
    "['a', 'b']"
    >>> names_list([f"f{i}" for i in range(5)], limit=2)
    "['f0', 'f1' and 3 more]"
    """
    names = list(names)
    shown = ", ".join(repr(str(n)) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"[{shown}{more}]"


def _rows(n: int) -> str:
    return f"{n} row{'' if n == 1 else 's'}"


def _is_numeric(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not (
        pd.api.types.is_complex_dtype(dtype)
    )


def select_columns(data, columns, name: str = "data"):
    """``data[columns]``, with the unknown names listed (ValueError)."""
    if not isinstance(data, pd.DataFrame):
        msg = f"columns= selects DataFrame columns; pass {name} as a DataFrame."
        raise ValueError(msg)
    wanted = [columns] if isinstance(columns, str) else list(columns)
    unknown = [c for c in wanted if c not in data.columns]
    if unknown:
        msg = (
            f"columns: unknown feature name(s) {unknown}; {name} has columns "
            f"{names_list(data.columns, limit=20)}."
        )
        raise ValueError(msg)
    return data[wanted]


def _frame_values(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, list]:
    bad = [c for c, t in frame.dtypes.items() if not _is_numeric(t)]
    if bad:
        msg = (
            f"{name} has non-numeric columns {names_list(bad)}; pass only the "
            "feature columns (e.g. table[feature_names] or "
            "features[features.attrs['features']]): labels, flags and truth "
            "columns are not features."
        )
        raise ValueError(msg)
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return values, list(frame.columns)


def _array_values(data, name: str) -> tuple[np.ndarray, list]:
    values = np.asarray(data)
    if values.ndim != 2:
        msg = (
            f"{name} must be 2-D (rows x features); got shape {values.shape}. "
            f"For a single feature use {name}.reshape(-1, 1)."
        )
        raise ValueError(msg)
    if values.dtype.kind not in "biuf":
        msg = f"{name} must be numeric; got an array of dtype {values.dtype}."
        raise ValueError(msg)
    names = [f"column {i}" for i in range(values.shape[1])]
    return values.astype(np.float64, copy=False), names


def check_rows(
    n_rows: int, *, name: str = "data", min_rows: int = 1, purpose: str = "this step"
) -> None:
    """Raise ValueError when there are fewer than ``min_rows`` rows.

    Examples
    --------
    >>> check_rows(1, min_rows=2, purpose="clustering")
    Traceback (most recent call last):
    ...
    ValueError: data has 1 row; clustering needs at least 2 rows.
    """
    if n_rows < min_rows:
        what = "no rows" if n_rows == 0 else _rows(n_rows)
        msg = f"{name} has {what}; {purpose} needs at least {_rows(min_rows)}."
        if n_rows == 0:
            msg += (
                " Did a missing-data policy drop them all? See "
                "astrokit.features.missing_report."
            )
        raise ValueError(msg)


def check_finite(
    values: np.ndarray, names: list, *, name: str = "data", purpose: str = "this step"
) -> None:
    """Raise ValueError naming the columns with NaN or infinite values.

    Columns without a single finite value are named first (drop them); else
    every column with bad values is listed with its count of bad rows.

    Examples
    --------
    >>> check_finite(np.array([[1.0, np.nan], [2.0, 3.0]]), ["a", "b"])
    Traceback (most recent call last):
    ...
    ValueError: data has NaN or infinite values in 1 of 2 feature columns: 'b' (1 row); this step needs a value in every cell. Choose a missing-data policy first (astrokit.features.derive(..., policy='drop' | 'flag' | 'impute')).
    """  # noqa: E501
    finite = np.isfinite(values)
    if finite.all():
        return
    empty = [n for n, ok in zip(names, finite.any(axis=0), strict=True) if not ok]
    if empty:
        msg = (
            f"{name} has columns {names_list(empty)} that are NaN (or infinite) "
            "in every row; drop them: a feature with no values carries no "
            "information."
        )
        raise ValueError(msg)
    counts = (~finite).sum(axis=0)
    cols = np.flatnonzero(counts)
    listed = ", ".join(
        f"{str(names[c])!r} ({_rows(counts[c])})" for c in cols[:MAX_NAMES]
    )
    more = f" and {len(cols) - MAX_NAMES} more" if len(cols) > MAX_NAMES else ""
    msg = (
        f"{name} has NaN or infinite values in {len(cols)} of {len(names)} "
        f"feature columns: {listed}{more}; {purpose} needs a value in every "
        f"cell. {MISSING_ADVICE}"
    )
    raise ValueError(msg)


def check_constant(
    values: np.ndarray, names: list, *, name: str = "data", why: str = ""
) -> None:
    """Raise ValueError naming the columns that hold one value in every row.

    ``why`` says why that matters here (default: they carry no information).

    Examples
    --------
    >>> check_constant(np.array([[1.0, 2.0], [1.0, 3.0]]), ["a", "b"], name="X")
    Traceback (most recent call last):
    ...
    ValueError: X has constant columns ['a'] (one value in every row); they carry no information: drop them.
    """  # noqa: E501
    if not len(values):
        return
    constant = [n for n, s in zip(names, np.ptp(values, axis=0), strict=True) if s == 0]
    if constant:
        why = why or "they carry no information"
        msg = (
            f"{name} has constant columns {names_list(constant)} (one value in "
            f"every row); {why}: drop them."
        )
        raise ValueError(msg)


def check_unique_index(frame, name: str = "data") -> None:
    """Raise ValueError when a DataFrame (or Series) repeats an index label.

    Results carry the input's index so they join back to the table with
    ``table.loc[result.index]`` or ``table.join(result)``; a repeated label
    would silently multiply rows there. Arrays and other objects without an
    index pass.

    Examples
    --------
    >>> check_unique_index(pd.DataFrame({"a": [1.0, 2.0]}, index=[5, 6]))
    >>> check_unique_index(pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=[5, 5, 6]))
    Traceback (most recent call last):
    ...
    ValueError: data has a non-unique index: 1 label is used by more than one row (e.g. ['5']), so results could not be joined back row by row. Give every row its own label, e.g. data = data.reset_index(drop=True) (reset_index() keeps the old labels as a column); data.index.is_unique must be True.
    """  # noqa: E501
    index = getattr(frame, "index", None)
    if not isinstance(index, pd.Index) or index.is_unique:
        return
    repeated = index[index.duplicated()].unique()
    n = len(repeated)
    msg = (
        f"{name} has a non-unique index: {n} label{' is' if n == 1 else 's are'} "
        f"used by more than one row (e.g. {names_list(repeated, limit=3)}), so "
        "results could not be joined back row by row. Give every row its own "
        f"label, e.g. {name} = {name}.reset_index(drop=True) (reset_index() keeps "
        f"the old labels as a column); {name}.index.is_unique must be True."
    )
    raise ValueError(msg)


def feature_matrix(
    data,
    *,
    name: str = "data",
    columns=None,
    allow_nan: bool = False,
    allow_constant: bool = False,
    min_rows: int = 1,
    purpose: str = "this step",
) -> tuple[np.ndarray, list, pd.Index]:
    """A checked float64 feature matrix, its column names and its row labels.

    Parameters
    ----------
    data : DataFrame or array-like, shape (N, d)
        Numeric columns only (nullable integers, booleans and float32 are
        fine; missing values become NaN).
    name : str, default "data"
        The caller's parameter name, used in the messages.
    columns : str or list of str, optional
        Select these DataFrame columns first (unknown names are an error).
    allow_nan : bool, default False
        Accept NaN and infinite values.
    allow_constant : bool, default False
        Accept columns with one value in every row.
    min_rows : int, default 1
        Fewest rows accepted.
    purpose : str, default "this step"
        What needs the matrix, e.g. ``"clustering"``; the messages say
        "``purpose`` needs at least ``min_rows`` rows".

    Returns
    -------
    values : numpy.ndarray of float64, shape (N, d), C-contiguous
    names : list
        The DataFrame's column labels, or ``"column 0"``, ... for an array.
    index : pandas.Index
        The DataFrame's index, or a RangeIndex for an array.

    Raises
    ------
    ValueError
        Unknown ``columns``; an array that is not 2-D or not numeric;
        non-numeric DataFrame columns; no columns; fewer than ``min_rows``
        rows; NaN or infinite values; constant columns; a DataFrame index
        with repeated labels. Each names the columns (or labels) at fault
        and what to do.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1, 0, 5]},
    ...                      index=[10, 11, 12])
    >>> values, names, index = feature_matrix(frame)
    >>> values.dtype, names, index.tolist()
    (dtype('float64'), ['a', 'b'], [10, 11, 12])
    >>> feature_matrix(np.ones((3, 2)), name="X", allow_constant=True)[1]
    ['column 0', 'column 1']
    >>> feature_matrix(frame.assign(galaxy="NGC0628"))
    Traceback (most recent call last):
    ...
    ValueError: data has non-numeric columns ['galaxy']; pass only the feature columns (e.g. table[feature_names] or features[features.attrs['features']]): labels, flags and truth columns are not features.
    """  # noqa: E501
    if columns is not None:
        data = select_columns(data, columns, name)
    if isinstance(data, pd.DataFrame):
        check_unique_index(data, name)
        values, names = _frame_values(data, name)
        index = data.index
    else:
        values, names = _array_values(data, name)
        index = pd.RangeIndex(values.shape[0])
    if values.shape[1] == 0:
        msg = f"{name} has no feature columns; pass at least one."
        raise ValueError(msg)
    check_rows(values.shape[0], name=name, min_rows=min_rows, purpose=purpose)
    if not allow_nan:
        check_finite(values, names, name=name, purpose=purpose)
    if not allow_constant:
        check_constant(
            values, names, name=name, why=f"they carry no information for {purpose}"
        )
    return np.ascontiguousarray(values, dtype=np.float64), names, index


def numeric_columns(frame: pd.DataFrame, *, include_bool: bool = False) -> list:
    """Names of the numeric columns of ``frame``, in order.

    Booleans (flags) count only with ``include_bool=True``; complex numbers,
    strings and categories never do.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [1.0], "b": ["x"], "c": [True], "d": [2]})
    >>> numeric_columns(t)
    ['a', 'd']
    >>> numeric_columns(t, include_bool=True)
    ['a', 'c', 'd']
    """
    return [
        c
        for c, dtype in frame.dtypes.items()
        if _is_numeric(dtype)
        and (include_bool or not pd.api.types.is_bool_dtype(dtype))
    ]


def standardize(values: np.ndarray, *, robust: bool = False) -> np.ndarray:
    """Each column centred and scaled: mean and standard deviation, or robust.

    ``robust=True`` uses the median and the interquartile range over 1.349
    (equal to the standard deviation for a Gaussian), falling back to the
    standard deviation where the IQR is zero. A column with no spread at
    all is only centred. NaN values are ignored in the statistics and kept.

    Examples
    --------
    >>> standardize(np.array([[1.0, 5.0], [3.0, 5.0]]))
    array([[-1.,  0.],
           [ 1.,  0.]])
    """
    values = np.asarray(values, dtype=np.float64)
    if robust:
        q1, centre, q3 = np.nanpercentile(values, [25, 50, 75], axis=0)
        spread = (q3 - q1) / 1.349
        spread = np.where(spread > 0, spread, np.nanstd(values, axis=0))
    else:
        centre, spread = np.nanmean(values, axis=0), np.nanstd(values, axis=0)
    return (values - centre) / np.where(spread > 0, spread, 1.0)
