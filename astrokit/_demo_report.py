"""The ``astrokit demo`` job: from the demo table to one HTML report and a summary."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from astrokit import __version__
from astrokit._bands import BANDS

logger = logging.getLogger(__name__)

KEY_BANDS = ("co21", "halpha", "f770w", "f555w")
"""One representative band per instrument (ALMA, MUSE, JWST, HST)."""


def build_demo_report(table: pd.DataFrame, out: str | Path) -> dict:
    """Inspect ``table`` and write ``out/report.html``; return a summary dict."""
    import matplotlib

    matplotlib.use("Agg")
    from astrokit import inspect
    from astrokit.data import galaxies
    from astrokit.report import Report

    out = Path(out)
    names = galaxies(table)
    coverage = inspect.coverage_report(table)
    report = Report(
        "astrokit demo report",
        f"astrokit {__version__}; data: {table.attrs.get('source', 'table')}, "
        f"tier {table.attrs.get('tier', '?')}, {len(table):,} rows, "
        f"galaxies {', '.join(names)}",
    )
    report.section(
        "1. Coverage",
        "Per band: how many pixels are finite, NaN (outside the instrument's "
        "footprint), zero or negative (noise around zero: a log scale drops them) "
        "and upper limits (covered but below the detection threshold).",
    )
    report.table(coverage)
    for band in KEY_BANDS:
        label = f"{BANDS[band].label} ({BANDS[band].instrument})"
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
    path = report.save(out / "report.html")
    logger.info("wrote %s", path)
    return {
        "report": path,
        "rows": len(table),
        "galaxies": names,
        "coverage": coverage,
    }


def format_summary(summary: dict) -> str:
    """A few lines for the terminal."""
    cov = summary["coverage"]
    frac = cov["frac_finite"] if "frac_finite" in cov else None
    lines = [
        f"astrokit demo: {summary['rows']:,} pixels in "
        f"{len(summary['galaxies'])} galaxies ({', '.join(summary['galaxies'])})",
    ]
    if frac is not None:
        lines.append("coverage (fraction of pixels with a finite value):")
        lines += [f"  {band:<12} {value:6.1%}" for band, value in frac.items()]
    lines.append(f"report: {summary['report']}")
    return "\n".join(lines)
