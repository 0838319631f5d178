"""UMAP cold start in fresh processes, and fit-on-sample for large N.

Prints:

1. Cold start, 10,000 rows x 8 features, n_neighbors=25, min_dist=0, seeded:
   each scenario runs in fresh interpreters with its own empty numba cache
   (``NUMBA_CACHE_DIR``), which is the state right after ``pip install``:
   plain umap-learn; ``astrokit.embedding.embed`` without warm-up;
   ``warm_up()`` (what ``astrokit prepare`` runs) and then ``embed`` in the
   next fresh process; the same with ``n_epochs=200``; and a second ``embed``
   in an already warm process (the work itself, no compilation).
2. Large N: a full fit against ``max_rows`` (fit on a random sample,
   ``transform`` the rest) at 20,000 rows, where both are cheap, with
   trustworthiness and kNN preservation of each; then fit-on-sample at
   200,000 rows (``--large-rows``); ``--full-large`` also fits all of them.

Data: a synthetic stand-in for pixel features (six Gaussian "environments" of
unequal size and spread in 8 dimensions, bent by a smooth non-linear map), so
the benchmark needs nothing but astrokit. Run: ``python benchmarks/bench_embedding.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

DATA = """
import numpy as np
def make(n, seed=0):
    rng = np.random.default_rng(seed)
    weights = np.array([0.45, 0.25, 0.12, 0.1, 0.05, 0.03])
    centres = rng.normal(scale=4.0, size=(6, 8))
    label = rng.choice(6, size=n, p=weights)
    spread = np.array([1.5, 1.0, 0.6, 0.8, 0.4, 0.3])[label, None]
    x = centres[label] + spread * rng.normal(size=(n, 8))
    x[:, 1] += 0.15 * x[:, 0] ** 2
    x[:, 3] = np.sin(x[:, 2]) * 3 + x[:, 3]
    return x.astype(np.float32), label
"""

CHILD = {
    "plain": """
import umap
# 26 in umap-learn's count (the point itself included) = astrokit's 25 others
model = umap.UMAP(n_neighbors=26, min_dist=0.0, random_state=0)
model.fit_transform(X)
""",
    "embed": """
from astrokit import embedding
embedding.embed(X, cache=False, **KW)
""",
    "warm_up": """
from astrokit import embedding
embedding.warm_up()
""",
}


def _child(kind: str, numba_dir: str, kw: dict | None = None, repeat: int = 1) -> dict:
    code = f"""
import json, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
{DATA}
X, _ = make(10_000)
KW = {kw or {}!r}
times = []
for _ in range({repeat}):
    t = time.perf_counter()
{_indent(CHILD[kind])}
    times.append(time.perf_counter() - t)
print(json.dumps({{"times": times, "total": time.perf_counter() - t0}}))
"""
    env = {**os.environ, "NUMBA_CACHE_DIR": numba_dir, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _indent(code: str) -> str:
    return "\n".join("    " + line for line in code.strip().splitlines())


def cold_start() -> None:
    print("== cold start: 10,000 rows x 8 features, n_neighbors=25, min_dist=0")
    print("   (fresh interpreter; seconds from the first UMAP call to its result)")
    with tempfile.TemporaryDirectory() as root:
        fresh = [os.path.join(root, name) for name in "abc"]
        plain = _child("plain", fresh[0])
        print(f"plain umap-learn, fresh install:            {plain['times'][0]:6.1f} s")
        embed = _child("embed", fresh[1])
        print(f"astrokit embed, no warm-up:                 {embed['times'][0]:6.1f} s")
        warm = _child("warm_up", fresh[2])
        print(f"warm_up() itself (astrokit prepare):        {warm['times'][0]:6.1f} s")
        after = _child("embed", fresh[2], repeat=2)
        print(f"astrokit embed after warm-up, fresh kernel: {after['times'][0]:6.1f} s")
        print(f"  same call again in that process (no JIT): {after['times'][1]:6.1f} s")
        fast = _child("embed", fresh[2], {"n_epochs": 200}, repeat=2)
        print(f"  with n_epochs=200, fresh kernel:          {fast['times'][0]:6.1f} s")
        print(f"  with n_epochs=200, again in that process: {fast['times'][1]:6.1f} s")


def _scores(data, emb) -> str:
    from astrokit import embedding

    q = embedding.quality(data, emb)
    return f"T={q['trustworthiness']:.3f} kNN={q['knn_preservation']:.3f}"


def large(rows: int, sample: int, full_large: bool) -> None:
    import numpy as np  # noqa: F401  (used by the DATA code)

    from astrokit import embedding

    namespace: dict = {}
    exec(DATA, namespace)
    make = namespace["make"]
    embedding.embed(make(500)[0], n_neighbors=25, max_rows=300, cache=False)
    print("== fit on a sample, transform the rest (warm process)")
    for n, m, full in [(20_000, 5_000, True), (rows, sample, full_large)]:
        data, _ = make(n, seed=1)
        if full:
            start = time.perf_counter()
            emb = embedding.embed(data, cache=False)
            took = time.perf_counter() - start
            print(
                f"N={n:>9,} full fit:              {took:7.1f} s  {_scores(data, emb)}"
            )
        start = time.perf_counter()
        emb = embedding.embed(data, max_rows=m, cache=False)
        took = time.perf_counter() - start
        print(f"N={n:>9,} max_rows={m:>7,}:     {took:7.1f} s  {_scores(data, emb)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--large-rows", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--full-large", action="store_true")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    if not args.skip_cold:
        cold_start()
    if not args.skip_large:
        large(args.large_rows, args.sample, args.full_large)


if __name__ == "__main__":
    main()
