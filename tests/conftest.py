"""Shared fixtures: seeded random generators and the real survey files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # no name resolves but localhost: nothing can leave the machine
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture
def rng():
    """A seeded random generator (never the global NumPy seed)."""
    return np.random.default_rng(20240712)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real survey files, ``../shared/data``; skips when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real survey files not available ({SHARED_DATA} is absent)")
    return SHARED_DATA


@pytest.fixture(scope="module")
def dask_client():
    """A ``distributed.Client`` on two worker processes of one thread each,
    closed at the end of the module (the kit uses it as the current client);
    skips when ``distributed`` is absent."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True,
        dashboard_address=":0", silence_logs=40,
    )  # fmt: skip
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.fixture(scope="session")
def chromium() -> dict:
    """Keywords for Playwright's launch: Debian's Chromium (never a download),
    headless, offline; skips when it is absent. One place for the flags of
    every browser test."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent")
    return {"executable_path": str(CHROMIUM), "args": list(CHROMIUM_FLAGS)}
