"""The survey tier on disk: write it to Parquet, read it back with and without Dask.

Usage::

    python benchmarks/bench_survey.py                  # 3 galaxies, PHANGS sizes
    python benchmarks/bench_survey.py --galaxies 25    # the full survey, ~10^8 rows
    python benchmarks/bench_survey.py --pixels 200000 400000   # a quick run

1. Write: ``astrokit.data.write_survey`` (``--n-jobs`` generating processes,
   ``--chunk-rows`` cells per chunk): rows, wall time, rows per second, CPU
   time (this process and its children), bytes on disk, and the peak resident
   memory (``ru_maxrss``) of the writing process and of the largest
   generating process (the children's peak: one chunk each).
2. Read in memory: ``read_table(path)`` (all columns) in a fresh process:
   time, rows per second, peak memory (the table itself: it must fit).
3. Read with Dask: ``read_table(path, dask=True)`` on a
   ``distributed.LocalCluster`` (``--workers`` processes, one thread each) in
   a fresh process: the row count and mean Halpha per galaxy over every
   partition (each row group read once), time, rows per second, and the
   peak memory of the client and of each worker (``Client.run`` of
   ``ru_maxrss``): bounded by a few row groups whatever the survey's size.

Every phase prints one line of figures. Timings depend on the machine's load
(the development machine has 2 cores shared with other work: noisy).

Measured (default run: 3 galaxies of 2.1, 2.4 and 9.4 million planned pixels,
chunk_rows 500,000, n_jobs 2, on 2 cores under a load average of 13-15 from
other work, so wall times are inflated; two runs agree within 2%):
write 14,215,393 rows in 390 s = 36,000 rows/s wall (141 s of CPU: about
100,000 rows per CPU second, so about 200,000 rows/s on 2 idle cores),
1.28 GiB on disk (97 B/row), peak memory 0.54 GB (writer) and 0.84 GB
(largest generating process); 10^8 rows projected at 46 min wall at this
rate and 9 GiB. Read into pandas: 42 s (335,000 rows/s), a 2.50 GiB table,
peak 4.6 GB (Arrow's decoding plus the conversion; 7.6 GB before the reader
used split_blocks/self_destruct and a dictionary partition column). Read with
Dask (2 workers, 39 partitions, columns galaxy and halpha, one pass): 29 s
(490,000 rows/s), client 0.54 GB, workers 0.26-0.27 GB each.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

READ_PANDAS = """
import json, resource, sys, time
from astrokit.data import read_table
t0 = time.perf_counter()
table = read_table(sys.argv[1])
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
print(json.dumps({"rows": len(table), "s": dt, "peak_gb": rss,
                  "table_gb": table.memory_usage(deep=True).sum() / 2**30}))
"""

READ_DASK = """
import json, resource, sys, time
import dask
from distributed import Client, LocalCluster
from astrokit.data import read_table

def peak():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

if __name__ == "__main__":
    workers = int(sys.argv[2])
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        frame = read_table(sys.argv[1], dask=True, columns=["galaxy", "halpha"])
        stats = frame.groupby("galaxy", observed=True)["halpha"].agg(["count", "mean"])
        counts = frame.map_partitions(len)
        stats, counts = dask.compute(stats, counts)  # one pass over the files
        dt = time.perf_counter() - t0
        per_worker = sorted(client.run(peak).values())
    print(json.dumps({"rows": int(counts.sum()), "s": dt,
                      "partitions": frame.npartitions, "client_gb": peak(),
                      "worker_gb": per_worker, "galaxies": len(stats)}))
"""


def _child(code: str, *args) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--galaxies", type=int, default=3)
    parser.add_argument("--pixels", type=int, nargs=2, default=None,
                        help="pixels per galaxy: low high")  # fmt: skip
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--path", type=Path, default=None, help="keep it here")
    args = parser.parse_args()

    from astrokit.data import read_manifest, survey_galaxies, write_survey

    sizes = {"pixels": tuple(args.pixels)} if args.pixels else {}
    plan = survey_galaxies(args.galaxies, **sizes)
    pixels = sizes.get("pixels", "1-10 million")
    print(f"survey: {args.galaxies} galaxies, pixels {pixels}, "
          f"{plan['target_pixels'].sum():,} rows planned; chunk_rows "
          f"{args.chunk_rows:,}, n_jobs {args.n_jobs}")  # fmt: skip
    scratch = None
    if args.path is None:
        scratch = Path(tempfile.mkdtemp(prefix="bench_survey_"))
        path = scratch / "survey"
    else:
        path = args.path
    try:
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        write_survey(path, n_galaxies=args.galaxies, chunk_rows=args.chunk_rows,
                     n_jobs=args.n_jobs, overwrite=True, **sizes)  # fmt: skip
        dt = time.perf_counter() - t0
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time() - cpu0 + children.ru_utime + children.ru_stime
        rows = sum(p["rows"] for p in read_manifest(path)["partitions"])
        size = _disk_bytes(path)
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"write: {rows:,} rows in {dt:.1f} s = {rows / dt:,.0f} rows/s "
              f"(CPU {cpu:.0f} s); {size / 2**30:.2f} GiB on disk "
              f"({size / rows:.0f} B/row); peak memory {own:.2f} GB (writer), "
              f"{children.ru_maxrss / 2**20:.2f} GB (largest generator)")  # fmt: skip
        print(f"  10^8 rows at this rate: {1e8 / (rows / dt) / 60:.0f} min, "
              f"{1e8 * size / rows / 2**30:.0f} GiB")  # fmt: skip
        got = _child(READ_PANDAS, path)
        print(f"read (pandas): {got['rows']:,} rows in {got['s']:.1f} s = "
              f"{got['rows'] / got['s']:,.0f} rows/s; table {got['table_gb']:.2f} "
              f"GiB, peak memory {got['peak_gb']:.2f} GB")  # fmt: skip
        got = _child(READ_DASK, path, args.workers)
        workers = ", ".join(f"{w:.2f}" for w in got["worker_gb"])
        print(f"read (Dask, {args.workers} workers, {got['partitions']} "
              f"partitions): {got['rows']:,} rows counted and mean Halpha of "
              f"{got['galaxies']} galaxies in {got['s']:.1f} s = "
              f"{got['rows'] / got['s']:,.0f} rows/s; peak memory client "
              f"{got['client_gb']:.2f} GB, workers [{workers}] GB")  # fmt: skip
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
