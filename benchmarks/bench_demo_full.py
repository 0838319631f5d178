"""``astrokit demo --tier full`` stage by stage: time and peak memory.

Runs what ``astrokit demo`` runs (``build_demo_report`` on
``load_demo(tier)``) in this process, with each stage wrapped so that it
prints its wall seconds, its CPU seconds (all threads of the process: on a
shared machine wall time is noisy, CPU time less so) and the peak resident
memory of the process during the stage (sampled every 0.1 s from
``/proc/self/status``), then the whole run's peak (``ru_maxrss``) and the
report's size. Stages: loading the table (from the cache, or generating
it), the report's inspection sections, inside ``astrokit.discover`` the
features, the sample's embedding and placement, the clusters, the outliers,
then naming the groups, the report's figures and saving it.

Targets (issue 12): the whole run within 10 minutes on 2 cores, peak
memory <= 4 GB, a report a browser opens quickly.

Run: ``python benchmarks/bench_demo_full.py [--tier full] [--out folder]``.

Measured on a quiet 2-core sandbox (2026-12-02, the table and the sample's
embedding read from the cache; discover now also tests every group for a
split of its features), this script with ``--tier full``: **450 s wall**
(7.5 min; target 10 min), 518 s CPU, **peak RSS 2.72 GB** (target 4 GB).
Stages, wall s: loading 1; coverage, maps and histograms 60; UMAP placement
26; HDBSCAN, its five reruns and the split test 91 (no group split: HDBSCAN
on the sample already found 8 groups); the outlier methods 204 (253 CPU s);
the report's figures 38. 418,665 of 1,879,595 pixels kept, 8 groups (6
planted), ARI 0.816; report 14.0 MB. The run of 2026-12-01 night (no
embedding cached, so numba compiled pynndescent's index for the placement):
492 s wall, 548 s CPU, 2.95 GB; combined outlier precision at the 2,057
planted anomalies 0.863 (lof 0.956, knn 0.841, isolation 0.566, forest
0.035). The run before (same day, with the
embedding cached and placement by exact search): 534 s, 2.52 GB. Generating
the full tier on a fresh machine (before the cache holds it) is not
included.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import tempfile
import threading
import time
from pathlib import Path


class _Peak:
    """The largest resident set size seen since the last :meth:`reset`."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.rss())

    def reset(self) -> None:
        self.peak = self.rss()


ROWS: list[tuple[str, float, float, float]] = []


def _stage(name: str, func, peak: _Peak):
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        peak.reset()
        wall, cpu = time.perf_counter(), time.process_time()
        out = func(*args, **kwargs)
        ROWS.append(
            (
                name,
                time.perf_counter() - wall,
                time.process_time() - cpu,
                max(peak.peak, peak.rss()) / 1e9,
            )
        )
        print(f"  {name}: {ROWS[-1][1]:.1f} s", flush=True)
        return out

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="full")
    parser.add_argument("--out", default=None, help="report folder (default: temp)")
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="bench-demo-"))

    import matplotlib

    matplotlib.use("Agg")
    from astrokit import interpret
    from astrokit._demo import pipeline
    from astrokit._demo import report as demo
    from astrokit._discover import _large, _loop
    from astrokit.data import load_demo
    from astrokit.report import Report

    peak = _Peak()
    # the report's stages and the discover stages, wrapped where they are looked up
    for module, name, label in [
        (demo, "_inspection", "report: coverage, maps, histograms"),
        (demo, "_features", "report: features"),
        (demo, "_embedding", "report: embedding figures"),
        (demo, "_clusters", "report: cluster figures"),
        (demo, "_outliers", "report: outlier figures"),
        (_loop, "_features", "discover: features"),
        (_loop, "_embedding", "discover: embedding (all rows)"),
        (_loop, "_groups", "discover: clusters (HDBSCAN + reruns)"),
        (_loop, "_outliers", "discover: outliers (all rows)"),
        (_large, "embedding", "discover: UMAP of the sample + placement"),
        (_large, "groups", "discover: clusters of the sample + labels"),
        (_large, "outliers", "discover: outliers fitted on the sample"),
        (interpret, "effect_sizes", "discover: effect sizes"),
        (pipeline, "_grade", "grading against the truth"),
        (Report, "save", "report: writing the HTML"),
    ]:
        setattr(module, name, _stage(label, getattr(module, name), peak))
    print(
        f"discover samples above LARGE_ROWS={_large.LARGE_ROWS:,} rows "
        f"(SAMPLE_ROWS={_large.SAMPLE_ROWS:,}); cores: {os.cpu_count()}"
    )
    start, cpu0 = time.perf_counter(), time.process_time()
    table = _stage("loading the table", load_demo, peak)(args.tier)
    summary = demo.build_demo_report(table, out)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0

    print(f"\n{args.tier} tier: {len(table):,} pixels, {len(summary['X']):,} rows")
    print(f"{'stage':<46}{'wall s':>8}{'CPU s':>8}{'peak GB':>9}")
    for name, seconds, cpu_s, gb in ROWS:
        print(f"{name:<46}{seconds:>8.1f}{cpu_s:>8.1f}{gb:>9.2f}")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    size = summary["report"].stat().st_size / 1e6
    print(f"{'total':<46}{wall:>8.1f}{cpu:>8.1f}{maxrss:>9.2f}")
    print(f"report: {summary['report']} ({size:.1f} MB)")
    print(pipeline.__name__, "step times:", summary["times"])


if __name__ == "__main__":
    main()
