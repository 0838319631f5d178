"""The analysis behind ``astrokit demo``: features to outliers, with the truth.

:func:`analyse` runs the discovery loop of the lessons on one pixel table and
returns every intermediate result the report shows. The choices are those
the lessons arrive at:

- features: the eleven of Baron et al. (2024), ``policy="flag"`` (a
  non-detection is kept at its upper limit, so faint diffuse gas is not
  thrown away; lesson 05 shows that ``"drop"`` removes most of it);
- distance: the unsupervised random forest, as a k = 25 neighbour graph;
- embedding: UMAP of that graph with Baron's ``n_neighbors=25``,
  ``min_dist=0``;
- clustering: a Gaussian mixture on the standardised features with as many
  components as planted environments, with the BIC curve alongside (on this
  data BIC keeps falling up to 10 components: the environments are not
  Gaussian blobs, so BIC splits their gradients) and stability over
  subsamples;
- outliers: every method of :mod:`astrokit.outliers` and their combined rank.
"""

from __future__ import annotations

import logging
import time

import pandas as pd

logger = logging.getLogger("astrokit.demo")

N_NEIGHBORS = 25
STABILITY_RUNS = 5


class _Clock:
    """Log and keep the wall time of each step."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def __call__(self, step: str, func, *args, **kwargs):
        logger.info("%s ...", step)
        start = time.perf_counter()
        result = func(*args, **kwargs)
        self.times[step] = time.perf_counter() - start
        return result


def analyse(table: pd.DataFrame, *, random_state: int = 0) -> dict:
    """Run features, forest neighbours, UMAP, clustering and outliers.

    Returns a dict of the results (see the keys set below); ``"times"`` holds
    the seconds each step took.
    """
    from astrokit import features, interpret, outliers

    clock = _Clock()
    feats = clock("features", features.derive, table, policy="flag")
    X = features.to_matrix(feats)
    k = min(N_NEIGHBORS, len(X) - 1)
    truth = table.attrs.get("truth_columns", [])
    truth_env = table.loc[X.index, "truth_env"] if "truth_env" in truth else None
    n_groups = truth_env.nunique() if truth_env is not None else 6
    result = dict(features=feats, X=X)
    result |= _neighbours_and_embedding(clock, X, k, random_state)
    result |= _clusters(clock, X, n_groups, random_state)
    effects = interpret.effect_sizes(X, result["labels"])
    scores = clock(
        "outliers", outliers.score, X, n_neighbors=k, random_state=random_state
    )
    result |= dict(
        effects=effects,
        summary=interpret.summarize(effects),
        outlier_scores=scores,
        times=clock.times,
    )
    _grade(result, table, truth_env)
    return result


def _neighbours_and_embedding(clock, X, k: int, random_state) -> dict:
    from astrokit import distances, embedding

    graph = clock(
        "forest neighbours",
        distances.knn_graph,
        X,
        metric="urf",
        n_neighbors=k,
        random_state=random_state,
    )
    emb = clock(
        "UMAP",
        embedding.embed,
        graph,
        n_neighbors=k,
        min_dist=0.0,
        random_state=random_state,
    )
    return dict(graph=graph, embedding=emb)


def _clusters(clock, X, n_groups: int, random_state) -> dict:
    from astrokit import cluster

    bic, n_bic = clock(
        "BIC scan",
        cluster.choose_n_clusters,
        X,
        n_clusters=range(2, 11),
        random_state=random_state,
    )
    labels = clock("clustering", cluster.cluster, X, method="gmm", n_clusters=n_groups)
    rows, clusters = clock(
        "stability",
        cluster.stability,
        X,
        method="gmm",
        n_clusters=n_groups,
        n_runs=STABILITY_RUNS,
        random_state=random_state,
    )
    return dict(
        bic=bic,
        n_bic=n_bic,
        labels=labels,
        stability_rows=rows,
        stability_clusters=clusters,
    )


def _grade(result: dict, table: pd.DataFrame, truth_env) -> None:
    """Add the agreement with the planted truth, after the analysis ran."""
    from astrokit import cluster, outliers

    X, labels = result["X"], result["labels"]
    if truth_env is not None:
        result["agreement"] = cluster.agreement(labels, truth_env)
        result["contingency"] = cluster.contingency(
            labels, truth_env, normalize="cluster"
        )
        bic_labels = cluster.cluster(X, method="gmm", n_clusters=result["n_bic"])
        result["agreement_bic"] = cluster.agreement(bic_labels, truth_env)
    if "truth_anomaly" in table.attrs.get("truth_columns", []):
        planted = table.loc[X.index, "truth_anomaly"]
        scores = result["outlier_scores"]
        result["outlier_precision"] = outliers.precision_at_k(scores, planted)
        result["n_planted"] = int(planted.sum())
        result["n_planted_table"] = int(table["truth_anomaly"].sum())
