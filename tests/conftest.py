"""Shared fixtures: seeded random generators and the real survey files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


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
