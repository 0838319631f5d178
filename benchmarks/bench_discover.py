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
The box holds faint members less well than bright ones: at G = 20 Gaia
EDR3's uncertainties (about 0.5 mas and 0.5 mas/yr; Lindegren et al. 2021)
are as large as the box, so a faint member often falls outside it and counts
against the purity. The figures are
printed again for the stars of G < 18, the magnitude limit of Cantat-Gaudin
et al.'s membership, where the box is a fair truth.
Every run prints the versions of the libraries that move these figures
(UMAP, pynndescent, numba, scikit-learn, numpy); with several seeds it
ends with each figure's mean, minimum and maximum over them.
Targets (issue 9): demo ARI >= 0.85 with 5-7 groups and outlier precision
>= 0.85; SDSS ARI >= 0.8 (>= 0.85 with redshift); M67 recall >= 0.95 with
purity >= 0.9.

Measured 2026-12-02 (umap-learn 0.5.12, pynndescent 0.7.0, numba 0.68.1,
scikit-learn 1.9.1, numpy 2.4.6) on an AMD EPYC machine, ``--seeds 0 1 2 3``,
mean (min-max), with the withdrawal of groups that dissolve in the reruns and
the split of groups by their features (``cluster.split_groups``): demo 7.25
groups (7-8), ARI 0.822 (0.821-0.823), combined precision 0.90 (0.89-0.90);
SDSS colours 0.783 (0.775-0.797), with log z 0.865 (0.857-0.867); M67 recall
0.930 (0.856-1.000), purity 0.846 (0.691-0.951), at G < 18 purity 0.933
(0.886-0.971). Re-measured 2026-12-03 on the same machine after the split
gained its BIC check and its own reruns (``split_stability``): the same
demo figures on seeds 0-3 (7, 7, 7, 8 groups; the AGN-bulge split found
again in its reruns at Jaccard 1.00), the same SDSS and M67 figures on
seed 0. Last session, on another machine, the means over the same
seeds (before the withdrawal) were demo 8 groups, ARI 0.821, M67 recall
0.999, purity 0.796: UMAP's optimisation is chaotic, so figures move with
the CPU as with the seed.
Re-measured 2026-12-03 (same machine) after the split was fitted on trimmed
Gaussians, splits whose parts dissolve were undone, and groups that reruns
of the whole method with new UMAP seeds do not find again were withdrawn:
seed 0 demo 7 groups, ARI 0.821, combined precision 0.90 (every demo group
found again at 0.76-0.98); SDSS colours 0.782 (found again at 0.95-0.99),
with log z 0.872 (3 groups: a split of the quasars that dissolved in its
reruns is undone, two star islands that new embeddings join to the stellar
locus are withdrawn, 7% noise); M67 recall 0.864, purity 0.937. A 4-D
Gaussian of 10,000 rows, torn into 11 groups by the embedding, is now one
group; 3,000-row SDSS subsamples (seeds 0 and 3 of ``DataFrame.sample``)
went from 2 groups at ARI 0.22 to 3 groups at 0.86 and 0.85 (the trimmed
split parts galaxies from stars).
Re-measured 2026-12-04 on another AMD EPYC machine (same library versions),
``--seeds 0 1 2 3``, after a group that new embeddings find only together
with another joins it (``_discover/_reruns.join_reunited``) instead of
being withdrawn: demo 7.25 groups (7-8), ARI 0.824 (0.823-0.826), combined
precision 0.90 (0.89-0.90); SDSS colours 0.783 (0.778-0.796), with log z
0.912 (0.867-0.964; before the join 0.816, 0.566-0.964: on seed 3 HDBSCAN
parted the galaxies in two, new embeddings found them as one, and 1,910
galaxies were withdrawn as noise); M67 recall 0.999 (0.995-1.000), purity
0.783 (0.704-0.882), at G < 18 0.915 (0.891-0.951). On this machine the
seed-0 M67 group takes in the faint halo the other machine left out
(recall 1.000, purity 0.758 before the join, 0.704 after: 115 faint stars,
parallax 0.65 mas above the cluster's, that new embeddings put with M67).
A classifier trained on the truth (the supervised ceiling printed with
each ARI: 5-fold cross-validated gradient-boosted trees on the same
features) reaches 0.888 on the demo, 0.896 on SDSS colours and 0.973 with
log z, so the targets are 96%, 89% and 87% of what the features allow.
Re-measured 2026-12-06 on an AMD EPYC machine (same library versions),
``--seeds 0 1 2 3``, after HDBSCAN moved to fast_hdbscan on tables of 5,000
rows or more and the split's trimmed fits were warm-started: demo 7.25
groups (7-8), ARI 0.824 (0.823-0.827), combined precision 0.90
(0.89-0.90); SDSS colours 0.783 (0.778-0.796), with log z 0.903
(0.857-0.957); M67 recall 0.999 (0.995-1.000), purity 0.782
(0.704-0.882), at G < 18 0.915 (0.891-0.951). On seed 0 the code before
these changes gives the same figures on this machine, but for SDSS with
log z (0.868 and 4 groups before, 0.864 and 5 now: the warm-started
fits split two groups where the fits afresh split one). Discover on the
demo tier, seed 0, embeddings not cached: 221 s, against 341 s before.
Before the split (HDBSCAN alone): demo 6.25 groups (6-7), ARI 0.772
(0.752-0.822), the molecular clouds, a thin tail of the diffuse gas in the
embedding, a group of their own on one seed in four.
"""

from __future__ import annotations

import importlib.metadata
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
G_LIMIT = 18.0
"""Cantat-Gaudin et al. (2018) assign members down to G = 18."""
LIBRARIES = ["umap-learn", "pynndescent", "numba", "scikit-learn", "numpy"]


METRIC = {}
"""Extra options of every call: ``--metric NAME`` on the command line."""


SEED = {"random_state": 0}
"""The ``random_state`` of every call: one per pass of ``--seeds``."""


def _timed(table, **kw):
    start = time.perf_counter()
    found = ak.discover(table, **METRIC, **SEED, **kw)
    return found, time.perf_counter() - start


def _found_again(found) -> str:
    """The range of the groups' ``embedding_stability``."""
    again = found.stability.get("embedding_stability", pd.Series(dtype=float))
    if again.notna().sum() == 0:
        return "groups not rerun"
    return f"found again by new embeddings at {again.min():.2f}-{again.max():.2f}"


CEILING = {}
"""ARI a classifier trained on the truth reaches, per table (computed once)."""


def _ceiling(name: str, features: pd.DataFrame, truth: pd.Series) -> float:
    """ARI of 5-fold cross-validated gradient-boosted trees trained on the truth.

    What a grouping of these features could reach if it knew the classes:
    the rows the trees confuse overlap in the features, so no unsupervised
    method can part them either. The truth trains it here, and only here.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import adjusted_rand_score
    from sklearn.model_selection import cross_val_predict

    if name not in CEILING:
        guess = cross_val_predict(
            HistGradientBoostingClassifier(random_state=0), features, truth, cv=5
        )
        CEILING[name] = adjusted_rand_score(truth, guess)
    return CEILING[name]


def demo() -> dict:
    table = ak.data.load_demo("demo")
    found, seconds = _timed(table)
    truth = table.loc[found.labels.index, "truth_env"]
    agree = ak.cluster.agreement(found.labels, truth)
    planted = table.loc[found.outliers.index, "truth_anomaly"]
    precision = ak.outliers.precision_at_k(found.outliers, planted)
    print(f"demo: {len(found.labels):,} pixels, {seconds:.0f} s")
    print(f"  groups found {found.n_clusters} (planted {truth.nunique()}), "
          + _found_again(found))  # fmt: skip
    ceiling = _ceiling("demo", found.features, truth)
    print(
        f"  ARI {agree['ari']:.3f} (supervised ceiling {ceiling:.3f}), "
        f"noise {np.mean(found.labels < 0):.1%}"
    )
    shown = precision.round(2).to_dict()
    print(f"  outlier precision at {int(planted.sum())} planted: {shown}")
    return {
        "demo groups": found.n_clusters,
        "demo ARI": agree["ari"],
        "demo combined precision": precision["combined"],
    }


def _sdss_colours() -> pd.DataFrame:
    d = pd.read_csv(SHARED / "sdss" / "skyserver_dr14_10k.csv")
    colours = pd.DataFrame(
        {"u_g": d.u - d.g, "g_r": d.g - d.r, "r_i": d.r - d.i, "i_z": d.i - d.z}
    )
    colours["truth_class"] = d["class"]
    colours["log_z"] = np.log10(np.clip(d["redshift"], 0, None) + 1e-3)
    return colours


def sdss() -> dict:
    colours = _sdss_colours()
    figures = {}
    for name, cols in [
        ("colours", ["u_g", "g_r", "r_i", "i_z"]),
        ("colours + log z", ["u_g", "g_r", "r_i", "i_z", "log_z"]),
    ]:
        found, seconds = _timed(colours, columns=cols, outliers=False)
        ari = ak.cluster.agreement(found.labels, colours["truth_class"])["ari"]
        ceiling = _ceiling(name, colours[cols], colours["truth_class"])
        print(
            f"sdss {name}: {found.n_clusters} groups, ARI {ari:.3f} "
            f"(supervised ceiling {ceiling:.3f}), "
            f"noise {np.mean(found.labels < 0):.1%}, {seconds:.0f} s; "
            + _found_again(found)
        )
        figures[f"sdss {name} ARI"] = ari
    return figures


def _best_group(labels: pd.Series, box: pd.Series) -> tuple:
    """(label, recall, purity, size) of the group that best matches the box."""
    best = (None, 0.0, 0.0, 0)
    for label in sorted(set(labels) - {-1}):
        member = labels == label
        recall = (member & box).sum() / box.sum()
        purity = (member & box).sum() / member.sum()
        if recall * purity > best[1] * best[2]:
            best = (label, recall, purity, int(member.sum()))
    return best


def gaia() -> dict:
    cone = pd.read_csv(SHARED / "gaia" / "m67_gaia_edr3_cone.csv")
    cols = ["pmra", "pmdec", "parallax"]
    found, seconds = _timed(cone, columns=cols, outliers=False)
    kept = cone.loc[found.labels.index]
    pm = np.hypot(kept.pmra - M67["pmra"], kept.pmdec - M67["pmdec"])
    box = (pm < PM_RADIUS) & ((kept.parallax - M67["parallax"]).abs() < PLX_HALF_WIDTH)
    print(
        f"gaia M67: {len(kept):,} stars with astrometry ({len(found.dropped):,} "
        f"without), {int(box.sum())} in the box, {found.n_clusters} groups, "
        f"{seconds:.0f} s; " + _found_again(found)
    )
    label, recall, purity, size = _best_group(found.labels, box)
    print(f"  best group {label} ({size} stars): recall {recall:.3f}", end="")
    print(f", purity {purity:.3f}")
    bright = kept.phot_g_mean_mag < G_LIMIT
    member = found.labels == label
    bright_recall = (member & box & bright).sum() / (box & bright).sum()
    bright_purity = (member & box & bright).sum() / (member & bright).sum()
    print(
        f"  the same group at G < {G_LIMIT:g} ({int((box & bright).sum())} in the "
        f"box): recall {bright_recall:.3f}, purity {bright_purity:.3f}"
    )
    return {
        "M67 recall": recall,
        "M67 purity": purity,
        f"M67 recall G<{G_LIMIT:g}": bright_recall,
        f"M67 purity G<{G_LIMIT:g}": bright_purity,
    }


def _versions() -> str:
    return ", ".join(f"{n} {importlib.metadata.version(n)}" for n in LIBRARIES)


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
    print(_versions())
    figures = {}
    for seed in seeds:
        SEED["random_state"] = seed
        metric = METRIC.get("metric", "default")
        print(f"discover, metric={metric}, random_state={seed}")
        figures[seed] = {}
        for name in wanted:
            figures[seed].update({"demo": demo, "sdss": sdss, "gaia": gaia}[name]())
    if len(seeds) > 1:
        table = pd.DataFrame(figures).T
        print(f"over random_state {seeds}:")
        print(table.agg(["mean", "min", "max"]).T.round(3).to_string())
