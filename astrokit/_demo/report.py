"""The ``astrokit demo`` job: from the demo table to one HTML report and a summary."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from astrokit import __version__
from astrokit._demo.pipeline import analyse
from astrokit._discover._firm import STABILITY_RUNS
from astrokit._shared.bands import BANDS

logger = logging.getLogger("astrokit.demo")

KEY_BANDS = ("co21", "halpha", "f770w", "f555w")
"""One representative band per instrument (ALMA, MUSE, JWST, HST)."""


def _inspection(report, table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    from astrokit import inspect

    coverage = inspect.coverage_report(table)
    report.section(
        "1. Coverage",
        "Per band: how many pixels are finite, NaN (outside the instrument's "
        "footprint), zero or negative (noise around zero: a log scale drops them) "
        "and upper limits (covered but below the detection threshold).",
    )
    report.table(coverage)
    for band in KEY_BANDS:
        label = f"{band} ({BANDS[band].instrument})"
        report.section(f"2. {label}: maps on three scales")
        for galaxy in names:
            axes = inspect.plot_map_scales(table, band, galaxy=galaxy)
            report.figure(axes.flat[0].figure, f"{galaxy}: {label}")
        axes = inspect.plot_histograms(table, band)
        report.figure(axes.flat[0].figure, f"{label}: histograms, all galaxies")
    report.section(
        "3. Interactive map",
        "Pan and zoom; BokehJS is embedded, so this works offline.",
    )
    report.holoviews(inspect.map_view(table, "co21", galaxy=names[0]))
    return coverage


def _features(report, res: dict) -> None:
    from astrokit import features

    report.section(
        "4. Features",
        "The eleven features of Baron et al. (2024): log line ratios, gas-to-dust "
        "and PAH band ratios. Non-detections are kept at their upper limit "
        '(policy="flag"); pixels outside a footprint or with non-positive values '
        "are dropped. What that did to the rows:",
    )
    report.table(features.missing_report(res["features"]))
    ax = features.plot_correlation(features.correlation(res["X"]))
    report.figure(ax.figure, "Spearman correlation, ordered by hierarchical clustering")


def _embedding(report, res: dict) -> None:
    from astrokit import interpret

    choices = res["choices"].set_index("step")
    distance = choices.loc["distance"]
    report.section(
        "5. Distance and UMAP",
        f"Neighbours of every pixel: {distance['choice']} ({distance['reason']}), "
        f"embedded with {choices.loc['embedding', 'choice']}. The "
        "unsupervised-forest distance of Baron & Poznanski (2017) scores the "
        "outliers (section 7). Each panel colours the embedding by one feature.",
    )
    own_units = res["features"][res["X"].columns]
    axes = interpret.plot_features(res["embedding"], own_units)
    report.figure(
        axes.flat[0].figure,
        f"UMAP of the standardised features ({distance['choice']}), each panel "
        "coloured by one feature in its own units",
    )


def cluster_names(description: pd.DataFrame) -> dict:
    """``{label: "0: Seyfert, high log [OIII]5007/Hβ"}`` from describe_clusters."""
    return {int(c): f"{c}: {name}" for c, name in description["name"].items()}


def _cluster_view(res: dict):
    """The clusters on the embedding as an interactive Datashader image.

    Each cluster is named in a legend beside the plot (from
    :func:`astrokit.interpret.describe_clusters`), noise in grey. Datashader
    draws an image, which has no legend of its own: the legend comes from one
    invisible marker per cluster, at the cluster's median.
    """
    import datashader as ds
    import holoviews as hv
    from holoviews.operation.datashader import datashade, spread

    from astrokit.plot import category_colors, ensure_extension

    ensure_extension()
    numbers = sorted(res["labels"].unique())  # -1 (noise) first, in grey
    names = [str(n) for n in numbers]
    labels = pd.Categorical(res["labels"].astype(str), categories=names)
    frame = res["embedding"].assign(cluster=labels)
    points = hv.Points(frame, ["umap_x", "umap_y"], ["cluster"])
    colors = {str(n): c for n, c in category_colors(numbers).items()}
    image = datashade(
        points, aggregator=ds.count_cat("cluster"), color_key=colors, dynamic=False
    )
    # a pixel is visible on a sparse embedding; the image's own legend gives
    # numbers only, the named one is drawn below
    image = spread(image, px=1).opts(show_legend=False)
    titles = cluster_names(res["description"])
    centres = frame.groupby("cluster", observed=True)[["umap_x", "umap_y"]].median()
    keys = [*[n for n in numbers if n >= 0], *[n for n in numbers if n < 0]]
    legend = [
        hv.Points([tuple(centres.loc[str(n)])], label=titles.get(n, str(n))).opts(
            color=colors[str(n)], size=0
        )
        for n in keys  # the clusters in order, noise last
    ]
    return hv.Overlay([image, *legend]).opts(
        hv.opts.Overlay(
            frame_width=460, frame_height=420, legend_position="right",
            legend_opts={"location": "top_left"},
            title="clusters on the embedding", xlabel="UMAP 1", ylabel="UMAP 2",
        )
    )  # fmt: skip


def _clusters(report, table: pd.DataFrame, res: dict) -> None:
    from astrokit import interpret

    labels = res["labels"]
    choices = res["choices"].set_index("step")
    placed = ""
    if "cluster labels" in choices.index:  # a large table: fitted on a sample
        text = choices.loc["cluster labels", "choice"]
        placed = f" {text[0].upper()}{text[1:]}."
    report.section(
        "6. Clusters",
        f"{choices.loc['clusters', 'choice']}, found without being told how "
        f"many ({choices.loc['clusters', 'reason']}).{placed} After the checks "
        f"of stability and of the features: {labels[labels >= 0].nunique()} "
        "groups. Every choice of the loop, with its reason, is in the table below.",
    )
    report.table(res["choices"], "The choices astrokit.discover made, and why")
    report.holoviews(
        _cluster_view(res),
        "Clusters on the UMAP embedding, named by their BPT class and strongest "
        "feature (interactive: pan and zoom; colours as in the sky maps below; "
        "-1, grey, is noise)",
    )
    axes = interpret.plot_sky(table, labels=labels)
    report.figure(axes.flat[0].figure, "Clusters back on the sky")
    conf = res["stability_rows"]["confidence"]
    axes = interpret.plot_sky(table, values=conf, cmap="magma", title="confidence")
    runs = STABILITY_RUNS
    report.figure(
        axes.flat[0].figure, f"Co-assignment confidence over {runs} subsamples"
    )
    stable = res["stability_clusters"]
    report.table(
        stable,
        "Stability of each cluster"
        + (
            " (size: all rows; sample_size: the sample's rows, on which the "
            "reruns measured it)"
            if "sample_size" in stable
            else ""
        )
        + (
            "; split_bound: the Bhattacharyya bound of the split of a group's "
            "features that made it (its other rerun figures are its parent's); "
            "split_stability: its mean Jaccard over reruns of that split"
            if stable.get("split_bound", pd.Series(dtype=float)).notna().any()
            else ""
        )
        + (
            "; embedding_stability: its mean Jaccard over reruns of the whole "
            "method (embedding, HDBSCAN, split) on subsamples with new UMAP seeds"
            if "embedding_stability" in stable
            else ""
        ),
    )
    description = res["description"][["size", "fraction", "name", "description"]]
    report.table(  # the compact form of describe_clusters: fits the page
        description,
        "What each group is: its name, then its most distinguishing features "
        "and its BPT classes",
    )
    ax = interpret.plot_effect_sizes(res["effects"])
    report.figure(ax.figure, "Effect size of every feature in every cluster")
    axes = interpret.plot_violins(res["X"], labels)
    report.figure(axes.flat[0].figure, "Per-cluster feature distributions")
    if "agreement" in res:
        n = int(labels[labels >= 0].nunique())
        report.text(
            "Only now, against the planted environments (truth_env, never used "
            f"by the analysis): adjusted Rand index {res['agreement']['ari']:.3f} "
            f"with {n} groups found ({res['n_planted_groups']} planted)."
        )
        report.table(res["contingency"], "Fraction of each cluster in each environment")


def _outliers(report, table: pd.DataFrame, res: dict) -> None:
    from astrokit import outliers

    scores = res["outlier_scores"]
    report.section(
        "7. Outliers",
        "Scores per method (higher is weirder) and their combined rank; the top "
        "outliers on the embedding and on the sky.",
    )
    if "outlier_precision" in res:
        report.table(
            res["outlier_precision"].to_frame("precision").T,
            f"Precision of the top {res['n_planted']} rows against the planted "
            f"anomalies ({res['n_planted']} of {res['n_planted_table']} kept "
            "by the feature policy)",
        )
    ax = outliers.plot_top(res["embedding"], scores)
    report.figure(ax.figure, "Top outliers on the UMAP embedding")
    axes = outliers.plot_top_sky(table, scores)
    report.figure(axes.flat[0].figure, "Top outliers on the sky")


def build_demo_report(table: pd.DataFrame, out: str | Path, progress=False) -> dict:
    """Run the whole loop on ``table``, write ``out/report.html``, return a summary
    (``progress``: :func:`astrokit.discover`'s progress bar)."""
    import matplotlib

    matplotlib.use("Agg")
    from astrokit.data import galaxies
    from astrokit.report import Report

    names = galaxies(table)
    report = Report(
        "astrokit demo report",
        f"astrokit {__version__}; data: {table.attrs.get('source', 'table')}, "
        f"tier {table.attrs.get('tier', '?')}, {len(table):,} rows, "
        f"galaxies {', '.join(names)}",
    )
    coverage = _inspection(report, table, names)
    res = analyse(table, progress=progress)
    _features(report, res)
    _embedding(report, res)
    _clusters(report, table, res)
    _outliers(report, table, res)
    times = pd.Series(res["times"], name="seconds").to_frame()
    report.section("8. Run time", "Seconds per step on this machine.")
    report.table(times)
    path = report.save(Path(out) / "report.html")
    logger.info("wrote %s", path)
    return dict(report=path, rows=len(table), galaxies=names, coverage=coverage, **res)


def format_summary(summary: dict) -> str:
    """A few lines for the terminal."""
    cov = summary["coverage"]["frac_finite"]
    lines = [
        f"astrokit demo: {summary['rows']:,} pixels in "
        f"{len(summary['galaxies'])} galaxies ({', '.join(summary['galaxies'])})",
        "coverage (fraction of pixels with a finite value): "
        + ", ".join(
            f"{band} {value:.0%}" for band, value in cov[list(KEY_BANDS)].items()
        ),
        f"features: {len(summary['X']):,} pixels x {summary['X'].shape[1]} features",
    ]
    choices = summary["choices"].set_index("step")["choice"]
    if "sample" in choices:
        lines.append(f"a large table: models fitted on {choices['sample']}")
    if "agreement" in summary:
        labels = summary["labels"]
        n = int(labels[labels >= 0].nunique())
        lines.append(
            f"groups found by discover: {n} ({summary['n_planted_groups']} planted "
            f"environments); ARI {summary['agreement']['ari']:.3f}"
        )
    if "outlier_precision" in summary:
        prec = ", ".join(
            f"{m} {p:.2f}" for m, p in summary["outlier_precision"].items()
        )
        lines.append(
            f"outliers: precision at {summary['n_planted']} planted anomalies: {prec}"
        )
    total = sum(summary["times"].values())
    lines.append(f"analysis time {total:.0f} s; report: {summary['report']}")
    return "\n".join(lines)
