"""From a feature table to the numbers every analysis stage starts from.

:func:`to_matrix` is the single gate from table to numbers: it picks the
feature columns (flag columns stay out), refuses what cannot be a feature
(through :func:`astrokit._shared.matrix.feature_matrix`) and standardises
each column the way :data:`STANDARDIZATIONS` names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from astrokit._shared.matrix import feature_matrix, standardize

__all__ = ["STANDARDIZATIONS", "to_matrix"]

STANDARDIZATIONS = ("standard", "robust", None)
"""The ``scale=`` choices of :func:`to_matrix` (not the display scales of
:data:`astrokit.inspect.SCALES`)."""


def _default_columns(features: pd.DataFrame) -> list[str] | None:
    """``features.attrs["features"]`` when every name is a column, else None."""
    names = features.attrs.get("features")
    if names is None or not set(names) <= set(features.columns):
        return None
    return list(names)


def to_matrix(
    features: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    scale: str | None = "standard",
) -> pd.DataFrame:
    """The feature matrix ``X``: float32, the rows' index, one named column each.

    Parameters
    ----------
    features : pandas.DataFrame
        Feature table, e.g. from :func:`astrokit.features.derive`.
    columns : list of str, optional
        Columns to use. Default: ``features.attrs["features"]`` when present
        (so flag columns such as ``<feature>_censored`` stay out), else all.
    scale : {"standard", "robust", None}, default "standard"
        One of :data:`STANDARDIZATIONS`. ``"standard"``: zero mean, unit
        standard deviation per column; ``"robust"``: zero median, unit
        ``IQR / 1.349`` (insensitive to outliers); None: values as they are.

    Returns
    -------
    pandas.DataFrame of float32, shape (n_rows, n_features)
        Index: the index of ``features`` (so ``table.loc[X.index]`` joins
        back); columns: the feature names. ``X.to_numpy()`` is the array.

    Raises
    ------
    ValueError
        Naming the columns that are absent, non-numeric, all-NaN, partly NaN
        or infinite (with counts), or constant; or for an unknown ``scale``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = to_matrix(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0, 0, 3]}))
    >>> X.round(3)
           a      b
    0 -1.225 -0.707
    1  0.000 -0.707
    2  1.225  1.414
    >>> X.dtypes.unique().tolist()
    [dtype('float32')]
    """
    if scale not in STANDARDIZATIONS:
        msg = (
            f"scale={scale!r} is not a standardisation; use one of {STANDARDIZATIONS}."
        )
        raise ValueError(msg)
    if columns is None:
        columns = _default_columns(features)
    values, names, index = feature_matrix(
        features, name="features", columns=columns, purpose="choosing features"
    )
    if scale is not None:
        values = standardize(values, robust=scale == "robust")
    return pd.DataFrame(values.astype(np.float32), index=index, columns=names)
