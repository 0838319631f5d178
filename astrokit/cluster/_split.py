"""Split a group whose features hold two separate Gaussians: :func:`split_groups`.

HDBSCAN on an embedding cuts where the density drops. A group that reaches
out of another as a thin tail, with no drop at the neck, stays inside it: on
the demo tier the molecular clouds stay in the diffuse gas on three UMAP
seeds of four. In the features such a tail is often a Gaussian of its own.
Each group is fitted with two Gaussians, its 5% least likely rows trimmed
(:func:`_trimmed_fit`: a sparse halo otherwise takes the second Gaussian),
and split when the two are separate by the rule Hennig (2010, Adv. Data
Anal. Classif. 4, 3) gives for merging mixture components: the
Bhattacharyya bound ``exp(-d_B)`` on their misclassification probability is
below 0.1 (his default, that of ``fpc::mergenormals``), each part holds at
least ``min_size`` rows, and two Gaussians describe the group better than
one by the BIC (Schwarz 1978, on the trimmed likelihoods), so that a few
rows in many dimensions are not overfitted into two (two blobs of 300 rows
in 50 dimensions came out as five groups without this check).
The parts are tested again. Written here because scikit-learn has no
component merging and fpc is R; the Gaussians are scikit-learn's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from astrokit._shared.checks import check_int, check_random_state
from astrokit.cluster._methods import as_matrix

__all__ = ["split_groups", "split_stability", "BOUND"]

BOUND = 0.1
"""Hennig's (2010) default cutoff of the Bhattacharyya bound: below it, two
Gaussians are separate groups."""


def bhattacharyya_bound(means: np.ndarray, covariances: np.ndarray) -> float:
    """``exp(-d_B)`` of two Gaussians: an upper bound on their misclassification."""
    (m1, m2), (s1, s2) = means, covariances
    pooled = (s1 + s2) / 2
    diff = m1 - m2
    mahalanobis = diff @ np.linalg.solve(pooled, diff) / 8
    logdet = (
        np.linalg.slogdet(pooled)[1]
        - (np.linalg.slogdet(s1)[1] + np.linalg.slogdet(s2)[1]) / 2
    )
    return float(np.exp(-(mahalanobis + logdet / 2)))


TRIM = 0.05
"""The share of a group's least likely rows each fit leaves out (below)."""


def _trimmed_fit(X, n_components, random_state, trim=TRIM, max_steps=20):
    """Gaussians fitted to the ``1 - trim`` most likely rows of ``X``; their log
    likelihood summed over those rows.

    The trimmed likelihood of Neykov et al. (2007, Comput. Stat. Data Anal.
    52, 299), as in TCLUST (García-Escudero et al. 2008, Ann. Stat. 36,
    1324): concentration steps refit on the rows the last fit finds most
    likely, until those rows stop changing. Untrimmed, two Gaussians fitted
    to a group with a sparse halo take the halo as the second Gaussian and
    leave two groups inside the core (3,000 SDSS colours: galaxies and
    stars stay one group); trimmed, they separate them. So the first two
    fits (on all rows, then on the first trimmed ones) start afresh; each
    later step starts from the last one's Gaussians, as TCLUST's do (two
    to three times faster than refitting afresh: 4-11 s against 10-31 s per
    demo split, the same splits; SDSS colours with log z, seed 0, split one
    group more).
    """
    from sklearn.mixture import GaussianMixture

    mixture = GaussianMixture(
        n_components, n_init=3 if n_components > 1 else 1, reg_covar=1e-4,
        random_state=random_state,
    )  # fmt: skip
    keep = np.ones(len(X), dtype=bool)
    for step in range(max_steps):
        mixture.warm_start = step >= 2
        likelihood = mixture.fit(X[keep]).score_samples(X)
        kept = likelihood >= np.quantile(likelihood, trim)
        if np.array_equal(kept, keep):
            break
        keep = kept
    return mixture, float(likelihood[keep].sum()), int(keep.sum())


def _two_gaussians(X, rows, max_rows, rng, random_state):
    """The trimmed two-Gaussian fit of ``X[rows]`` (on at most ``max_rows`` of
    them) and whether it beats one trimmed Gaussian by the BIC."""
    fit = rows if len(rows) <= max_rows else rng.choice(rows, max_rows, replace=False)
    fits = [_trimmed_fit(X[fit], k, random_state) for k in (1, 2)]
    d = X.shape[1]
    params = [k * (d + d * (d + 1) / 2) + k - 1 for k in (1, 2)]
    bic = [-2 * ll + p * np.log(n) for (_, ll, n), p in zip(fits, params, strict=True)]
    return fits[1][0], bic[1] < bic[0]


def split_groups(
    data,
    labels,
    *,
    min_size: int,
    bound: float = BOUND,
    max_rows: int = 50_000,
    keep_whole=(),
    random_state: int = 0,
) -> tuple[pd.Series, pd.DataFrame]:
    """Split every group in two where its features hold two separate Gaussians.

    Parameters
    ----------
    data : DataFrame or array of shape (N, d)
        Standardised features (the Gaussians are regularised by 1e-4 on
        their diagonal, small for unit variances).
    labels : Series or array of N ints
        The groups (-1 noise, left as it is), e.g. HDBSCAN's on an embedding.
    min_size : int
        The smallest part a split may leave, e.g.
        :func:`astrokit.cluster.smallest_group`.
    bound : float, default 0.1
        Split when the Bhattacharyya bound of the two Gaussians is below it.
    max_rows : int, default 50,000
        Fit each group's Gaussians on at most this many of its rows; every
        row (the trimmed ones too) is then assigned to its more probable
        Gaussian.
    keep_whole : iterable of int, default ()
        Labels of groups not to split.
    random_state : int, default 0

    Returns
    -------
    labels : Series
        On the index of ``data``, named as ``labels`` (or ``"cluster"``):
        0 the largest group, 1 the next, ...; -1 noise.
    groups : DataFrame
        Per new label: ``size``, ``from`` (the input label it came from)
        and ``bound`` (that of the split that made it; NaN if unsplit).

    Raises
    ------
    ValueError
        ``labels`` of another length than ``data``; non-finite data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (100, 2))])
    >>> new, groups = split_groups(X, np.zeros(400, int), min_size=50)
    >>> groups["size"].tolist()
    [300, 100]
    """
    X, index, _ = as_matrix(data)
    X = X.astype(np.float64)
    given = labels.reindex(index) if isinstance(labels, pd.Series) else labels
    lab = np.asarray(given, dtype=np.int64).copy()
    if lab.shape != (len(X),):
        msg = f"labels has {lab.size} entries; data has {len(X)} rows."
        raise ValueError(msg)
    min_size = check_int(min_size, "min_size")
    random_state = check_random_state(random_state)
    rng = np.random.default_rng(random_state)
    origin = {int(k): int(k) for k in np.unique(lab[lab >= 0])}
    bounds: dict[int, float] = {}
    whole = {int(k) for k in keep_whole}
    queue = [k for k in sorted(origin) if k not in whole]
    new_label = max(origin, default=-1) + 1
    while queue:
        group = queue.pop(0)
        rows = np.flatnonzero(lab == group)
        if len(rows) < 2 * min_size:
            continue
        mixture, better = _two_gaussians(X, rows, max_rows, rng, random_state)
        part = mixture.predict(X[rows])
        found = bhattacharyya_bound(mixture.means_, mixture.covariances_)
        if found >= bound or np.bincount(part, minlength=2).min() < min_size:
            continue
        if not better:
            continue
        lab[rows[part == 1]] = new_label
        origin[new_label] = origin[group]
        bounds[group] = bounds[new_label] = found
        queue += [group, new_label]
        new_label += 1
    return _by_size(lab, index, origin, bounds, getattr(labels, "name", None))


def _by_size(lab, index, origin, bounds, name) -> tuple[pd.Series, pd.DataFrame]:
    """Labels renumbered by size (0 the largest) and the table of groups."""
    kept = np.array(sorted(origin), dtype=np.int64)
    counts = np.bincount(lab[lab >= 0], minlength=int(kept.max(initial=-1)) + 1)
    order = kept[np.argsort(-counts[kept], kind="stable")]
    lookup = np.full(len(counts), -1, dtype=np.int64)
    lookup[order] = np.arange(len(order))
    renamed = np.full(len(lab), -1, dtype=np.int64)
    renamed[lab >= 0] = lookup[lab[lab >= 0]]
    name = name or "cluster"
    groups = pd.DataFrame(
        {
            "size": counts[order].astype(np.int64),
            "from": [origin[int(k)] for k in order],
            "bound": [bounds.get(int(k), np.nan) for k in order],
        },
        index=pd.Index(range(len(order)), name=name),
    )
    return pd.Series(renamed, index=index, name=name), groups


def split_stability(
    data,
    before,
    after,
    *,
    min_size: int,
    n_runs: int = 5,
    fraction: float = 0.8,
    random_state: int = 0,
) -> pd.Series:
    """How reproducible the splits of :func:`split_groups` are, per part.

    Only the rows of the groups that were split are rerun: each run draws
    ``fraction`` of them, splits their groups again (with ``min_size``
    scaled by ``fraction``) and takes, for each part, its best Jaccard
    similarity with a part of the run (Hennig 2007, as :func:`stability`).

    Parameters
    ----------
    data : DataFrame or array of shape (N, d)
        The standardised features given to :func:`split_groups`.
    before, after : array or Series of N ints
        The labels given to, and returned by, :func:`split_groups`.
    min_size, random_state
        As given to :func:`split_groups`.
    n_runs : int, default 5
    fraction : float, default 0.8

    Returns
    -------
    pandas.Series
        ``split_stability``, the mean Jaccard over the runs, indexed by the
        ``after`` label of every part of a split (empty when none was split).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (100, 2))])
    >>> before = np.zeros(400, int)
    >>> after, _ = split_groups(X, before, min_size=50)
    >>> split_stability(X, before, after, min_size=50).round(2).tolist()
    [1.0, 1.0]
    """
    from astrokit.cluster._stability import best_jaccard

    X, _, _ = as_matrix(data)
    before = np.asarray(before, dtype=np.int64)
    after = np.asarray(after, dtype=np.int64)
    pairs = pd.DataFrame({"before": before, "after": after})[after >= 0]
    parts = pairs.groupby("before")["after"].nunique()
    split = np.isin(before, parts.index[parts > 1])
    made = np.unique(after[split & (after >= 0)])
    if not len(made):
        return pd.Series([], dtype=float, name="split_stability")
    rows = np.flatnonzero(split)
    lookup = np.full(after.max() + 1, -1)
    lookup[made] = np.arange(len(made))
    ref = np.where(after[rows] >= 0, lookup[after[rows].clip(0)], -1)
    rng = np.random.default_rng(random_state)
    size = max(2, int(round(fraction * len(rows))))
    jaccard = np.full((n_runs, len(made)), np.nan)
    for r in range(n_runs):
        sub = np.sort(rng.choice(len(rows), size, replace=False))
        run, _ = split_groups(
            X[rows[sub]], before[rows[sub]],
            min_size=max(1, int(fraction * min_size)),
            random_state=random_state + 1 + r,
        )  # fmt: skip
        jaccard[r] = best_jaccard(ref[sub], run.to_numpy(), len(made))
    return pd.Series(np.nanmean(jaccard, axis=0), index=made, name="split_stability")
