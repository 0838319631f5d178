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


def test_no_overwrite_keeps_the_existing_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("first")
    with pytest.raises(FileExistsError, match=r"a\.txt' already exists; it was not"):
        atomic_write(path, lambda p: p.write_text("second"), overwrite=False)
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    new = atomic_write(tmp_path / "b.txt", lambda p: p.write_text("b"), overwrite=False)
    assert new.read_text() == "b"


def test_a_file_in_the_way_of_the_folder_is_named(tmp_path):
    (tmp_path / "afile").write_text("")
    with pytest.raises(NotADirectoryError, match=r"afile' is a file, not a folder"):
        atomic_write(tmp_path / "afile" / "sub" / "a.txt", lambda p: p.write_text(""))


def test_cache_write_stores_under_the_cache_folder(tmp_path, monkeypatch):
    from astrokit._shared.cache import cache_write

    monkeypatch.setenv("ASTROKIT_CACHE", str(tmp_path / "c"))
    path = cache_write("x/y.txt", lambda p: p.write_text("1"), what="it")
    assert path == tmp_path / "c" / "x" / "y.txt" and path.read_text() == "1"
