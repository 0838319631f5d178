"""A discovery written to a folder: its tables as CSV and one HTML page.

For any table (the demo has its own, graded report: ``astrokit demo``):
the choices the loop made, the groups (size, stability, most distinguishing
features), the embedding coloured by group and by feature, and the weirdest
rows with the methods that flag them. Each file is written atomically, so an
interrupted save leaves the earlier file (or none), never a truncated one.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["save", "report", "FILES"]

FILES = {
    "rows.csv": "per row: embedding, cluster, confidence, outlier rank, withdrawal",
    "groups.csv": "per group: size, stability, most distinguishing features",
    "effects.csv": "per group and feature: the effect size",
    "choices.csv": "per step: what was chosen and why",
    "report.html": "the page: groups, embedding, outliers (offline)",
}
"""What :func:`save` writes."""

TOP_OUTLIERS = 20
"""Rows shown in the report's outlier table."""


def _groups(found) -> pd.DataFrame:
    summary = found.summary.drop(columns="size", errors="ignore")
    return found.stability.join(summary)


def report(found, title: str):
    """The :class:`astrokit.report.Report` of a :class:`Discovery`."""
    from astrokit import __version__, interpret, outliers
    from astrokit.report import Report

    page = Report(
        title,
        f"{len(found.labels):,} rows x {found.X.shape[1]} features, "
        f"{found.n_clusters} groups; astrokit {__version__}",
    )
    page.section("What was done", "Each step of the loop, what it chose and why.")
    page.table(found.choices.set_index("step"), labels=False, text=True)
    if len(found.dropped):
        page.text(
            f"{len(found.dropped):,} rows were left out for missing values in "
            "the features; they have no label."
        )
    page.section(
        "Groups",
        "Stability: mean Jaccard similarity of a group with its best match "
        "over subsample reruns (1: always found again; at most 0.5: "
        "dissolved); dissolved: the share of reruns in which it fell apart. "
        "Top 1-3: the features that set the group apart most, "
        "with their effect size (positive: higher than in the other rows). "
        "Label -1 is noise: rows in no dense group.",
    )
    if found.n_clusters:
        shown = _groups(found)
        if "split_bound" in shown:  # NaN: not split
            shown["split_bound"] = shown["split_bound"].map(
                lambda b: "" if pd.isna(b) else f"{b:.3g}"
            )
        page.table(shown, labels=False)
    if len(found.withdrawn):
        gone = found.withdrawn.groupby("withdrawn_group")[["step", "jaccard"]].first()
        page.text(
            f"{len(gone)} group(s) withdrawn, their {len(found.withdrawn):,} rows "
            "labelled noise (rows.csv: withdrawn_group): "
            + "; ".join(
                f"{g}: {(found.withdrawn.withdrawn_group == g).sum():,} rows, "
                f"{row.step} at mean Jaccard {row.jaccard:.2f}"
                for g, row in gone.iterrows()
            )
            + ". A withdrawn group is a hypothesis to check, not a finding."
        )
    ax = interpret.plot_embedding(
        found.embedding, labels=found.labels, title="groups on the embedding"
    )
    page.figure(ax.figure, "The embedding, coloured by group (grey: noise)")
    axes = interpret.plot_features(found.embedding, found.features)
    page.figure(
        axes.flat[0].figure,
        "The embedding, each panel coloured by one feature in its own units",
    )
    if "combined" in found.outliers:
        page.section(
            "Outliers",
            f"The {TOP_OUTLIERS} weirdest rows by the combined rank, and the "
            "methods that put each in their top 1% (forest: breaks the "
            "correlations; knn, glosh: isolated; isolation: extreme along a "
            "direction; lof: in a small dense group).",
        )
        shown = outliers.top(found.outliers, n=TOP_OUTLIERS)
        page.table(shown[["rank", "combined", "flagged_by"]], labels=False)
    return page


def save(found, folder, *, title: str = "astrokit discover") -> dict:
    """Write :data:`FILES` into ``folder`` (created); ``{name: path}``."""
    from astrokit._shared.cache import atomic_write

    folder = Path(folder)
    tables = {
        "rows.csv": found.table(),
        "groups.csv": _groups(found),
        "effects.csv": found.effects,
        "choices.csv": found.choices,
    }
    paths = {}
    for name, frame in tables.items():
        keep = name in ("rows.csv", "groups.csv")  # the others: a plain numbering
        paths[name] = atomic_write(
            folder / name, lambda tmp, f=frame, i=keep: f.to_csv(tmp, index=i)
        )
    paths["report.html"] = report(found, title).save(folder / "report.html")
    return paths
