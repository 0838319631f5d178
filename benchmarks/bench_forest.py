"""The unsupervised random forest at scale: time, peak memory and recall.

Prints, for the forest distance (``astrokit.distances.UnsupervisedRandomForest``,
defaults: 100 trees, each trained on its own 20,000 real + 20,000 synthetic
rows), on two data sets side by side:

- ``blobs``: ``sklearn.datasets.make_blobs(n_samples=N, n_features=12,
  centers=6, random_state=0)`` as float32: compact, well-separated groups,
  where the trees stop at pure leaves of thousands of rows (issue 12);
- ``mixture``: a Gaussian mixture standing in for pixel features: 8
  informative features (8 components of unequal weight, each with its own
  correlations; two log-normal, one scaled by 100) and 4 irrelevant
  uniform-noise features of scales 1 to 1000: 12 in all.

1. Recall at ``--recall-rows`` (default 10,000): the approximate neighbour
   search (``algorithm="approximate"``, what large tables use) against the
   exact forest neighbours of the same fitted forest, k = 25. Ties are
   frequent (distances take 101 values), so a returned neighbour counts as
   correct when its exact distance is at most the k-th exact distance. Also
   the time of the dense N x N matrix (the original method's form) and of
   the exact weirdness score compared with the dense one.
2. Scale at ``--rows`` (default 1,000,000), each data set in a fresh
   process: fit (sample, shuffle, train, place every row in its leaves),
   then issue 12's call, ``kneighbors_graph(X)`` with X the training rows:
   the forest knows them by the fingerprint it kept at ``fit``
   (``_trees.fingerprint``), so this is the fitted rows' own graph (each row
   without itself, checked equal to ``kneighbors_graph()``); then the graph
   of ``--new-rows`` fresh rows of the same distribution (the approximate
   search of new rows); peak resident memory (``ru_maxrss``, the whole
   process, the data included) read before any check; recall of both graphs
   on 1,000 random rows against their exact neighbours among all rows (the
   libraries and compiled kernels are loaded first by a small untimed run);
   the process CPU time beside the wall time (on a shared machine the wall
   time is inflated by other work; CPU / threads is what an idle machine
   would take). Then ``pynndescent``'s Euclidean k = 25 graph of the same
   rows (its own fresh process, ``n_jobs`` threads, index plus graph), and
   the ratios. Each result is printed as a ``#`` line as soon as it comes.
3. When ``--rows`` is below 10^6: the 10^6-row time extrapolated from the
   measured one (tree growing is independent of N; the rest is taken as
   linear in N, which the sorts and cache misses make slightly optimistic),
   and the peak memory above that of the libraries, taken as linear.

Reference (the original dense implementation): 13.5 s and 1.5 GB at 10,000
rows x 12 features on 2 cores, growing as N^2. Targets (issue 12): 10^6 rows
of either data set, fit plus graph, in at most 2 minutes on 2 cores and 2 GB,
recall at least 0.95, within 2x of pynndescent's time.

Measured at 10^6 (one run, 2026-12-01 night: ``python
benchmarks/bench_forest.py --rows 1000000 --skip-recall --new-rows 50000``,
2 threads on a quiet 2-core machine), blobs / mixture:

- issue 12's call, fit + ``kneighbors_graph(X)`` (X recognised: the fitted
  rows' graph, equal to ``kneighbors_graph()``, no row its own neighbour):
  **72.5 s / 82.7 s** wall (target 120 s); fit 22.6 / 29.2 s (placing the
  rows 8.5 / 11.3 s), graph 49.9 / 53.6 s; CPU 127 / 148 s;
- pynndescent in the same run: 66.4 s / 50.6 s wall; the forest /
  pynndescent: **1.09 / 1.64** by wall time (target 2), 1.05 / 1.51 by CPU;
- recall on 1,000 rows (ties): **0.993 / 0.981** (fitted graph; target
  0.95), 0.981 / 0.958 (50,000 new rows, 8.7 / 8.7 s);
- peak RSS **1.35 / 1.42 GB** (0.30 GB of it the interpreter and
  libraries, 0.5 GB the data), pynndescent's process 1.41 / 1.42 GB.

The evening's run before (same machine, same call) took 87.2 / 101.8 s,
1.62 / **2.13** times pynndescent. What made the graph 1.4 times faster,
with the same neighbours: counting a pair's misses in one branch-free loop
over the trees, which LLVM vectorises (the early exit every 32 trees it
replaced did not vectorise: half the speed), and counting each pair of a
sorted window once for both rows. On the cached leaves of the mixture
(approximate search alone): 75-84 s before, 39-41 s after; refinement
rounds 29 / 19 / 9 s before, 13 / 9 / 5 s after.

What changed since the first 10^6 run (same day, load 5-15: recall 0.929 /
0.984): the sorted orders are keyed on 32 trees instead of 8
(``_leaf_neighbours.SORT_DEPTH``: on the blobs the trees stop at pure
leaves of up to 2 x 10^5 rows, so an 8-tree key left long runs of rows in
arbitrary order), and refinement stops after 3 rounds instead of 4. On the
cached leaves of the same forests (approximate search alone, 2 threads):
8 trees 0.932 in 129 s, 32 trees 0.995 in 114 s, 100 trees 0.995 in
111 s (4 rounds, a busier machine); 32 trees and 3 rounds 0.994 in 81 s;
on the mixture 0.985 (8 trees, 4 rounds), 0.982 (32 trees, 3 rounds).
Tried and not kept: 4 or 6 orders instead of 8 (blobs 0.978 / 0.990,
mixture 0.976, no faster overall: refinement takes longer from worse
seeds), a window of 8 (no faster), a fan-out of 15 (mixture 0.950).

The check at 2 x 10^5 (``--rows 200000 --skip-recall``, before that kernel):
fit + graph 161 s / 168 s wall, 59 / 64 CPU s, pynndescent 109 s / 149 s
wall, 25 / 22 CPU s; recall 0.976 / 0.991; peak RSS 0.61 / 0.59 GB. Before
issue 12's fix, kneighbors_graph(X) on the blobs searched exactly: 42 s at
50,000 rows, growing as N^2; before the fingerprint, X passed again was
searched as new rows (+9-10 s at 10^5).

Run: ``python benchmarks/bench_forest.py`` (``--rows 100000`` for a quick
run; ``--data blobs`` for one data set). Timings depend on the machine's
load; numba compiles the search kernels on first use and caches them on
disk (the first run is slower).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

K = 25
DATASETS = ("blobs", "mixture")


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


def blobs(n: int, seed: int = 0) -> np.ndarray:
    """Issue 12's compact groups: make_blobs(n, 12 features, 6 centres), float32."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=n, n_features=12, centers=6, random_state=seed)
    return X.astype(np.float32)


def fresh_rows(kind: str, n: int, seed: int) -> np.ndarray:
    """``n`` new rows from the distribution of ``data(kind, ., seed)``."""
    if kind == "mixture":  # the mixture is fixed; ``seed`` draws the rows
        return mixture(n, seed + 1)
    from sklearn.datasets import make_blobs

    # make_blobs draws its centres first: the same 6 centres, other rows
    _, _, centres = make_blobs(
        n_samples=6, n_features=12, centers=6, random_state=seed, return_centers=True
    )
    X, _ = make_blobs(n_samples=n, centers=centres, random_state=seed + 1)
    return X.astype(np.float32)


def data(kind: str, n: int, seed: int) -> np.ndarray:
    return {"blobs": blobs, "mixture": mixture}[kind](n, seed)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def recall(approx_misses: np.ndarray, exact_misses: np.ndarray) -> float:
    """Fraction of returned neighbours no farther than the exact k-th one."""
    return float((approx_misses <= exact_misses[:, -1:]).mean())


class Clock:
    """Wall and process CPU seconds of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def run_recall(kind: str, n: int, n_jobs: int, seed: int) -> dict:
    from astrokit.distances import UnsupervisedRandomForest, _leaf_neighbours

    X = data(kind, n, seed)
    urf = UnsupervisedRandomForest(random_state=seed, n_jobs=n_jobs, progress=False)
    with Clock() as fit:
        urf.fit(X)
    codes, sentinel = urf.leaves_, urf.sentinel_
    with Clock() as exact_t:
        _, exact = _leaf_neighbours.exact_knn(
            codes, codes, sentinel, K, self_ids=np.arange(n)
        )
    urf.set_params(algorithm="approximate")
    urf._graph_cache = None
    with Clock() as approx_t:
        dist, _ = urf.kneighbors(n_neighbors=K)
    approx = np.rint(dist * urf.n_estimators).astype(np.int32)
    with Clock() as dense_t:
        dense = urf.dense_distances()
    dense_weird = dense.sum(axis=1, dtype=np.float64) / (n - 1)
    with Clock() as weird_t:
        weird = urf.weirdness()
    from scipy.stats import spearmanr

    return {
        "n": n,
        "fit_s": fit.wall,
        "exact_knn_s": exact_t.wall,
        "approx_knn_s": approx_t.wall,
        "recall": recall(approx, exact),
        "dense_s": dense_t.wall,
        "weirdness_s": weird_t.wall,
        "weirdness_max_abs_diff": float(np.abs(weird - dense_weird).max()),
        "weirdness_spearman": float(spearmanr(weird, dense_weird).statistic),
        "separability": urf.separability_,
        "peak_rss_mb": peak_rss_mb(),
    }


def warm_up(n_jobs: int) -> None:
    """Load the libraries and the compiled kernels (neither timed nor per row)."""
    from astrokit.distances import UnsupervisedRandomForest

    X = blobs(3000, 1)
    urf = UnsupervisedRandomForest(
        n_estimators=10, algorithm="approximate", n_jobs=n_jobs, progress=False
    )
    urf.fit(X).kneighbors_graph(X, n_neighbors=K)


def run_scale(
    kind: str, n: int, n_jobs: int, seed: int, n_new: int, n_check: int = 1000
) -> dict:
    from astrokit.distances import UnsupervisedRandomForest, _leaf_neighbours, _trees

    warm_up(n_jobs)
    base_rss = peak_rss_mb()  # the interpreter, libraries and compiled kernels
    X = data(kind, n, seed)
    new = fresh_rows(kind, n_new, seed) if n_new else None
    data_rss = peak_rss_mb()
    urf = UnsupervisedRandomForest(random_state=seed, n_jobs=n_jobs, progress=False)
    with Clock() as fit:
        urf.fit(X)
    with Clock() as graph:  # issue 12's call: X is known as the training data
        issue = urf.kneighbors_graph(X, n_neighbors=K)
    with Clock() as again:  # the fitted rows' graph, cached by the call above
        fitted = urf.kneighbors_graph(n_neighbors=K)
    peak_fitted = peak_rss_mb()
    same = (issue != fitted).nnz == 0 and np.array_equal(issue.indices, fitted.indices)
    with Clock() as print_t:  # the fingerprint taken at fit and at the call
        _trees.fingerprint(X)
    out = {}
    if n_new:
        with Clock() as query:
            queried = urf.kneighbors_graph(new, n_neighbors=K)
        out = {"new_s": query.wall, "new_cpu": query.cpu, "n_new": n_new}
    peak = peak_rss_mb()
    sample = min(n, 100_000)
    with Clock() as place:  # the placement part of the fit: a sample, timed again
        urf._apply(X[:sample])
    codes, sentinel = urf.leaves_, urf.sentinel_
    rng = np.random.default_rng(seed)
    rows = rng.choice(n, size=min(n_check, n), replace=False)
    _, exact_fitted = _leaf_neighbours.exact_knn(
        codes[rows], codes, sentinel, K, self_ids=rows
    )

    def misses(g, r):
        d = g.data.reshape(-1, K)[r]
        return np.rint(d * urf.n_estimators).astype(np.int32)

    if n_new:
        picked = rng.choice(n_new, size=min(n_check, n_new), replace=False)
        new_codes = urf._query_codes(new[picked])
        _, exact_new = _leaf_neighbours.exact_knn(new_codes, codes, sentinel, K)
        out["recall_new"] = recall(misses(queried, picked), exact_new)
    dist = fitted.data.reshape(n, K)
    return {
        **out,
        "n": n,
        "n_jobs": n_jobs,
        "fit_s": fit.wall,
        "fit_cpu": fit.cpu,
        "place_s": place.wall * n / sample,
        "place_cpu": place.cpu * n / sample,
        "graph_s": graph.wall,
        "graph_cpu": graph.cpu,
        "again_s": again.wall,
        "fingerprint_s": print_t.wall,
        "same_graph": bool(same),
        "peak_fitted_mb": peak_fitted,
        "peak_rss_mb": peak,
        "data_rss_mb": data_rss,
        "base_rss_mb": base_rss,
        "recall_fitted": recall(misses(fitted, rows), exact_fitted),
        "self_neighbour": float((fitted.indices.reshape(n, K) == rows_of(n)).any()),
        "kth_distance_median": float(np.median(dist[:, -1])),
        "kth_zero": float((dist[:, -1] == 0).mean()),
        "separability": urf.separability_,
    }


def rows_of(n: int) -> np.ndarray:
    return np.arange(n)[:, None]


def run_pynndescent(kind: str, n: int, n_jobs: int, seed: int) -> dict:
    import numba
    from pynndescent import NNDescent

    X = data(kind, n, seed)
    numba.set_num_threads(n_jobs)
    NNDescent(X[:2000], n_neighbors=K + 1, n_jobs=n_jobs)  # compile first
    with Clock() as t:
        index = NNDescent(X, n_neighbors=K + 1, random_state=seed, n_jobs=n_jobs)
        index.neighbor_graph  # noqa: B018
    return {"n": n, "nnd_s": t.wall, "nnd_cpu": t.cpu, "peak_rss_mb": peak_rss_mb()}


def in_fresh_process(func: str, *args) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {sys.path[0]!r}); "
        f"import bench_forest as b; "
        f"print(json.dumps(b.run_{func}(*{args!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"# {func}{args}: {json.dumps(result)}", flush=True)  # kept if cut short
    return result


def table(title: str, rows: list, results: dict) -> None:
    """Print one row per ``(label, format, key or function of a result)``."""
    kinds = list(results)
    print(title)
    print(f"  {'':44s}" + "".join(f"{k:>14s}" for k in kinds))
    for label, fmt, get in rows:
        value = get if callable(get) else (lambda x, key=get: x[key])
        cells = "".join(f"{fmt.format(value(results[k])):>14s}" for k in kinds)
        print(f"  {label:44s}{cells}")


def wall_cpu(name: str):
    """A cell showing ``wall; cpu`` seconds of a timed step."""
    return lambda x: f"{x[name + '_s']:.1f}; {x[name + '_cpu']:.0f}"


RECALL_ROWS = [
    ("forest fit (bootstrap of all rows), s", "{:.1f}", "fit_s"),
    ("exact neighbours (shared-leaf counts), s", "{:.1f}", "exact_knn_s"),
    ("approximate neighbours, s", "{:.1f}", "approx_knn_s"),
    ("recall of approximate vs exact (ties)", "{:.3f}", "recall"),
    ("dense N x N distances, s", "{:.1f}", "dense_s"),
    ("weirdness O(N T), s", "{:.3f}", "weirdness_s"),
    ("  vs dense row means: max |diff|", "{:.1e}", "weirdness_max_abs_diff"),
    ("  vs dense row means: Spearman", "{:.4f}", "weirdness_spearman"),
    ("separability (held-out real vs synth.)", "{:.3f}", "separability"),
    ("peak RSS of that process, MB", "{:.0f}", "peak_rss_mb"),
]


def total(x):
    return x["fit_s"] + x["graph_s"]


def total_cpu(x):
    return x["fit_cpu"] + x["graph_cpu"]


def per_thread(x):
    return total_cpu(x) / x["n_jobs"]


def new_rows(x):
    return wall_cpu("new")(x) if "new_s" in x else "-"


SCALE_ROWS = [
    ("fit: grow trees, leaves of all rows", "{}", wall_cpu("fit")),
    ("  of which placing rows (10^5 timed, scaled)", "{}", wall_cpu("place")),
    ("kneighbors_graph(X), X = the training rows", "{}", wall_cpu("graph")),
    ("fit + kneighbors_graph(X) (issue 12's call)", "{:.1f}", total),
    ("  its CPU s / threads (an idle machine)", "{:.1f}", per_thread),
    ("  equal to kneighbors_graph() (X=None)", "{}", "same_graph"),
    ("  kneighbors_graph() after it (cached), s", "{:.3f}", "again_s"),
    ("  fingerprint of X (sha256 of float64), s", "{:.2f}", "fingerprint_s"),
    ("  any row its own neighbour", "{}", lambda x: bool(x["self_neighbour"])),
    ("pynndescent Euclidean graph", "{}", lambda x: wall_cpu("nnd")(x["nnd"])),
    (
        "(fit + graph) / pynndescent, wall",
        "{:.2f}",
        lambda x: total(x) / x["nnd"]["nnd_s"],
    ),
    (
        "(fit + graph) / pynndescent, CPU",
        "{:.2f}",
        lambda x: total_cpu(x) / x["nnd"]["nnd_cpu"],
    ),
    ("kneighbors_graph(new rows), new rows", "{:,}", lambda x: x.get("n_new", 0)),
    ("  time", "{}", new_rows),
    ("peak RSS, fitted graph, MB", "{:.0f}", "peak_fitted_mb"),
    ("peak RSS, with the new rows' graph, MB", "{:.0f}", "peak_rss_mb"),
    ("  the data alone, MB", "{:.0f}", "data_rss_mb"),
    ("  pynndescent's process, MB", "{:.0f}", lambda x: x["nnd"]["peak_rss_mb"]),
    ("recall, fitted graph (1,000 rows, ties)", "{:.3f}", "recall_fitted"),
    (
        "recall, new rows' graph (1,000 rows)",
        "{:.3f}",
        lambda x: x.get("recall_new", float("nan")),
    ),
    ("median k-th neighbour distance", "{:.3f}", "kth_distance_median"),
    ("rows whose k-th neighbour is at 0 (ties)", "{:.3f}", "kth_zero"),
    ("separability", "{:.3f}", "separability"),
]


def projected(n: int) -> list:
    """Rows of the 10^6 extrapolation from a run at ``n`` rows."""
    f = 1_000_000 / n

    def forest(x):
        grow = x["fit_s"] - x["place_s"]
        return grow + (x["place_s"] + x["graph_s"]) * f

    def nnd(x):
        return x["nnd"]["nnd_s"] * f

    def rss(x, key="peak_fitted_mb"):
        return x["base_rss_mb"] + (x[key] - x["base_rss_mb"]) * f

    return [
        ("fit + kneighbors_graph(X), s", "{:.0f}", forest),
        ("pynndescent, s", "{:.0f}", nnd),
        ("(fit + graph) / pynndescent", "{:.2f}", lambda x: forest(x) / nnd(x)),
        ("peak RSS (above the libraries: linear), MB", "{:.0f}", rss),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", "--n-rows", type=int, default=1_000_000)
    parser.add_argument("--recall-rows", type=int, default=10_000)
    parser.add_argument("--data", default=",".join(DATASETS))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--new-rows", type=int, default=100_000)
    parser.add_argument("--skip-recall", action="store_true")
    args = parser.parse_args()
    kinds = [k for k in args.data.split(",") if k]
    for k in kinds:
        if k not in DATASETS:
            parser.error(f"--data {k!r}: choose from {DATASETS}")
    jobs, seed, n = args.n_jobs, args.seed, args.rows

    if not args.skip_recall:
        m = args.recall_rows
        r = {k: in_fresh_process("recall", k, m, jobs, seed) for k in kinds}
        title = f"Recall at N={m:,} x 12 features, k={K}, 100 trees, {jobs} threads"
        table(title, RECALL_ROWS, r)
    s = {}
    for k in kinds:  # each data set complete before the next (if cut short)
        s[k] = in_fresh_process("scale", k, n, jobs, seed, args.new_rows)
        s[k]["nnd"] = in_fresh_process("pynndescent", k, n, jobs, seed)
    title = f"Scale at N={n:,} x 12 features, k={K}, {jobs} threads (wall s; CPU s)"
    table(title, SCALE_ROWS, s)
    if n < 1_000_000:
        title = (
            f"Extrapolated to N=1,000,000 (x{1e6 / n:.0f}; growing the trees does "
            "not depend on N, the rest taken as linear: optimistic)"
        )
        table(title, projected(n), s)


if __name__ == "__main__":
    main()
