"""Speed and memory of the synthetic galaxy generator; optionally its realism.

Usage::

    python benchmarks/bench_generator.py             # speed and memory
    python benchmarks/bench_generator.py --realism   # + environment recovery

Each case runs in a fresh interpreter: one timed run, then one run under
``tracemalloc`` for the peak of traced allocations (NumPy's included); the
peak resident memory of the process (``ru_maxrss``, imports included) is
printed too.

``--realism`` checks, on the demo tier, that the planted truth is recoverable
from physically motivated features (line ratios, Balmer decrement, CO, Halpha
over 21 um, PAH band ratios) on pixels seen by ALMA, MUSE and JWST with
Halpha detected; non-detections enter at their upper limit (3 sigma):

- 5-fold cross-validated accuracy of a RandomForestClassifier for truth_env;
- adjusted Rand index of KMeans and of a Gaussian mixture (6 components,
  standardised features) against truth_env;
- precision at k = number planted of two unsupervised outlier scores
  (IsolationForest; distance to the 10th nearest neighbour) for truth_anomaly.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASES = [
    ("tiny", None),
    ("demo", None),
    ("full", "NGC1365"),  # about 10^6 rows
    ("full", None),  # all three galaxies
]

CHILD = """
import json, resource, sys, time, tracemalloc
from astrokit.data import make_galaxies
tier, galaxy = sys.argv[1], (sys.argv[2] or None)
make_galaxies("tiny", galaxies="NGC7496")  # warm imports
start = time.perf_counter()
table = make_galaxies(tier, galaxies=galaxy)
seconds = time.perf_counter() - start
rows, mbytes = len(table), table.memory_usage(deep=True).sum() / 1e6
del table
tracemalloc.start()
make_galaxies(tier, galaxies=galaxy)
peak = tracemalloc.get_traced_memory()[1] / 1e6
tracemalloc.stop()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
print(json.dumps(dict(rows=rows, seconds=seconds, table_mb=mbytes,
                      traced_peak_mb=peak, max_rss_mb=rss)))
"""

FEATURES = {
    "log_nii_ha": ("nii6583", "halpha"),
    "log_sii_ha": ("sii6716_31", "halpha"),
    "log_oi_ha": ("oi6300", "halpha"),
    "log_oiii_hb": ("oiii5007", "hbeta"),
    "log_ha_hb": ("halpha", "hbeta"),
    "log_co": ("co21", None),
    "log_ha_f2100w": ("halpha", "f2100w"),
    "log_f1130w_f770w": ("f1130w", "f770w"),
    "log_f335m_f1130w": ("f335m", "f1130w"),
}


def speed() -> None:
    print(f"{'case':<22}{'rows':>11}{'s':>8}{'rows/s':>12}{'table MB':>10}"
          f"{'traced MB':>11}{'max RSS MB':>12}")  # fmt: skip
    for tier, galaxy in CASES:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, tier, galaxy or ""],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        name = f"{tier} ({galaxy or 'all'})"
        print(
            f"{name:<22}{r['rows']:>11,}{r['seconds']:>8.2f}"
            f"{r['rows'] / r['seconds']:>12,.0f}{r['table_mb']:>10.0f}"
            f"{r['traced_peak_mb']:>11.0f}{r['max_rss_mb']:>12.0f}"
        )


def _features(table):
    import numpy as np

    seen = table["co21"].notna() & table["f770w"].notna() & table["halpha"].notna()
    rows = table[seen & ~table["halpha_ul"]]

    def censored(band):  # a non-detection enters at its upper limit
        value = rows[band].to_numpy(float)
        return np.log10(np.maximum(value, 3.0 * rows[band + "_err"].to_numpy(float)))

    cols = [
        censored(a) - (censored(b) if b else 0.0) for a, b in FEATURES.values()
    ]  # fmt: skip
    return rows, np.column_stack(cols)


def realism(seed: int = 0) -> None:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.ensemble import IsolationForest, RandomForestClassifier
    from sklearn.metrics import adjusted_rand_score
    from sklearn.mixture import GaussianMixture
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    from astrokit.data import make_galaxies

    table = make_galaxies("demo", random_state=seed)
    rows, x = _features(table)
    y = rows["truth_env"].cat.codes.to_numpy()
    counts = rows["truth_env"].value_counts().to_dict()
    print(f"\nrealism, demo tier, seed {seed}: {len(rows):,} of {len(table):,} rows")
    print(f"  environments: {counts}")
    forest = RandomForestClassifier(100, n_jobs=2, random_state=0)
    acc = cross_val_score(forest, x, y, cv=5)
    print(f"  RandomForest 5-fold accuracy: {acc.mean():.3f} (+- {acc.std():.3f})")
    xs = StandardScaler().fit_transform(x)
    km = KMeans(6, n_init=10, random_state=0).fit_predict(xs)
    print(f"  KMeans(6) ARI: {adjusted_rand_score(y, km):.3f}")
    gm = GaussianMixture(6, n_init=2, random_state=0).fit(xs).predict(xs)
    print(f"  GaussianMixture(6) ARI: {adjusted_rand_score(y, gm):.3f}")
    truth = rows["truth_anomaly"].to_numpy()
    k = int(truth.sum())
    iso = -IsolationForest(n_estimators=300, random_state=0).fit(xs).score_samples(xs)
    dist = NearestNeighbors(n_neighbors=11).fit(xs).kneighbors(xs)[0][:, -1]
    for name, score in [("IsolationForest", iso), ("10th-neighbour distance", dist)]:
        top = np.argsort(-score)[:k]
        print(f"  anomalies ({k}): {name} precision@{k} = {truth[top].mean():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realism", action="store_true", help="also check truth")
    parser.add_argument("--seed", type=int, default=0, help="seed for --realism")
    args = parser.parse_args()
    speed()
    if args.realism:
        realism(args.seed)


if __name__ == "__main__":
    main()
