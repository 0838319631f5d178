"""The groups :func:`discover` keeps: stable ones, split where their features part.

HDBSCAN's groups on the embedding are first tested by reruns: a group that
dissolves in them is withdrawn (:func:`withdraw_dissolved`). A group whose
features hold two separate Gaussians is then split in two
(:func:`astrokit.cluster.split_groups`), and the split is rerun on
subsamples in its turn: a split whose parts dissolve is undone (:func:`split`).
Last, the whole method (embedding, HDBSCAN, split) is rerun on subsamples
with new UMAP seeds: a group that the reruns find only together with
another joins it (:func:`join_reunited_groups`), and one that dissolves
there is withdrawn too (:func:`withdraw_unembedded`): HDBSCAN's reruns
keep the embedding, so they
cannot see a group that UMAP tore out of a continuous population (a 4-D
Gaussian of 10,000 rows gave 11 groups, two of them kept). One rule,
Hennig's, for all three; the code is bookkeeping over scikit-learn's and
UMAP's models.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from astrokit._discover._reruns import EMBEDDING_RUNS, FRACTION

__all__ = [
    "DISSOLVED",
    "STABILITY_RUNS",
    "n_groups",
    "groups_of",
    "withdraw_dissolved",
    "split",
    "join_reunited_groups",
    "withdraw_unembedded",
    "warn_mostly_noise",
    "WITHDRAWN_COLUMNS",
    "withdrawn_rows",
]

logger = logging.getLogger("astrokit.discover")

DISSOLVED = 0.5
"""A group whose mean Jaccard over the reruns is at most this is withdrawn."""

STABILITY_RUNS = 5
"""Subsample reruns behind each row's confidence, and of each split."""


def n_groups(labels) -> int:
    """The groups of ``labels``, noise aside."""
    return int(labels[labels >= 0].nunique())


def groups_of(labels) -> str:
    """``"1 group"``, ``"5 groups"``."""
    found = n_groups(labels)
    return f"{found} group" + ("" if found == 1 else "s")


WITHDRAWN_COLUMNS = ["withdrawn_group", "step", "group_size", "jaccard"]
"""Columns of :attr:`Discovery.withdrawn`, one row per withdrawn row."""


def withdrawn_rows(record, index) -> pd.DataFrame:
    """The ``record`` of :func:`withdraw_dissolved` and
    :func:`withdraw_unembedded` as one table, in the order of ``index``."""
    dtypes = {"withdrawn_group": int, "step": str, "group_size": int, "jaccard": float}
    frame = pd.concat(record) if record else pd.DataFrame(columns=WITHDRAWN_COLUMNS)
    frame = frame.astype(dtypes).reindex(index[index.isin(frame.index)])
    frame.index.name = index.name
    return frame


def _record(record, labels, stable, gone, step, column) -> None:
    """Append to ``record`` the rows of the groups ``gone``: which withdrawn
    group they formed (numbered on from those already recorded), at which
    step, its size and its mean Jaccard there."""
    if record is None:
        return
    first = sum(part["withdrawn_group"].nunique() for part in record)
    for number, g in enumerate(gone, start=first):
        rows = labels.index[labels == g]
        record.append(
            pd.DataFrame(
                {
                    "withdrawn_group": number,
                    "step": step,
                    "group_size": int(stable.at[g, "size"]),
                    "jaccard": float(stable.at[g, column]),
                },
                index=rows,
            )
        )


def _renumbered(labels, confidence, stable, gone):
    """``(labels, confidence, stable)`` with groups ``gone`` made noise, the
    rest renumbered in their order."""
    kept = stable.index.difference(gone)
    lookup = pd.Series(np.arange(len(kept)), index=kept)
    withdrawn = labels.isin(gone)
    labels = labels.map(lookup).fillna(-1).astype(int).rename(labels.name)
    stable = stable.loc[kept].set_axis(pd.Index(lookup.to_numpy(), name="cluster"))
    return labels, confidence.mask(withdrawn), stable


def _shown(stable, gone, column) -> str:
    return ", ".join(
        f"{int(stable.at[g, 'size'])} rows at {stable.at[g, column]:.2f}" for g in gone
    )


def _withdrawn(step, gone, shown, labels, reason) -> tuple[str, str, str]:
    """The ``choices`` row of a withdrawal."""
    listed = f" ({shown})" if len(gone) else ""
    choice = f"{len(gone)} group(s) withdrawn as noise{listed}: {groups_of(labels)}"
    return step, choice, reason


def withdraw_dissolved(labels, confidence, stable, choices, record=None):
    """Label noise the groups that dissolve in the reruns, renumbering the rest.

    Hennig (2007, Comput. Stat. Data Anal. 52, 258) calls a cluster whose
    mean Jaccard similarity over resamples is at most 0.5 *dissolved*: it
    should not be trusted (``fpc::clusterboot``'s documentation). Its rows
    are in no stable group, so they join the noise rather than a neighbour;
    ``record`` (a list, as ``choices``) keeps which group they formed
    (:data:`WITHDRAWN_COLUMNS`), so the hypothesis can still be looked at.
    Joining such a group to the one HDBSCAN's reruns find it with as one
    (the rule of :func:`join_reunited_groups`) was measured and rejected
    (2026-12-06): SDSS colours with log z gained on one seed of four (two
    islands of the stellar locus, ARI 0.864 -> 0.952), but the Gaia cone
    lost on two (field stars joined M67: purity 0.882 -> 0.820 and
    0.815 -> 0.774); the demo moved by 0.002 (seed 1, 0.823 -> 0.825).
    """
    gone = stable.index[stable["stability"] <= DISSOLVED]
    if len(gone) == len(stable) > 0:
        logger.warning(
            "discover: every group dissolves in the reruns (mean Jaccard at most "
            "%s); they are kept, but none is a stable finding. Try more rows, "
            "fewer features, or a larger n_neighbors.",
            DISSOLVED,
        )
        gone = gone[:0]
    shown = _shown(stable, gone, "stability")
    _record(record, labels, stable, gone, "stable groups", "stability")
    labels, confidence, stable = _renumbered(labels, confidence, stable, gone)
    choices.append(
        _withdrawn(
            "stable groups",
            gone,
            shown,
            labels,
            f"a group whose mean Jaccard over the reruns is at most {DISSOLVED} "
            "has dissolved (Hennig 2007) and is not a finding; its rows are "
            "in no stable group",
        )
    )
    return labels, confidence, stable


def _firm_splits(X, labels, size, random_state):
    """``(split, made, again, undone)``: the splits whose parts survive reruns.

    A split whose part dissolves in the split's reruns (mean Jaccard at most
    :data:`DISSOLVED`) is undone: its group is kept whole, and the others
    are split again (``again`` is then rerun for them alone).
    """
    from astrokit import cluster

    undone: list[int] = []
    while True:
        split, made = cluster.split_groups(
            X, labels, min_size=size, keep_whole=undone, random_state=random_state
        )
        again = cluster.split_stability(
            X, labels, split, min_size=size, n_runs=STABILITY_RUNS,
            random_state=random_state,
        )  # fmt: skip
        weak = made.loc[again.index[again <= DISSOLVED], "from"].unique()
        if not len(weak):
            return split, made, again, undone
        undone += [int(g) for g in weak]


def split(X, labels, confidence, stable, n_neighbors, random_state, choices):
    """Split the groups whose features hold two separate Gaussians.

    A split group keeps its parent's rerun figures in ``stable`` (the reruns
    are HDBSCAN's) and gains its ``split_bound`` and ``split_stability``
    (:func:`astrokit.cluster.split_stability`: the split's own reruns).
    """
    from astrokit import cluster
    from astrokit.cluster._split import BOUND

    size = cluster.smallest_group(len(X), n_neighbors)
    labels_split, made, again, undone = _firm_splits(X, labels, size, random_state)
    parents = stable.reindex(made["from"].to_numpy()).set_axis(made.index)
    parents["size"] = made["size"]
    if "confidence" in parents:
        parents["confidence"] = (
            confidence.groupby(labels_split).mean().reindex(made.index)
        )
    parents["split_bound"] = made["bound"]
    parents["split_stability"] = again.reindex(made.index)
    if "sample_size" in parents:  # the sample's rows of a part are not counted
        parents.loc[made["bound"].notna(), "sample_size"] = np.nan
    bounds = made["bound"].dropna().unique()
    shown = ", ".join(f"{b:.3f}" for b in bounds)
    if len(again):
        shown += "; parts found again in reruns of the split at " + ", ".join(
            f"{j:.2f}" for j in again
        )
    if undone:
        logger.info(
            "discover: the split of group(s) %s is undone: a part dissolves in "
            "reruns of the split",
            undone,
        )
    choices.append(
        (
            "split",
            f"{len(bounds)} group(s) split in two by their features"
            + (f" (Bhattacharyya bounds {shown})" if len(bounds) else "")
            + (f"; split of group(s) {undone} undone" if undone else "")
            + f": {groups_of(labels_split)}",
            "HDBSCAN keeps a group that reaches out of another as a thin tail, "
            "with no drop in density at the neck; a group is split where two "
            "Gaussians fitted to its features (its 5% least likely rows "
            "trimmed) are separate by Hennig's (2010) "
            f"rule (Bhattacharyya bound below {BOUND}), each part holds at "
            f"least {size} rows, and the parts do not dissolve in reruns of "
            f"the split (mean Jaccard above {DISSOLVED})",
        )
    )
    return labels_split, parents


def join_reunited_groups(labels, confidence, stable, joined, found, choices):
    """``(labels, confidence, stable, found)`` with each group of ``joined``
    made part of its host (:func:`astrokit._discover._reruns.join_reunited`),
    renumbered by size; ``found`` per new group. A host keeps its own rerun
    figures, its size grows."""
    if not joined:
        return labels, confidence, stable, np.asarray(found)
    merged = labels.replace(joined)
    sizes = merged[merged >= 0].value_counts()  # largest first
    lookup = pd.Series(np.arange(len(sizes)), index=sizes.index)
    new = merged.map(lookup).fillna(-1).astype(int).rename(labels.name)
    stable = stable.loc[sizes.index].set_axis(
        pd.Index(lookup.to_numpy(), name="cluster")
    )
    stable["size"] = sizes.to_numpy()
    shown = ", ".join(
        f"{int((labels == g).sum())} rows of group {g} to group {h} (together "
        f"found again at {found[h]:.2f})"
        for g, h in joined.items()
    )
    choices.append(
        (
            "reunited groups",
            f"{len(joined)} group(s) joined to another ({shown}): {groups_of(new)}",
            "a group that new embeddings find only together with another, and "
            "the union better than the other alone, is a part of that union "
            "that one embedding cut off, not a group of its own",
        )
    )
    return new, confidence, stable, np.asarray(found)[sizes.index.to_numpy()]


def withdraw_unembedded(labels, confidence, stable, found, choices, record=None):
    """Withdraw the groups that dissolve when the whole method is rerun.

    ``found``: :func:`astrokit._discover._reruns.mean_found_again` per
    group, after :func:`join_reunited_groups`. Groups at most
    :data:`DISSOLVED` become noise (Hennig: a dissolved group is not to be
    trusted). Joining every such group to the group the reruns put most of
    its rows in was measured and rejected (a 2,000-row SDSS sample 0.77 ->
    0.21 on another machine); only a group whose union with another comes
    back as one group, better than the other alone, joins it. ``record``
    keeps the withdrawn rows as :func:`withdraw_dissolved` does. When none
    is left, the rows are one population: one group, with a WARNING.
    """
    stable = stable.assign(embedding_stability=found)
    gone = stable.index[stable["embedding_stability"] <= DISSOLVED]
    shown = _shown(stable, gone, "embedding_stability")
    reason = (
        "a group is the table's, not one embedding's, when it is found again, "
        "as one group or as pieces within it, as the whole method is rerun "
        f"({EMBEDDING_RUNS} times on {FRACTION:.0%} of the rows, each with a "
        f"new UMAP seed); at mean Jaccard {DISSOLVED} or less it has "
        "dissolved (Hennig 2007) and is not a finding"
    )
    if len(gone) and len(gone) == len(stable):
        logger.warning(
            "discover: no group is found again when the embedding is rerun (%s): "
            "the rows form one population at this scale, and the groups were "
            "UMAP's tears; all rows are one group. Try other features.",
            shown,
        )
        if record is not None:  # every row is in the one group now
            record.clear()
        one = pd.Series(0, index=labels.index, name=labels.name)
        whole = pd.DataFrame(
            {"size": [len(one)], "stability": [np.nan]},
            index=pd.Index([0], name="cluster"),
        )
        choices.append(
            ("new embeddings", f"every group dissolves ({shown}): 1 group", reason)
        )
        return one, pd.Series(np.nan, confidence.index, name=confidence.name), whole
    _record(record, labels, stable, gone, "new embeddings", "embedding_stability")
    labels, confidence, stable = _renumbered(labels, confidence, stable, gone)
    choices.append(_withdrawn("new embeddings", gone, shown, labels, reason))
    return labels, confidence, stable


MOSTLY_NOISE = 0.5
"""Above this share of noise rows, discover warns that the groups are few."""


def warn_mostly_noise(labels) -> None:
    """A WARNING when most rows are in no group."""
    share = float(np.mean(labels.to_numpy() < 0))
    if share > MOSTLY_NOISE:
        logger.warning(
            "discover: %.0f%% of the rows are in no stable group (noise): the "
            "groups left are a few firm pieces of weak structure. Look at the "
            "embedding and the withdrawn groups in .choices before naming them.",
            100 * share,
        )
