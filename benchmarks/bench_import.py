"""Cold ``import astrokit`` time, in fresh interpreters (prints the median)."""

from __future__ import annotations

import statistics
import subprocess
import sys

CODE = (
    "import time; t=time.perf_counter(); import astrokit; print(time.perf_counter()-t)"
)


def main(repeats: int = 7) -> None:
    times = [
        float(subprocess.check_output([sys.executable, "-c", CODE], text=True))
        for _ in range(repeats)
    ]
    heavy = subprocess.check_output(
        [
            sys.executable,
            "-c",
            "import sys, astrokit; print(sorted(m for m in "
            "('numpy','pandas','matplotlib','umap','holoviews','sklearn','astropy') "
            "if m in sys.modules))",
        ],
        text=True,
    ).strip()
    print(
        f"import astrokit: median {1000 * statistics.median(times):.1f} ms "
        f"over {repeats} fresh interpreters (min {1000 * min(times):.1f} ms)"
    )
    print(f"heavy modules loaded by the import: {heavy}")


if __name__ == "__main__":
    main()
