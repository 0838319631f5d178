"""Discovery without the answer: ``ak.discover`` with its defaults on three tables.

The same call on every table, nothing tuned per table; the truth grades the
result only after the call has returned:

- demo tier (synthetic PHANGS-like pixels): ARI against ``truth_env``, the
  number of groups against the six planted, and the combined outlier
  score's precision at the number of planted anomalies;
- SDSS DR14 10k (``../shared/data/sdss``): the four colours u-g, g-r, r-i,
  i-z (and with log redshift added): ARI against STAR/GALAXY/QSO;
- Gaia EDR3 cone around M67 (``../shared/data/gaia``): (pmra, pmdec,
  parallax); the group that best matches a literature box around M67's
  mean astrometry (Cantat-Gaudin et al. 2018, A&A 618, A93: pmra -10.986,
  pmdec -2.964 mas/yr, parallax 1.135 mas; box: proper motion within
  0.8 mas/yr of that mean and parallax within 0.25 mas): its recall of
  the stars in the box and its purity.

Run: ``.venv/bin/python benchmarks/bench_discover.py [demo sdss gaia]
[--metric urf] [--seeds 0 1 2 3]`` (``--metric`` compares another distance
for the embedding, e.g. Baron's forest, with the default Euclidean one;
``--seeds`` repeats every call with each ``random_state``, to show how much
a figure owes to the seed of UMAP and of the subsamples).
Targets (issue 9): demo ARI >= 0.85 with 5-7 groups and outlier precision
>= 0.85; SDSS ARI >= 0.8 (>= 0.85 with redshift); M67 recall >= 0.95 with
purity >= 0.9.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import astrokit as ak

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
M67 = {"pmra": -10.986, "pmdec": -2.964, "parallax": 1.135}
PM_RADIUS, PLX_HALF_WIDTH = 0.8, 0.25


METRIC = {}
"""Extra options of every call: ``--metric NAME`` on the command line."""


SEED = {"random_state": 0}
"""The ``random_state`` of every call: one per pass of ``--seeds``."""


def _timed(table, **kw):
    start = time.perf_counter()
    found = ak.discover(table, **METRIC, **SEED, **kw)
    return found, time.perf_counter() - start


def demo() -> None:
    table = ak.data.load_demo("demo")
    found, seconds = _timed(table)
    truth = table.loc[found.labels.index, "truth_env"]
    agree = ak.cluster.agreement(found.labels, truth)
    planted = table.loc[found.outliers.index, "truth_anomaly"]
    precision = ak.outliers.precision_at_k(found.outliers, planted)
    print(f"demo: {len(found.labels):,} pixels, {seconds:.0f} s")
    print(f"  groups found {found.n_clusters} (planted {truth.nunique()})")
    print(f"  ARI {agree['ari']:.3f}, noise {np.mean(found.labels < 0):.1%}")
    shown = precision.round(2).to_dict()
    print(f"  outlier precision at {int(planted.sum())} planted: {shown}")


def _sdss_colours() -> pd.DataFrame:
    d = pd.read_csv(SHARED / "sdss" / "skyserver_dr14_10k.csv")
    colours = pd.DataFrame(
        {"u_g": d.u - d.g, "g_r": d.g - d.r, "r_i": d.r - d.i, "i_z": d.i - d.z}
    )
    colours["truth_class"] = d["class"]
    colours["log_z"] = np.log10(np.clip(d["redshift"], 0, None) + 1e-3)
    return colours


def sdss() -> None:
    colours = _sdss_colours()
    for name, cols in [
        ("colours", ["u_g", "g_r", "r_i", "i_z"]),
        ("colours + log z", ["u_g", "g_r", "r_i", "i_z", "log_z"]),
    ]:
        found, seconds = _timed(colours, columns=cols, outliers=False)
        ari = ak.cluster.agreement(found.labels, colours["truth_class"])["ari"]
        print(
            f"sdss {name}: {found.n_clusters} groups, ARI {ari:.3f}, "
            f"noise {np.mean(found.labels < 0):.1%}, {seconds:.0f} s"
        )


def gaia() -> None:
    cone = pd.read_csv(SHARED / "gaia" / "m67_gaia_edr3_cone.csv")
    cols = ["pmra", "pmdec", "parallax"]
    found, seconds = _timed(cone, columns=cols, outliers=False)
    kept = cone.loc[found.labels.index]
    pm = np.hypot(kept.pmra - M67["pmra"], kept.pmdec - M67["pmdec"])
    box = (pm < PM_RADIUS) & ((kept.parallax - M67["parallax"]).abs() < PLX_HALF_WIDTH)
    best = None
    for label in sorted(set(found.labels) - {-1}):
        member = found.labels == label
        recall = (member & box).sum() / box.sum()
        purity = (member & box).sum() / member.sum()
        if best is None or recall * purity > best[1] * best[2]:
            best = (label, recall, purity, int(member.sum()))
    print(
        f"gaia M67: {len(kept):,} stars with astrometry ({len(found.dropped):,} "
        f"without), {int(box.sum())} in the box, {found.n_clusters} groups, "
        f"{seconds:.0f} s"
    )
    if best:
        label, recall, purity, size = best
        print(
            f"  best group {label} ({size} stars): recall {recall:.3f}, "
            f"purity {purity:.3f}"
        )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = sys.argv[1:]
    if "--metric" in args:
        at = args.index("--metric")
        METRIC["metric"] = args[at + 1]
        del args[at : at + 2]
    seeds = [0]
    if "--seeds" in args:
        at = args.index("--seeds")
        tail = args[at + 1 :]
        count = next((i for i, a in enumerate(tail) if not a.isdigit()), len(tail))
        seeds = [int(a) for a in tail[:count]]
        del args[at : at + 1 + count]
    wanted = args or ["sdss", "gaia", "demo"]
    if {"sdss", "gaia"} & set(wanted) and not SHARED.is_dir():
        print(f"skipping sdss and gaia: {SHARED} is absent")
        wanted = [w for w in wanted if w == "demo"]
    for seed in seeds:
        SEED["random_state"] = seed
        metric = METRIC.get("metric", "default")
        print(f"discover, metric={metric}, random_state={seed}")
        for name in wanted:
            {"demo": demo, "sdss": sdss, "gaia": gaia}[name]()
