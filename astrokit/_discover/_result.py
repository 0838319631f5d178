"""What :func:`astrokit.discover` returns: plain tables on the input's index."""

from __future__ import annotations

import dataclasses

import pandas as pd

__all__ = ["Discovery"]


@dataclasses.dataclass
class Discovery:
    """The result of :func:`astrokit.discover`; every table keeps the row index.

    Attributes
    ----------
    features : DataFrame
        The features the loop used, in their own units (one row per kept row).
    X : DataFrame
        The same, standardised: what the distance, clustering and outlier
        steps saw.
    embedding : DataFrame
        ``umap_x``, ``umap_y``.
    labels : Series
        ``cluster``: 0 the largest group, 1 the next, ...; -1 noise.
    confidence : Series
        Per row, the fraction of subsample reruns that put it in its cluster.
    stability : DataFrame
        Per cluster, its size and mean Jaccard similarity with its best match
        over the reruns (:func:`astrokit.cluster.stability`); for a group
        made by a split, ``split_bound`` and ``split_stability``
        (:func:`astrokit.cluster.split_stability`); ``embedding_stability``,
        the same over reruns of the whole method with new UMAP seeds
        (:data:`astrokit._discover._firm.EMBEDDING_RUNS`).
    effects : DataFrame
        Per cluster and feature, the effect size
        (:func:`astrokit.interpret.effect_sizes` on :attr:`features`).
    summary : DataFrame
        Per cluster, its size and most distinguishing features.
    outliers : DataFrame
        Per row, every outlier score and the combined rank
        (:func:`astrokit.outliers.score`).
    choices : DataFrame
        One row per step: ``step``, ``choice``, ``reason``.
    dropped : Index
        Input rows left out (missing values), by index.
    withdrawn : DataFrame
        The rows of withdrawn groups (labelled noise), by index: which
        withdrawn group they formed (``withdrawn_group``, 0, 1, ...), the
        ``step`` that withdrew it ("stable groups": it dissolved in
        HDBSCAN's reruns; "new embeddings": the whole method's reruns did
        not find it again), its ``group_size`` and its mean ``jaccard``
        there. A withdrawn group is a hypothesis, not a finding: look at it
        on the sky and in the features before naming it.
    """

    features: pd.DataFrame
    X: pd.DataFrame
    embedding: pd.DataFrame
    labels: pd.Series
    confidence: pd.Series
    stability: pd.DataFrame
    effects: pd.DataFrame
    summary: pd.DataFrame
    outliers: pd.DataFrame
    choices: pd.DataFrame
    dropped: pd.Index
    withdrawn: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)

    @property
    def n_clusters(self) -> int:
        """Groups found (noise excluded)."""
        return int(self.labels[self.labels >= 0].nunique())

    def table(self) -> pd.DataFrame:
        """One row per kept input row: embedding, label, confidence, combined
        score, and the withdrawn group of a row in one (else empty)."""
        withdrawn = self.withdrawn.get("withdrawn_group", pd.Series(dtype=int))
        parts = [
            self.embedding,
            self.labels,
            self.confidence.rename("confidence"),
            withdrawn.reindex(self.labels.index).astype("Int64"),
        ]
        if "combined" in self.outliers:
            parts.append(self.outliers["combined"].rename("outlier_rank"))
        return pd.concat(parts, axis=1)

    def save(self, folder, *, title: str = "astrokit discover") -> dict:
        """Write the tables (CSV) and an offline HTML report into ``folder``.

        Files: ``rows.csv``, ``groups.csv``, ``effects.csv``, ``choices.csv``
        and ``report.html`` (:data:`astrokit._discover._save.FILES`), each
        written atomically. Returns ``{file name: path}``.
        """
        from astrokit._discover._save import save

        return save(self, folder, title=title)

    def __repr__(self) -> str:
        lines = [
            f"Discovery: {len(self.labels):,} rows x {self.X.shape[1]} features, "
            f"{self.n_clusters} group{'' if self.n_clusters == 1 else 's'}"
            + (f", {len(self.dropped):,} rows left out" if len(self.dropped) else ""),
        ]
        for step, choice, reason in self.choices[["step", "choice", "reason"]].values:
            lines.append(f"  {step}: {choice} ({reason})")
        return "\n".join(lines)
