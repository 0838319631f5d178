"""How the outlier methods combine: precision per method and per rule.

Run: ``python benchmarks/bench_outlier_combination.py [--tier demo]``.

Two cases, each graded after the fact by a truth column that never picks a
parameter (the same default call on both):

1. the synthetic galaxies: ``X = features.to_matrix(features.derive(table,
   policy="flag"))``, graded by ``truth_anomaly``;
2. real stars, the Gaia EDR3 cone around M67 (``../shared/data/gaia``;
   skipped when absent): features (bp_rp, absolute G, pmra, pmdec,
   parallax), graded by white dwarfs defined from the colour-magnitude
   diagram: ``M_G = G + 5 log10(parallax / 100 mas) > 10 + 2.5 bp_rp`` (the
   cut of astrokit issue 9, a line between the main sequence and the white
   dwarf cooling sequence, where Gentile Fusillo et al. 2019, MNRAS 482,
   4570, put the blue edge of their broader selection), stars with
   positive parallax and all five values. The file holds no parallax
   errors, so faint stars with noisy parallaxes scatter into that region:
   "white dwarfs" here are candidates by position in the diagram.

For each: precision at k = the number of true rows (precision = recall
there) of every method, of ``combined`` under every rule of
``astrokit.outliers.RULES`` (the default first), and of chance; then the
same rules with LOF at 25 neighbours (astrokit 0.2's setting, before LOF
took the group scale ``min_cluster_size``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import astrokit as ak
from astrokit.outliers._combine import combine_percentiles

GAIA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gaia"


def report(name: str, X: pd.DataFrame, truth: pd.Series) -> None:
    start = time.perf_counter()
    scores = ak.outliers.score(X, progress=False)
    seconds = time.perf_counter() - start
    k = int(truth.sum())
    attrs = scores.attrs
    print(
        f"\n{name}: {len(X):,} rows, {k} true ({k / len(X):.4f} = chance), "
        f"{seconds:.0f} s; n_neighbors={attrs['n_neighbors']}, "
        f"min_cluster_size={attrs['min_cluster_size']}, "
        f"lof_neighbors={attrs['lof_neighbors']}"
    )
    methods = attrs["methods"]
    print(f"  {'':26s} {'P@k':>6s}")
    for m in methods:
        p = ak.outliers.precision_at_k(scores[m], truth)
        print(f"  {m:26s} {p:6.3f}   {ak.outliers.KINDS[m]}")
    pct = scores[[f"{m}_pct" for m in methods]]
    old = ak.outliers.score(X, methods="lof", min_cluster_size=25)["lof_pct"]
    p_old = ak.outliers.precision_at_k(old, truth)
    print(f"  {'lof, 25 neighbours':26s} {p_old:6.3f}")
    rules = [ak.outliers.DEFAULT_RULE, *[r for r in ak.outliers.RULES if r != "fisher"]]
    for r in rules:
        new = ak.outliers.precision_at_k(combine_percentiles(pct, r, len(X)), truth)
        before = combine_percentiles(pct.assign(lof_pct=old), r, len(X))
        p_before = ak.outliers.precision_at_k(before, truth)
        print(
            f"  combined, rule={r:10s} {new:6.3f}   "
            f"(with lof at 25 neighbours: {p_before:.3f})"
        )
    seconds = ", ".join(f"{m} {s:.0f} s" for m, s in attrs["seconds"].items())
    print(f"  run time per method: {seconds}")
    found = ak.outliers.top(scores, n=k)
    flagged = found.loc[truth.loc[found.index].to_numpy(), "flagged_by"]
    flagged = flagged.str.split(", ").map(sorted).str.join(", ")
    print("  which methods flag (top 1%) the true rows of the default top k:")
    print(flagged.value_counts().head(6).to_string())


def gaia_white_dwarfs() -> tuple[pd.DataFrame, pd.Series] | None:
    path = GAIA / "m67_gaia_edr3_cone.csv"
    if not path.is_file():
        print(f"\nGaia case skipped: {path} is absent")
        return None
    stars = pd.read_csv(path)
    cols = ["pmra", "pmdec", "parallax", "phot_g_mean_mag", "bp_rp"]
    stars = stars[stars[cols].notna().all(axis=1) & (stars["parallax"] > 0)]
    abs_g = stars["phot_g_mean_mag"] + 5 * np.log10(stars["parallax"] / 100)
    X = stars[["bp_rp"]].assign(abs_g=abs_g)
    X[["pmra", "pmdec", "parallax"]] = stars[["pmra", "pmdec", "parallax"]]
    return X, abs_g > 10 + 2.5 * stars["bp_rp"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="demo")
    args = parser.parse_args()
    table = ak.data.load_demo(tier=args.tier)
    X = ak.features.to_matrix(ak.features.derive(table, policy="flag"))
    report(f"synthetic galaxies, tier={args.tier}", X, table["truth_anomaly"])
    case = gaia_white_dwarfs()
    if case is not None:
        report("Gaia M67 cone, white dwarfs by the CMD", *case)


if __name__ == "__main__":
    main()
