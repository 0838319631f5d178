"""Explorer speed and memory at 10^7 rows (prints figures; not a test).

Three figures, on a synthetic table of N rows x 15 columns (galaxy, x, y,
umap_x, umap_y and ten float32 features; three galaxies):

1. re-aggregation for one view update (pan/zoom of the embedding, coloured by
   a feature: count + mean per pixel at 320 x 320), median of several ranges;
   target at most 150 ms at 10^7 rows;
2. a selection of about 10^6 rows on the embedding propagated to every view
   (rows found, selected subsets re-aggregated in all views, histogram and
   contrast table redrawn); target within 1 s;
3. memory: resident memory added by the explorer (views built, coloured, one
   selection) against the table's own size; target within 2x.

Usage: ``python benchmarks/bench_explorer.py [N]`` (default 10,000,000).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_table(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    galaxy = pd.Categorical.from_codes(
        np.sort(rng.integers(0, 3, n)), ["NGC0628", "NGC1365", "NGC7496"]
    )
    side = int(np.sqrt(n / 3)) + 1
    cols = {
        "galaxy": galaxy,
        "x": rng.integers(0, side, n, dtype=np.int32),
        "y": rng.integers(0, side, n, dtype=np.int32),
    }
    centres = rng.normal(0, 5, size=(6, 2))
    which = rng.integers(0, 6, n)
    emb = centres[which] + rng.normal(0, 1, size=(n, 2))
    cols["umap_x"] = emb[:, 0].astype(np.float32)
    cols["umap_y"] = emb[:, 1].astype(np.float32)
    for i in range(10):
        cols[f"f{i}"] = (rng.normal(size=n) + which * (i % 3)).astype(np.float32)
    return pd.DataFrame(cols)


def main(n: int = 10_000_000) -> None:
    import astrokit as ak

    t0 = time.perf_counter()
    table = make_table(n)
    size_mb = table.memory_usage(deep=True).sum() / 2**20
    print(
        f"table: {n:,} rows x {table.shape[1]} columns, {size_mb:,.0f} MB "
        f"(made in {time.perf_counter() - t0:.1f} s)"
    )

    base = rss_mb()
    ex = ak.explorer.explore(table, color="f3")
    _ = ex.layout  # build the widgets (histogram, contrast table)
    view = ex.views["embedding"]
    view.raster()  # compile Datashader's kernels once
    x0, y0, x1, y1 = view.extent
    times = []
    for k in range(9):
        shrink = 1.0 - 0.08 * k  # a new range each time: no cache hit
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hw, hh = (x1 - x0) / 2 * shrink, (y1 - y0) / 2 * shrink
        start = time.perf_counter()
        view.raster((cx - hw, cx + hw), (cy - hh, cy + hh), 320, 320)
        times.append(time.perf_counter() - start)
    print(
        f"1. view update (count + mean of f3 at 320x320, {n:,} rows): "
        f"median {1000 * np.median(times):.0f} ms, "
        f"min {1000 * min(times):.0f} ms (target <= 150 ms)"
    )

    cut = float(np.quantile(table["umap_x"].to_numpy(), 0.1))
    start = time.perf_counter()
    chosen = ex.select_box("embedding", (x0 - 1e3, y0 - 1e3, cut, 1e3))
    for v in ex.views.values():
        v.raster()
    elapsed = time.perf_counter() - start
    print(
        f"2. selection of {chosen:,} rows propagated to {len(ex.views)} views "
        f"(+ histogram and contrast table): {elapsed:.2f} s (target <= 1 s)"
    )
    start = time.perf_counter()
    chosen = ex.select_box("embedding", (x0 - 1e3, y0 - 1e3, cut + 0.05, 1e3))
    for v in ex.views.values():
        v.raster()
    print(
        f"   again ({chosen:,} rows, caches warm): {time.perf_counter() - start:.2f} s"
    )

    added = rss_mb() - base
    print(
        f"3. memory added by the explorer: {added:,.0f} MB = "
        f"{added / size_mb:.2f} x the table's {size_mb:,.0f} MB (target <= 2x)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000)
