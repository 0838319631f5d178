"""Atomic writes: the old file survives a failed write; new files are readable."""

from __future__ import annotations

import os
import stat

import pytest

from astrokit._shared.cache import atomic_write


def test_atomic_write_gives_the_usual_permissions(tmp_path):
    path = atomic_write(tmp_path / "sub" / "a.txt", lambda p: p.write_text("new"))
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert path.read_text() == "new"


def test_failed_write_keeps_the_earlier_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("kept")

    def fail(tmp):
        tmp.write_text("half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        atomic_write(path, fail)
    assert path.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
