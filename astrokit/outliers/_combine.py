"""How :mod:`astrokit.outliers` combines the methods' percentiles into one score.

Each method's percentile ``p`` (in (0, 1], 1 = the weirdest fitted row) is
turned into a *tail fraction* ``t = 1 - p + 1/n``: the fraction of the ``n``
fitted rows that score at least as high (``1/n`` for the weirdest row, 1 for
the most ordinary). A rule maps the tail fractions of the chosen methods to
``combined``, higher for weirder rows, in [0, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["RULES", "DEFAULT_RULE", "check_rule", "combine_percentiles"]

RULES: dict[str, str] = {
    "fisher": "1 - the geometric mean of the tail fractions (Fisher 1925): "
    "one method's confident detection counts, agreement counts more, a blind "
    "method costs little",
    "median": "median of the percentiles: high only when half of the methods "
    "agree (a row seen by one or two methods is lost)",
    "mean": "mean of the percentiles: every blind method pulls a row down",
    "max": "largest percentile: any method's top rows, agreement ignored",
}
"""The combination rules of :func:`astrokit.outliers.score` (``rule=``)."""

DEFAULT_RULE = "fisher"
"""The default rule; ``benchmarks/bench_outlier_combination.py`` compares them."""


def check_rule(rule) -> str:
    if rule not in RULES:
        msg = f"rule={rule!r} is not a combination rule; choose from {list(RULES)}."
        raise ValueError(msg)
    return rule


def combine_percentiles(pct: pd.DataFrame, rule: str, n_fitted: int) -> pd.Series:
    """``combined`` from the ``<method>_pct`` columns in ``pct`` by ``rule``.

    Parameters
    ----------
    pct : DataFrame of shape (N, m)
        Percentiles in [0, 1] (new rows may score below every fitted row: 0).
    rule : str
        A key of :data:`RULES`.
    n_fitted : int
        Rows the percentiles are relative to (the tail fraction's floor,
        ``1 / n_fitted``).

    Returns
    -------
    pandas.Series, indexed like ``pct``, named ``combined``.

    Examples
    --------
    >>> pct = pd.DataFrame({"a": [1.0, 0.5, 1.0], "b": [0.1, 0.5, 1.0]})
    >>> combine_percentiles(pct, "fisher", 10).round(3).tolist()
    [0.684, 0.4, 0.9]
    >>> combine_percentiles(pct, "median", 10).tolist()
    [0.55, 0.5, 1.0]
    """
    values = pct.to_numpy(dtype=float)
    if rule == "fisher":
        tail = np.clip(1.0 - values + 1.0 / n_fitted, 1.0 / n_fitted, 1.0)
        out = 1.0 - np.exp(np.log(tail).mean(axis=1))
    elif rule == "median":
        out = np.median(values, axis=1)
    elif rule == "mean":
        out = values.mean(axis=1)
    else:
        out = values.max(axis=1)
    return pd.Series(out, index=pct.index, name="combined")
