"""Selection.save creates its file atomically and never replaces one silently.

Two saves racing for one name: exactly one wins, the other gets
FileExistsError with a free name. A folder that cannot be written gives an
error naming the file asked for, not the temporary file beside it.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading

import numpy as np
import pandas as pd
import pytest

from astrokit._shared import cache
from astrokit.explorer import Selection


def selection(rows) -> Selection:
    table = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10) % 3})
    sel = Selection(table)
    sel.set_positions(rows)
    return sel


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_two_threads_saving_one_name_exactly_one_wins(tmp_path, monkeypatch, suffix):
    path = tmp_path / f"race{suffix}"
    barrier = threading.Barrier(2, timeout=10)
    real = cache._link_new

    def both_written_then_link(tmp, target):
        barrier.wait()  # both saves are past the exists check, files written
        return real(tmp, target)

    monkeypatch.setattr(cache, "_link_new", both_written_then_link)
    results = {}

    def save(name, rows):
        try:
            results[name] = selection(rows).save(path)
        except Exception as error:  # noqa: BLE001 - the outcome is the test
            results[name] = error

    threads = [
        threading.Thread(target=save, args=("first", [0, 1])),
        threading.Thread(target=save, args=("second", [2, 3, 4])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    errors = [r for r in results.values() if isinstance(r, Exception)]
    assert len(results) == 2 and len(errors) == 1
    assert isinstance(errors[0], FileExistsError)
    assert f"such as 'race-1{suffix}'" in str(errors[0])
    (winner,) = [n for n, r in results.items() if not isinstance(r, Exception)]
    read = pd.read_csv if suffix == ".csv" else pd.read_parquet
    assert len(read(path)) == {"first": 2, "second": 3}[winner]
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp left


def test_save_never_overwrites_even_when_the_check_is_passed(tmp_path, monkeypatch):
    """The name is claimed at the last step, not only checked first."""
    path = tmp_path / "sel.csv"
    real = cache._link_new

    def someone_else_first(tmp, target):
        target.write_text("theirs")
        return real(tmp, target)

    monkeypatch.setattr(cache, "_link_new", someone_else_first)
    with pytest.raises(FileExistsError, match=r"already exists; .*'sel-1\.csv'"):
        selection([1]).save(path)
    assert path.read_text() == "theirs"


def test_overwrite_still_replaces(tmp_path):
    path = selection([1]).save(tmp_path / "sel.csv")
    selection([1, 2, 3]).save(path, overwrite=True)
    assert len(pd.read_csv(path)) == 3


def test_without_hard_links_the_name_is_still_claimed_exclusively(
    tmp_path, monkeypatch
):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = selection([1, 2]).save(tmp_path / "sel.csv")
    assert len(pd.read_csv(path)) == 2
    with pytest.raises(FileExistsError, match="already exists"):
        cache.atomic_write(path, lambda p: p.write_text("x"), overwrite=False)
    assert len(pd.read_csv(path)) == 2


def test_save_below_a_file_names_the_target(tmp_path):
    (tmp_path / "afile").write_text("")
    target = tmp_path / "afile" / "sel.csv"
    with pytest.raises(NotADirectoryError, match=r"cannot write .*afile/sel\.csv'"):
        selection([1]).save(target)


def test_save_into_an_unwritable_folder_names_the_target(tmp_path, monkeypatch):
    def denied(*args, dir=None, **kwargs):
        raise PermissionError(13, "Permission denied", f"{dir}/.sel.csv.x1y2.tmp")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(PermissionError, match=r"cannot write .*/sel\.csv': Perm") as e:
        selection([1]).save(tmp_path / "sel.csv")
    assert ".tmp" not in str(e.value)


def test_save_into_a_read_only_folder(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: a read-only folder is writable anyway")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(PermissionError, match=r"cannot write .*ro/sel\.csv'"):
            selection([1]).save(folder / "sel.csv")
    finally:
        folder.chmod(stat.S_IRWXU)
