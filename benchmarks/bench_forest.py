"""The unsupervised random forest at scale: time, peak memory and recall.

Prints, for the forest distance (``astrokit.distances.UnsupervisedRandomForest``,
defaults: 100 trees, each trained on its own 20,000 real + 20,000 synthetic
rows):

1. Recall at ``--recall-rows`` (default 10,000): the approximate neighbour
   search (``algorithm="approximate"``, what large tables use) against the
   exact forest neighbours of the same fitted forest, k = 25. Ties are
   frequent (distances take 101 values), so a returned neighbour counts as
   correct when its exact distance is at most the k-th exact distance. Also
   the time of the dense N x N matrix (the original method's form) and of
   the exact weirdness score compared with the dense one.
2. Scale at ``--n-rows`` (default 1,000,000): fit (sample, shuffle, train,
   place every row in its leaves) plus the k = 25 neighbour graph, in a fresh
   process, with its peak resident memory (``ru_maxrss``, the whole process,
   the data included) read before any check; then recall on 1,000 random
   rows against their exact neighbours among all rows.

Data: a Gaussian mixture standing in for pixel features: 8 informative
features (8 components of unequal weight, each with its own correlations;
two features log-normal and one scaled by 100, so units and scales differ)
and 4 irrelevant uniform-noise features of scales 1 to 1000: 12 in all.

Reference (the original dense implementation, from the issue): 13.5 s and
1.5 GB at 10,000 rows x 12 features on 2 cores, growing as N^2. Targets:
1,000,000 rows in at most 5 minutes and 2 GB; recall at least 0.9.

Run: ``python benchmarks/bench_forest.py`` (``--n-rows 100000`` for a quick
run). Timings depend on the machine's load; numba compiles the search
kernels on first use and caches them on disk (the first run is slower).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def mixture(n: int, seed: int = 0) -> np.ndarray:
    """12 float32 features: 8 structured (Gaussian mixture), 4 pure noise."""
    rng = np.random.default_rng(seed)
    k, d = 8, 8
    structure = np.random.default_rng(1234)  # the same mixture for every n
    weights = structure.dirichlet(np.full(k, 2.0))
    centres = structure.normal(scale=3.0, size=(k, d))
    mixing = structure.normal(scale=0.5, size=(k, d, d))
    scales = np.array([1.0, 10.0, 1000.0, 3.0])
    out = np.empty((n, d + 4), dtype=np.float32)
    for start in range(0, n, 200_000):  # in chunks: bounded memory
        m = min(200_000, n - start)
        label = rng.choice(k, size=m, p=weights)
        z = rng.normal(size=(m, d))
        x = centres[label] + np.einsum("nij,nj->ni", mixing[label], z)
        x[:, :2] = np.exp(0.5 * x[:, :2])
        x[:, 2] *= 100.0
        out[start : start + m, :d] = x
        out[start : start + m, d:] = rng.uniform(size=(m, 4)) * scales
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def recall(approx_misses: np.ndarray, exact_misses: np.ndarray) -> float:
    """Fraction of returned neighbours no farther than the exact k-th one."""
    return float((approx_misses <= exact_misses[:, -1:]).mean())


def run_recall(n: int, n_jobs: int, seed: int) -> dict:
    from astrokit.distances import UnsupervisedRandomForest, _leaf_neighbours

    X = mixture(n, seed)
    urf = UnsupervisedRandomForest(random_state=seed, n_jobs=n_jobs, progress=False)
    t0 = time.perf_counter()
    urf.fit(X)
    fit_s = time.perf_counter() - t0
    codes, sentinel = urf.leaves_, urf.sentinel_
    t0 = time.perf_counter()
    with_self = np.arange(n)
    _, exact = _leaf_neighbours.exact_knn(
        codes, codes, sentinel, 25, self_ids=with_self
    )
    exact_s = time.perf_counter() - t0
    urf.set_params(algorithm="approximate")
    urf._graph_cache = None
    t0 = time.perf_counter()
    dist, _ = urf.kneighbors()
    approx_s = time.perf_counter() - t0
    approx = np.rint(dist * urf.n_estimators).astype(np.int32)
    t0 = time.perf_counter()
    dense = urf.dense_distances()
    dense_s = time.perf_counter() - t0
    dense_weird = dense.sum(axis=1, dtype=np.float64) / (n - 1)
    t0 = time.perf_counter()
    weird = urf.weirdness()
    weird_s = time.perf_counter() - t0
    from scipy.stats import spearmanr

    return {
        "n": n,
        "fit_s": fit_s,
        "exact_knn_s": exact_s,
        "approx_knn_s": approx_s,
        "recall": recall(approx, exact),
        "dense_s": dense_s,
        "weirdness_s": weird_s,
        "weirdness_max_abs_diff": float(np.abs(weird - dense_weird).max()),
        "weirdness_spearman": float(spearmanr(weird, dense_weird).statistic),
        "separability": urf.separability_,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_scale(n: int, n_jobs: int, seed: int, n_check: int = 1000) -> dict:
    from astrokit.distances import UnsupervisedRandomForest, _leaf_neighbours

    X = mixture(n, seed)
    data_rss = peak_rss_mb()
    urf = UnsupervisedRandomForest(random_state=seed, n_jobs=n_jobs, progress=False)
    t0 = time.perf_counter()
    urf.fit(X)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    dist, ind = urf.kneighbors()
    knn_s = time.perf_counter() - t1
    total_s = time.perf_counter() - t0
    peak = peak_rss_mb()
    rows = np.random.default_rng(seed).choice(n, size=min(n_check, n), replace=False)
    codes = urf.leaves_
    _, exact = _leaf_neighbours.exact_knn(
        codes[rows], codes, urf.sentinel_, ind.shape[1], self_ids=rows
    )
    approx = np.rint(dist[rows] * urf.n_estimators).astype(np.int32)
    return {
        "n": n,
        "fit_s": fit_s,
        "knn_s": knn_s,
        "total_s": total_s,
        "peak_rss_mb": peak,
        "data_rss_mb": data_rss,
        "recall_sampled": recall(approx, exact),
        "kth_distance_median": float(np.median(dist[:, -1])),
        "separability": urf.separability_,
    }


def in_fresh_process(kind: str, n: int, n_jobs: int, seed: int) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {sys.path[0]!r}); "
        f"import bench_forest as b; "
        f"print(json.dumps(b.run_{kind}({n}, {n_jobs}, {seed})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-rows", type=int, default=1_000_000)
    parser.add_argument("--recall-rows", type=int, default=10_000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    r = in_fresh_process("recall", args.recall_rows, args.n_jobs, args.seed)
    print(
        f"Recall at N={r['n']:,} x 12 features, n_neighbors=25, 100 trees, "
        f"{args.n_jobs} threads"
    )
    print(f"  forest fit (bootstrap of all rows)     {r['fit_s']:7.1f} s")
    print(f"  exact neighbours (shared-leaf counts)  {r['exact_knn_s']:7.1f} s")
    print(f"  approximate neighbours                 {r['approx_knn_s']:7.1f} s")
    print(f"  recall of approximate vs exact (ties)  {r['recall']:7.3f}")
    print(f"  dense N x N distances                  {r['dense_s']:7.1f} s")
    print(
        f"  weirdness, exact O(N T): {r['weirdness_s']:.3f} s; vs dense row means: "
        f"max |diff| {r['weirdness_max_abs_diff']:.1e}, "
        f"Spearman {r['weirdness_spearman']:.4f}"
    )
    print(f"  separability (held-out real vs synth.) {r['separability']:7.3f}")
    print(f"  peak RSS of that process               {r['peak_rss_mb']:7.0f} MB")

    s = in_fresh_process("scale", args.n_rows, args.n_jobs, args.seed)
    print(f"Scale at N={s['n']:,} x 12 features, n_neighbors=25, {args.n_jobs} threads")
    print(f"  fit: grow trees, leaves of all rows    {s['fit_s']:7.1f} s")
    print(f"  neighbour graph                        {s['knn_s']:7.1f} s")
    print(f"  total                                  {s['total_s']:7.1f} s")
    print(
        f"  peak RSS (whole process)               {s['peak_rss_mb']:7.0f} MB "
        f"(data alone: {s['data_rss_mb']:.0f} MB)"
    )
    print(f"  recall on 1,000 sampled rows (ties)    {s['recall_sampled']:7.3f}")
    print(f"  median k-th neighbour distance         {s['kth_distance_median']:7.3f}")


if __name__ == "__main__":
    main()
