"""Every stage on a Dask table: rows per second per stage, and 10^8 rows projected.

Usage::

    python benchmarks/bench_dask.py                          # 2 galaxies, ~10^6 rows
    python benchmarks/bench_dask.py --galaxies 4 --pixels 2000000 4000000
    python benchmarks/bench_dask.py --workers 1              # the scaling ratio

A survey sample is written to Parquet (``astrokit.data.write_survey``, in a
temporary folder), read lazily (``read_table(dask=True)``) on a
``distributed.LocalCluster`` of ``--workers`` processes of one thread, its
features derived (``policy="drop"``) and persisted on the workers, then each
stage is timed on every row: the forest (trees fitted on a sample of
``--sample`` rows on the client, the exact weirdness of every row by a
map-reduce), Gaussian-mixture clusters (fitted on the sample, every row
predicted), outlier scores (knn, lof, isolation: fitted on the sample, every
row scored) and the UMAP embedding (fitted on 50,000 rows, every row placed
by its neighbours). Each line: the eager step (the fit on the sample on
the client; for the forest and the clusters also one counting pass over
every row), the lazy step (every row, on the workers), rows per second over
both, and 10^8 rows projected linearly from it (an upper bound: the fit on
the sample is a constant).

Timings depend on the machine's load (the development machine has 2 cores
shared with other work: noisy); run it alone for figures to quote.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path


def _line(stage: str, rows: int, seconds: float, *, eager: float = 0.0) -> None:
    """Rows/s over both steps, and 10^8 rows projected linearly (an upper
    bound: the fit on the sample does not grow with the rows)."""
    rate = rows / (eager + seconds)
    print(  # noqa: T201 - a benchmark prints its figures
        f"{stage:<26} eager {eager:7.1f} s + lazy {seconds:7.1f} s, {rows:>10,} "
        f"rows: {rate:>9,.0f} rows/s | 10^8 rows <= {1e8 / rate / 3600:6.2f} h"
    )


def _forest(ak, features, sample: int):
    forest = ak.distances.UnsupervisedRandomForest(progress=False)
    forest = ak.distances._dask.fit(forest, features, max_rows=sample)
    return forest.weirdness(features)  # counts the leaves of every row first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--galaxies", type=int, default=2)
    parser.add_argument("--pixels", type=int, nargs=2, default=(400_000, 800_000))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=200_000)
    args = parser.parse_args()

    import distributed

    import astrokit as ak

    warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
    cluster = distributed.LocalCluster(
        n_workers=args.workers, threads_per_worker=1, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = ak.data.write_survey(
            Path(tmp) / "survey", n_galaxies=args.galaxies,
            pixels=tuple(args.pixels), progress=False,
        )  # fmt: skip
        print(f"survey written in {time.perf_counter() - start:.1f} s")  # noqa: T201
        start = time.perf_counter()
        pixels = ak.data.read_table(path, dask=True)
        features = ak.features.derive(pixels, policy="drop").persist()
        distributed.wait(features)
        seconds = time.perf_counter() - start
        n = len(features)
        _line("read + derive (rows read)", len(pixels), seconds)
        print(f"features kept (policy='drop'): {n:,} rows")  # noqa: T201

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
            _line(stage, n, done - fitted, eager=fitted - start)
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
