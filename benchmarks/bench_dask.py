"""Every stage on a Dask table: rows per second per stage, and 10^8 rows projected.

Usage::

    python benchmarks/bench_dask.py                          # 2 galaxies, ~10^6 rows
    python benchmarks/bench_dask.py --galaxies 4 --pixels 2000000 4000000
    python benchmarks/bench_dask.py --workers 1 2            # the scaling ratio

A survey sample is written to Parquet (``astrokit.data.write_survey``, in a
temporary folder), read lazily (``read_table(dask=True)``) on a
``distributed.LocalCluster`` of ``--workers`` processes of one thread, its
features derived (``--policy``, default ``"flag"``: non-detections kept at
their upper limits; pixels outside an instrument's footprint have no
features and are left out) and persisted on the workers, then each
stage is timed on every row: the forest (trees fitted on a sample of
``--sample`` rows on the client, the exact weirdness of every row by a
map-reduce), Gaussian-mixture clusters (fitted on the sample, every row
predicted), outlier scores (knn, lof, isolation: fitted on the sample, every
row scored) and the UMAP embedding (fitted on 50,000 rows, every row placed
by its neighbours). Each line: the eager step (the fit on the sample on
the client; for the forest and the clusters also one counting pass over
every row, taken to cost what the lazy pass costs), the lazy step (every
row, on the workers), the rows per second of the passes over every row, and
10^8 rows projected: the fit (a constant) plus the passes, linearly.

Timings depend on the machine's load (the development machine has 2 cores
shared with other work: noisy); run it alone for figures to quote.

Measured on a quiet 2-core machine (2026-12-01 evening, 2 workers,
``--sample 50000``, default policy ``"flag"``), issue 12's 10^7-row run:
``--galaxies 4 --pixels 2600000 2600000`` wrote 10.8 million pixels to
Parquet in 82.9 s (130,000 rows/s), read and derived them in 9.7 s
(1.1 million rows/s), 2,473,438 with features (the rest lie outside a
footprint); then

    stage                      fit on the sample   every row   rows/s
    forest weirdness                 29.1 s          30.7 s    40,304  (2 passes)
    clusters (gmm)                    8.8 s           2.2 s   562,444  (2 passes)
    outliers (knn, lof, iso)         75.7 s         517.6 s     4,778
    embedding (UMAP, placed)         60.9 s          21.5 s   114,928

**end to end 877 s** (target 20 minutes), **peak memory 4.08 GB** (client
1.93 + workers 2.15, each process's peak summed; target 6 GB). 10^8 rows with features
projected from these rates: outliers 5.8 h, forest 0.7 h, embedding
0.26 h, clusters 0.05 h. LOF is the slow stage: it compares each row with
as many sample rows as the group scale (1% of the sample: 500 at 50,000),
through pynndescent's index (``astrokit.embedding._place.neighbour_index``).
At 3.8 million pixels (``--galaxies 2 --pixels 1500000 2500000``, 852,660
with features): end to end 443 s, peak 3.78 GB.
The same 10^7-row run on 1 worker (``--workers 1``, run alone): end to
end 1,330 s, peak 3.14 GB (forest 22,063 rows/s, outliers 2,759,
embedding 72,147); 1 worker / 2 workers: **1.52**. ``--workers 1 2`` runs
both and prints the ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path


def _line(stage: str, rows: int, lazy: float, *, eager=0.0, passes=1) -> None:
    """Seconds eager and lazy, rows/s of the passes over every row, 10^8 projected.

    The eager step is the fit on the sample (a constant) plus, for
    ``passes=2``, one counting pass over every row that costs what the lazy
    pass costs (both put every row through the model).
    """
    per_rows = passes * lazy
    fit = max(eager - (passes - 1) * lazy, 0.0)
    projected = fit + per_rows * 1e8 / rows
    print(  # noqa: T201 - a benchmark prints its figures
        f"{stage:<26} eager {eager:7.1f} s + lazy {lazy:6.1f} s | fit ~{fit:6.1f} s,"
        f" {rows / per_rows:>9,.0f} rows/s | 10^8 rows: ~{projected / 3600:6.2f} h"
    )


def _peak_mb(client) -> tuple[float, float]:
    """Peak resident memory (``ru_maxrss``) of this process and of all workers, MB."""
    import resource

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    return peak(), sum(client.run(peak).values())


def _forest(ak, features, sample: int):
    # the client fits the trees while the workers wait: all its cores
    forest = ak.distances.UnsupervisedRandomForest(progress=False, n_jobs=-1)
    forest = ak.distances._dask.fit(forest, features, max_rows=sample)
    return forest.weirdness(features)  # counts the leaves of every row first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--galaxies", type=int, default=2)
    parser.add_argument("--pixels", type=int, nargs=2, default=(400_000, 800_000))
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--sample", type=int, default=200_000)
    parser.add_argument("--policy", default="flag", choices=["flag", "drop"])
    args = parser.parse_args()
    seconds = {}
    for workers in args.workers:  # the same run, once per worker count
        print(f"--- {workers} worker process(es), one thread each")  # noqa: T201
        seconds[workers] = run(args, workers)
    if len(seconds) > 1:
        fewest, most = min(seconds), max(seconds)
        print(  # noqa: T201
            f"scaling: end to end {seconds[fewest]:.0f} s on {fewest} worker(s), "
            f"{seconds[most]:.0f} s on {most}: "
            f"ratio {seconds[fewest] / seconds[most]:.2f}"
        )


def run(args, workers: int) -> float:
    """One end-to-end run on ``workers`` processes; its seconds."""
    import distributed

    import astrokit as ak

    warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    begin = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = ak.data.write_survey(
            Path(tmp) / "survey", n_galaxies=args.galaxies,
            pixels=tuple(args.pixels), progress=False,
        )  # fmt: skip
        print(f"survey written in {time.perf_counter() - start:.1f} s")  # noqa: T201
        start = time.perf_counter()
        pixels = ak.data.read_table(path, dask=True)
        derived = ak.features.derive(pixels, policy=args.policy)
        # the feature columns (policy="flag" adds a *_censored flag to each)
        features = derived[derived._meta.attrs["features"]].persist()
        distributed.wait(features)
        seconds = time.perf_counter() - start
        n = len(features)
        _line("read + derive (rows read)", len(pixels), seconds)
        print(f"features kept (policy={args.policy!r}): {n:,} rows")  # noqa: T201

        stages = {
            "forest weirdness": lambda: _forest(ak, features, args.sample),
            "clusters (gmm)": lambda: ak.cluster.cluster(
                features, method="gmm", n_clusters=6, max_rows=args.sample
            ),
            "outliers (knn, lof, iso)": lambda: ak.outliers.score(
                features, methods=["knn", "lof", "isolation"],
                max_rows=args.sample, progress=False,
            ),
            "embedding (UMAP, placed)": lambda: ak.embedding.embed(
                features, cache=False
            ),
        }  # fmt: skip
        for stage, build in stages.items():
            start = time.perf_counter()
            lazy = build()  # the fit on the sample (and any counting pass)
            fitted = time.perf_counter()
            distributed.wait(lazy.persist())  # every row, on the workers
            done = time.perf_counter()
            passes = 2 if stage.startswith(("forest", "clusters")) else 1
            _line(stage, n, done - fitted, eager=fitted - start, passes=passes)
        own, on_workers = _peak_mb(client)
    total = time.perf_counter() - begin
    print(  # noqa: T201
        f"end to end: {total:.0f} s on {workers} worker(s); peak memory: client "
        f"{own / 1024:.2f} GB + workers {on_workers / 1024:.2f} GB = "
        f"{(own + on_workers) / 1024:.2f} GB (sum of each process's peak: an "
        "upper bound)"
    )
    client.close()
    cluster.close()
    return total


if __name__ == "__main__":
    main()
