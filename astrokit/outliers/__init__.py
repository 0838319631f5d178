"""Which rows are weird, by which measure, and why.

Baron (2019) lists four kinds of outliers: bad data (an instrument or
pipeline problem), misclassified objects (a star in a galaxy catalogue), the
tail of a distribution (the most extreme member of a known class) and
*unknown unknowns*, objects nobody knew to look for. No score tells them
apart; each ranks rows by its own idea of weirdness, and a person inspects
the top of the list.

- :func:`score` computes the scores of :data:`METHODS` (the unsupervised
  random forest weirdness of Baron & Poznanski 2017, local outlier factor,
  isolation forest, HDBSCAN's GLOSH, k-nearest-neighbour distance), each
  also as a percentile, plus their ``combined`` score (:data:`RULES`;
  by default Fisher's combination, which keeps a row that one method is
  confident about);
  :class:`OutlierScorer` keeps the fitted models, so that new rows are
  scored against the fitted ones (``score_samples``);
- :func:`top` lists the weirdest rows and which methods flag each one
  (:data:`KINDS`: the kind of outlier each method sees); :func:`explain`
  says which features make a row weird: where it deviates most from its
  own neighbours;
- :func:`precision_at_k` checks a score against planted anomalies (synthetic
  data only);
- figures: :func:`plot_top` (the embedding), :func:`plot_top_sky` (the sky),
  :func:`plot_precision` (precision against k per method) and
  :func:`plot_agreement` (how the methods' rankings correlate).

Every result keeps the features' index, so ``table.loc[top(scores).index]``
gives the weirdest rows' sky positions and measurements.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from astrokit._shared.checks import keyword_only_after
from astrokit._shared.dask import is_dask
from astrokit.outliers import _dask
from astrokit.outliers._combine import DEFAULT_RULE, RULES
from astrokit.outliers._methods import METHODS
from astrokit.outliers._plots import (
    plot_agreement,
    plot_precision,
    plot_top,
    plot_top_sky,
)
from astrokit.outliers._scorer import (
    DEFAULT_METHODS,
    GLOSH_MAX_ROWS,
    LOF_MAX_PAIRS,
    MIN_GROUP_FRACTION,
    OutlierScorer,
)
from astrokit.outliers._tables import KINDS, explain, precision_at_k, top

__all__ = [
    "METHODS",
    "KINDS",
    "RULES",
    "DEFAULT_RULE",
    "DEFAULT_METHODS",
    "GLOSH_MAX_ROWS",
    "LOF_MAX_PAIRS",
    "MIN_GROUP_FRACTION",
    "OutlierScorer",
    "score",
    "top",
    "explain",
    "precision_at_k",
    "plot_top",
    "plot_top_sky",
    "plot_precision",
    "plot_agreement",
]


@keyword_only_after(1)
def score(
    features,
    *,
    methods: str | Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    n_neighbors: int = 25,
    min_cluster_size: int | None = None,
    combine: Sequence[str] | None = None,
    rule: str = DEFAULT_RULE,
    max_rows: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Outlier scores of every row by several methods, and their combination.

    Parameters
    ----------
    features : DataFrame, array of shape (N, d), or dask.dataframe.DataFrame
        Numeric features without NaN, e.g. from ``astrokit.features.derive``
        (its ``attrs["features"]`` picks the feature columns; flag columns
        are left out). They are standardised here. A Dask table (its float
        columns, or ``columns``) is fitted on a sample of ``max_rows`` (None:
        200,000) and scored per partition, lazily: ``astrokit.outliers._dask``.
    methods : str or list of str, optional
        Keys of :data:`METHODS`. Default: all five, except ``glosh`` above
        :data:`GLOSH_MAX_ROWS` rows or with a subsample (``max_rows``),
        logged and listed in ``attrs["skipped"]``.
    columns : list of str, optional
        Feature columns to use (default: ``attrs["features"]``, else all).
    n_neighbors : int, default 25
        Neighbours for ``knn``: that many *other* rows (a row is never its
        own neighbour, as in ``sklearn.neighbors.LocalOutlierFactor`` and
        everywhere in astrokit); HDBSCAN's ``min_samples`` for ``glosh``.
    min_cluster_size : int, optional
        The group scale; default 1% of the rows (at least ``n_neighbors``).
        A group of similar rows smaller than this is scored as outlying; a
        larger one is a cluster and its rows are not. HDBSCAN's smallest
        cluster for ``glosh``, and the neighbours of ``lof`` (within the
        memory bound :data:`LOF_MAX_PAIRS`; ``attrs["lof_neighbors"]``).
    combine : list of str, optional
        Methods whose percentiles make ``combined`` (default: all of
        ``methods``).
    rule : str, default "fisher"
        How ``combined`` is made: a key of :data:`RULES` (see Notes).
    max_rows : int or None, default None
        Fit the methods on a random subsample of at most this many rows and
        score every row against it (None: fit on all rows). The fitted rows
        are scored against the other fitted rows, the others as new rows;
        every percentile is relative to the fitted rows. GLOSH cannot score
        rows it was not fitted on (left out by default, an error if named).
    random_state : int or None, default 0
        Seeds the two forests and the subsample.
    n_jobs : int or None, default None
        Threads (None: 1, -1: all cores).
    progress : bool, default True
        Progress bars of the unsupervised random forest.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``features``: one column per method (its raw score,
        higher is weirder; scales differ), ``<method>_pct`` (the score's
        percentile rank in (0, 1], comparable across methods) and
        ``combined`` in [0, 1], from the percentiles in ``combine`` by
        ``rule`` (default: one minus the geometric mean of their tail
        fractions, see Notes). ``attrs`` records the methods, ``rule``,
        ``n_neighbors``, ``min_cluster_size`` and ``lof_neighbors``.
        ``attrs["seconds"]`` holds each method's run time (``knn`` and
        ``lof`` share one neighbour search and report its time).

    Raises
    ------
    ValueError
        Unknown methods, columns or rule; NaN, non-numeric or constant features;
        ``n_neighbors`` not smaller than the number of rows (a single row
        included).

    See Also
    --------
    OutlierScorer : the fitted models, to score new rows (``score_samples``).
    top, explain, precision_at_k

    Notes
    -----
    Cost on N rows, d features (measured by ``benchmarks/bench_outliers.py``
    on the demo galaxies, 25,000 x 11, 2 cores): ``knn`` and ``lof`` share one
    exact neighbour search (about a second for 25 neighbours; LOF's
    ``min_cluster_size`` neighbours cost more: 465 of them on the 46,529
    demo rows took about 50 s on two busy cores, against 10 s for 25, and
    keep N x that many distances in memory); ``isolation`` trains 200 trees
    of 2,048 rows (a second) and scores all rows; ``forest`` trains its trees
    on at most 20,000 rows and passes every row through them (about 30 s);
    ``glosh`` builds HDBSCAN's minimum spanning tree on all rows, which grows
    as N^2 d in the worst case (seconds at 25,000 rows, minutes near a
    million): leave it out, or score a sample, for the largest tables.

    **The combination.** Each method sees its own kind of outlier
    (:data:`KINDS`) and is blind to the others, so a good combination must
    neither let a blind method pull a row down nor drown agreement. With
    ``t = 1 - pct + 1/n`` a row's *tail fraction* under a method (the
    fraction of the ``n`` fitted rows scoring at least as high), the
    default ``rule="fisher"`` gives ``combined = 1 - (t_1 t_2 ... t_m)^(1/m)``:
    one minus their geometric mean, a monotone function of Fisher's (1925)
    statistic ``-2 sum(log t)`` for combining independent tests. A blind
    method costs a row little (``t`` near 1 adds ``log t`` near 0), a
    single confident method counts a lot (a method's weirdest row alone
    brings ``log(1/n)``: on 10,000 rows as much as four methods at their
    90th percentile), and agreement counts most. Measured by
    ``benchmarks/bench_outlier_combination.py`` (precision at the number
    planted, demo tier, ``features.derive(table, policy="flag")``, 46,529
    rows, 229 planted): fisher 0.90, median 0.95, mean 0.89, max 0.60
    (single methods: lof 0.96, glosh 0.91, knn 0.85, isolation 0.64, forest
    0.05). The median scores a little higher there because every planted
    anomaly is seen by four methods, but it sinks any row that fewer than
    half of the methods see: the 376 rows in the forest's top 1% and no
    other method's (correlation breakers) rank 4,350th in the middle under
    the median, 1,823rd under fisher. The mean lets
    every blind method pull a row down (0.34 with LOF at 25 neighbours,
    blind to the planted group, where fisher gives 0.65: no rule makes up
    for a method whose scale is smaller than the group); the maximum lets
    each method's false alarms in. On real stars (Gaia EDR3 around M67,
    40 white dwarfs by the colour-magnitude diagram among 4,746 stars,
    chance 0.008) every score is weak: fisher 0.10, median 0.05, mean
    0.23, max 0.05, single methods 0.00 to 0.10. The same rule runs on
    every table.

    The methods disagree by design. ``knn`` and ``glosh`` (with groups
    smaller than ``min_cluster_size``) find rows in empty parts of feature
    space, even when they form a small group; ``lof`` finds rows less dense
    than their own neighbours, so a group of more than its neighbours
    (``min_cluster_size``) looks normal to it; ``isolation`` finds rows in
    the far tail along some direction; ``forest`` finds rows that break
    the correlations between features, not rows that extend a trend.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    >>> X.loc[7] = [8.0, -8.0, 8.0]  # one planted outlier
    >>> s = score(X, methods=["knn", "lof", "isolation"], n_neighbors=10)
    >>> list(s.columns)
    ['knn', 'lof', 'isolation', 'knn_pct', 'lof_pct', 'isolation_pct', 'combined']
    >>> int(s["combined"].idxmax())
    7
    """
    if is_dask(features):  # fitted on a sample, scored per partition: _dask
        params = dict(
            methods=methods, n_neighbors=n_neighbors, combine=combine, rule=rule,
            min_cluster_size=min_cluster_size, n_jobs=n_jobs,
        )  # fmt: skip
        return _dask.score(
            features, params=params, columns=columns, max_rows=max_rows,
            random_state=random_state, progress=progress,
        )[0]  # fmt: skip
    return OutlierScorer(
        methods, columns=columns, n_neighbors=n_neighbors,
        min_cluster_size=min_cluster_size, combine=combine, rule=rule,
        max_rows=max_rows,
        random_state=random_state, n_jobs=n_jobs, progress=progress,
    ).fit(features).scores_  # fmt: skip
