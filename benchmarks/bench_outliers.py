"""Outlier scores on the demo galaxies: time and precision per method and policy.

Run: ``python benchmarks/bench_outliers.py [--tier demo] [--policies drop flag]``.
For each missing-data policy of ``astrokit.features.derive`` it prints how
many rows and planted anomalies survive, then, per method of
``astrokit.outliers.score`` (and ``combined``), the run time and the
precision of the top k rows against ``truth_anomaly`` with k the number of
anomalies among the scored rows (precision = recall there), also per kind.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import astrokit as ak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="demo")
    parser.add_argument("--policies", nargs="+", default=["drop", "flag", "impute"])
    parser.add_argument("--methods", nargs="+", default=list(ak.outliers.METHODS))
    args = parser.parse_args()
    table = ak.data.load_demo(tier=args.tier)
    truth = table["truth_anomaly"]
    kind = table["truth_anomaly_kind"].astype(str)
    planted = kind[truth].value_counts().to_dict()
    print(f"tier={args.tier}: {len(table):,} rows, planted anomalies {planted}")
    for policy in args.policies:
        start = time.perf_counter()
        features = ak.features.derive(table, policy=policy)
        derive_s = time.perf_counter() - start
        t = truth.loc[features.index]
        k = int(t.sum())
        kept = kind.loc[features.index][t].value_counts().to_dict()
        print(
            f"\npolicy={policy!r}: {len(features):,} rows kept ({derive_s:.1f} s), "
            f"anomalies kept {k} {kept}"
        )
        scores = ak.outliers.score(features, methods=args.methods, progress=False)
        print(f"  {'method':10s} {'seconds':>8s} {'P@k':>6s}  found per kind (k={k})")
        for name in [*scores.attrs["methods"], "combined"]:
            found = ak.outliers.top(scores, n=k, column=name).index
            per_kind = kind.loc[found][truth.loc[found]].value_counts().to_dict()
            seconds = scores.attrs["seconds"].get(name, np.nan)
            p = ak.outliers.precision_at_k(scores[name], truth, k=k)
            print(f"  {name:10s} {seconds:8.1f} {p:6.3f}  {per_kind}")


if __name__ == "__main__":
    main()
