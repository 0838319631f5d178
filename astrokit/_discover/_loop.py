"""The steps of :func:`discover`, each recording what it chose and why."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

import pandas as pd

from astrokit._discover._features import features_of, is_pixel_table, standardised
from astrokit._discover._firm import (
    DISSOLVED,
    STABILITY_RUNS,
    groups_of,
    join_reunited_groups,
    n_groups,
    split,
    warn_mostly_noise,
    withdraw_dissolved,
    withdraw_unembedded,
    withdrawn_rows,
)
from astrokit._shared.checks import check_int, check_random_state

__all__ = ["discover"]

logger = logging.getLogger("astrokit.discover")

N_NEIGHBORS = 25
"""Baron's neighbourhood: 25 other rows in the neighbour graph and in UMAP."""
METRIC = "euclidean"
"""The default distance of the embedding that is clustered.

Measured with ``benchmarks/bench_discover.py --metric urf`` (UMAP
n_neighbors=25, min_dist=0, then HDBSCAN on the embedding, the same call on
every table; seed 0, 2026-12-04): on the demo tier both routes reach ARI
0.82 (the forest's with five groups, Euclidean neighbours' with seven; on
another machine, 2026-12-06, the forest's four groups reach 0.71), but
on SDSS colours the forest's embedding keeps two groups (ARI 0.01 against
0.78), on the Gaia cone it splits the field into six groups and lets more
field stars into M67 (purity 0.66 against 0.70), and it costs about twice
the time (each rerun fits a forest again); SDSS with redshift 0.88 against
0.93. The forest's distance takes few distinct values (a fraction of 100
trees), so many rows tie in its graph. The forest stays in the loop as an
outlier score (weirdness), where it sees what no geometric distance does;
``metric="urf"`` gives Baron's embedding.
"""


def discover(
    table: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    n_neighbors: int = N_NEIGHBORS,
    metric: str = METRIC,
    random_state: int = 0,
    outliers: bool = True,
    progress: bool = False,
):
    """Find the groups and the outliers of a table, and say what they are.

    Parameters
    ----------
    table : pandas.DataFrame
        A PHANGS-like pixel table (its band columns give the eleven features
        of Baron et al. 2024 through :func:`astrokit.features.derive`), or
        any table of numeric columns (stars, galaxies). Truth columns are
        never used.
    columns : list of str, optional
        The feature columns. Default: the PHANGS features for a pixel table,
        else every numeric column but the truth columns and those that carry
        nothing (no finite value, one value) or are missing in most rows
        (each left out is logged and recorded in ``choices``).
    n_neighbors : int, default 25
        Other rows in each row's neighbourhood (neighbour graph and UMAP).
    metric : str, default "euclidean"
        The distance the embedding is built on: a key of
        :data:`astrokit.distances.METRICS`; ``"urf"`` is Baron's
        unsupervised random forest (see :data:`METRIC` for why it is not
        the default here).
    random_state : int, default 0
        Seeds every step, so a second call gives the same result.
    outliers : bool, default True
        Score outliers (:func:`astrokit.outliers.score`).
    progress : bool, default False
        A progress bar over the loop's steps (on stderr, after a second),
        and the forest's own bars.

    Returns
    -------
    Discovery
        Plain DataFrames on the input's index, and the choices made. A table
        of one feature is clustered on that feature (:data:`ONE_FEATURE`);
        the embedding is still made, as a map. Groups that reruns of the
        whole method (new UMAP seeds) find only together with another join
        it; those they do not find again are withdrawn (their
        rows are noise; ``withdrawn`` says which group they formed); when
        none is left, all rows are one group. Fewer than two groups found:
        empty ``effects`` and ``summary``, and a WARNING.

    Raises
    ------
    ValueError
        Truth columns given as features; no numeric column; no complete row;
        too few rows for the neighbourhood; an unknown metric.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> stars = pd.DataFrame(
    ...     np.vstack([rng.normal(0, 1, (300, 3)), rng.normal(6, 0.5, (100, 3))]),
    ...     columns=["pmra", "pmdec", "parallax"])
    >>> found = discover(stars, n_neighbors=10, outliers=False)  # doctest: +SKIP
    >>> found.n_clusters  # doctest: +SKIP
    2
    """
    from astrokit import interpret
    from astrokit._discover import _large
    from astrokit.distances import _check_metric

    random_state = check_random_state(random_state)
    check_int(n_neighbors, "n_neighbors")
    _check_metric(metric)
    choices: list[tuple[str, str, str]] = []
    feats, dropped = features_of(table, columns, choices)
    if len(dropped) and not is_pixel_table(table):  # derive logs its own policy
        logger.warning(
            "discover: %d of %d rows have missing values in the features and "
            "are left out (their index is in .dropped)",
            len(dropped),
            len(table),
        )
    X = standardised(feats, choices)
    on_feature = X.shape[1] == 1  # ONE_FEATURE
    bar = _steps_bar(progress, outliers)
    groups = functools.partial(
        _groups, n_neighbors=min(n_neighbors, len(X) - 1), on_feature=on_feature
    )
    if len(X) > _large.LARGE_ROWS and metric == "euclidean":  # fit on a sample
        bar.set_postfix_str("a sample: embedding, clusters, outliers")
        embedding, labels, confidence, stable, scores = _large.run(
            X, n_neighbors, random_state, progress, choices, outliers, groups,
            on_feature,
        )  # fmt: skip
        bar.update(bar.total - len(LATER_STEPS))
    else:
        embedding = _step(bar, "embedding", _embedding, X, n_neighbors, metric,
                          random_state, progress, choices)  # fmt: skip
        labels, confidence, stable = _step(
            bar, "clusters", groups, X if on_feature else embedding, random_state,
            choices,
        )  # fmt: skip
        scores = pd.DataFrame(index=X.index)
        if outliers:
            scores = _step(bar, "outliers", _outliers, X, n_neighbors, random_state,
                           progress, choices)  # fmt: skip
    record: list[pd.DataFrame] = []  # the rows of withdrawn groups
    labels, confidence, stable = withdraw_dissolved(
        labels, confidence, stable, choices, record
    )
    labels, stable = _step(
        bar, "split", split, X, labels, confidence, stable,
        min(n_neighbors, len(X) - 1), random_state, choices,
    )  # fmt: skip
    labels, confidence, stable = _step(
        bar, "new embeddings", _rerun_whole, X, labels, confidence, stable,
        min(n_neighbors, len(X) - 1), metric, random_state, choices, on_feature,
        record,
    )  # fmt: skip
    bar.close()
    warn_mostly_noise(labels)
    effects = _effects(feats, labels, choices)
    from astrokit._discover._result import Discovery

    return Discovery(
        features=feats,
        X=X,
        embedding=embedding,
        labels=labels,
        confidence=confidence,
        stability=stable,
        effects=effects,
        summary=interpret.summarize(effects),
        outliers=scores,
        choices=pd.DataFrame(  # the groups' steps before the outliers'
            sorted(choices, key=lambda row: row[0] == "outliers"),
            columns=["step", "choice", "reason"],
        ),
        dropped=dropped,
        withdrawn=withdrawn_rows(record, labels.index),
    )


LATER_STEPS = ("split", "new embeddings")
"""The steps after the first clustering, on every path (:func:`_steps_bar`)."""


def _steps_bar(progress: bool, outliers: bool):
    """The bar over discover's steps: embedding, clusters, outliers, later ones."""
    from astrokit.distances._trees import progress_bar

    first = 3 if outliers else 2
    return progress_bar(progress, first + len(LATER_STEPS), "discover")


def _step(bar, name, func, *args):
    """``func(*args)``, the bar naming the step while it runs."""
    bar.set_postfix_str(name)
    out = func(*args)
    bar.update()
    return out


def _embedding(X, n_neighbors, metric, random_state, progress, choices):
    from astrokit import distances, embedding

    k = min(n_neighbors, len(X) - 1)
    if metric == "euclidean":
        emb = embedding.embed(X, n_neighbors=k, min_dist=0.0, random_state=random_state)
        reason = (
            "on standardised features it recovers compact groups best in the "
            "benchmarks (demo, SDSS, Gaia); the forest is used for outliers"
        )
    else:
        graph = distances.knn_graph(
            X, metric=metric, n_neighbors=k, random_state=random_state,
            progress=progress,
        )  # fmt: skip
        emb = embedding.embed(
            graph, n_neighbors=k, min_dist=0.0, random_state=random_state
        )
        reason = "the metric asked for"
    choices.append(("distance", f"{metric}, {k} neighbours", reason))
    choices.append(
        (
            "embedding",
            f"UMAP, n_neighbors={k}, min_dist=0",
            "Baron's settings: min_dist=0 packs similar rows tightly, so groups "
            "separate for clustering",
        )
    )
    return emb


def _rerun_whole(
    X, labels, confidence, stable, n_neighbors, metric, random_state, choices,
    on_feature, record,
):  # fmt: skip
    """Join or withdraw the groups the whole method does not find again
    (:mod:`._reruns`, :mod:`._firm`)."""
    from astrokit._discover import _large
    from astrokit._discover._reruns import embedding_runs, join_reunited

    if on_feature or n_groups(labels) == 0:
        why = "one feature: its groups are its own" if on_feature else "no group"
        choices.append(("new embeddings", "not rerun", why))
        return labels, confidence, stable

    def embed(rows, seed):
        return _embedding(rows, n_neighbors, metric, seed, False, [])

    runs = embedding_runs(X, embed, n_neighbors, _large.SAMPLE_ROWS, random_state)
    joined, found = join_reunited(labels.to_numpy(), runs, DISSOLVED)
    labels, confidence, stable, found = join_reunited_groups(
        labels, confidence, stable, joined, found, choices
    )
    return withdraw_unembedded(labels, confidence, stable, found, choices, record)


ONE_FEATURE = (
    "one feature: its own density is clustered; a map of a line only tears "
    "it (two Gaussians 5 sigma apart: ARI 0.93 on the feature, 0.76 on its UMAP)"
)
"""Why a single feature is clustered directly (measured on synthetic data)."""


def _groups(emb, random_state, choices, *, n_neighbors, on_feature=False):
    """HDBSCAN on the embedding and its reruns: (labels, confidence, stability).

    A group must hold at least 1% of the rows and at least twice the
    neighbourhood (:func:`astrokit.cluster.smallest_group`); those that
    dissolve in the reruns are withdrawn next, on every row
    (:func:`astrokit._discover._firm.withdraw_dissolved`). With
    ``on_feature``, ``emb`` is the one standardised feature (:data:`ONE_FEATURE`).
    """
    from astrokit import cluster

    size = cluster.smallest_group(len(emb), n_neighbors)
    rows, stable = cluster.stability(
        emb,
        method="hdbscan",
        n_runs=STABILITY_RUNS,
        random_state=random_state,
        min_cluster_size=size,
        min_samples=size,
    )
    labels = rows["cluster"]
    choices.append(
        (
            "clusters",
            f"HDBSCAN on the {'feature' if on_feature else 'embedding'}, "
            f"min_cluster_size=min_samples={size}: "
            f"{groups_of(labels)}",
            (ONE_FEATURE + "; " if on_feature else "")
            + "density clustering finds the number of groups itself; a group "
            "must hold at least 1% of the rows (and twice the neighbourhood, "
            "UMAP's knots), and density is judged at that "
            "same scale (HDBSCAN's own default), so small dense knots on a "
            "group's edge stay in it",
        )
    )
    return labels, rows["confidence"], stable


def _effects(feats, labels, choices) -> pd.DataFrame:
    """Effect sizes of every group; none (logged) when fewer than two groups."""
    from astrokit import interpret

    found = n_groups(labels)
    if found >= 2:
        return interpret.effect_sizes(feats, labels)
    logger.warning(
        "discover: %s; the rows form no separate groups at this scale, so "
        "there are no effect sizes. The outlier scores still rank unusual "
        "rows; try fewer, more telling columns, or more rows.",
        "no group" if found == 0 else "one group",
    )
    choices.append(("effects", "none", f"{found} group(s): nothing to compare"))
    return pd.DataFrame(columns=interpret.EFFECT_COLUMNS)


def _outliers(X, n_neighbors, random_state, progress, choices):
    from astrokit import outliers

    scores = outliers.score(
        X,
        n_neighbors=min(n_neighbors, len(X) - 1),
        random_state=random_state,
        progress=progress,
    )
    choices.append(
        (
            "outliers",
            "every method of astrokit.outliers and their combined rank",
            "each method sees another kind of outlier",
        )
    )
    return scores
