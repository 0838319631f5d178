"""Open clusters in Gaia: ``ak.stars.find_cluster`` with its defaults on M67.

The same call for every cone, nothing tuned to M67; the literature grades
the members only after the call has returned. Cone: Gaia EDR3 within 0.53
deg of M67 (``../shared/data/gaia``), quality cuts with their defaults
(5-parameter astrometry, RUWE where present, G < 18). Literature box:
Cantat-Gaudin et al. 2018 (A&A 618, A93) M67: pmra -10.986, pmdec -2.964
mas/yr, parallax 1.135 mas (DR2); a star is in the box when its proper
motion is within 0.8 mas/yr of that mean and its parallax within 0.25 mas.
Recall: members among the box stars; purity: box stars among the members.

Run: ``.venv/bin/python benchmarks/bench_gaia_clusters.py``.
Target (issue 11): recall >= 0.95 and purity >= 0.93 with the defaults.
Timings on a shared machine are noisy.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

import astrokit as ak

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
M67 = {"pmra": -10.986, "pmdec": -2.964, "parallax": 1.135}
PM_RADIUS, PLX_HALF_WIDTH = 0.8, 0.25


def grade(stars, found) -> tuple[float, float, int]:
    used = stars.loc[found.probability.index]
    pm = np.hypot(used.pmra - M67["pmra"], used.pmdec - M67["pmdec"])
    box = (
        (pm < PM_RADIUS) & ((used.parallax - M67["parallax"]).abs() < PLX_HALF_WIDTH)
    ).to_numpy()
    member = found.is_member
    both = (member & box).sum()
    return both / box.sum(), both / member.sum(), int(box.sum())


def main() -> None:
    path = SHARED / "gaia" / "m67_gaia_edr3_cone.csv"
    if not path.exists():
        print(f"skipping: {path} is absent")
        return
    cone = ak.stars.read_cone(path)
    kept = ak.stars.quality_cuts(cone)
    print(f"M67 cone: {len(cone):,} stars, {len(kept):,} after the quality cuts")
    print(kept.attrs["cuts"][["rule", "removed", "remaining"]].to_string())
    for method in ak.stars.CLUSTER_METHODS:
        start = time.perf_counter()
        found = ak.stars.find_cluster(kept, method=method)
        seconds = time.perf_counter() - start
        recall, purity, in_box = grade(kept, found)
        s = found.summary.iloc[0]
        default = " (default)" if method == "hdbscan" else ""
        print(
            f"{method}{default}: {len(found.members)} members, {in_box} stars in the "
            f"box: recall {recall:.3f}, purity {purity:.3f}; parallax "
            f"{s.parallax:.4f} +- {s.parallax_err:.4f} mas, distance "
            f"{s.distance_pc:.0f} pc (zero-point {s.parallax_zero_point} mas); "
            f"{seconds:.1f} s"
        )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    main()
