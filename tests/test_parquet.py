"""Pixel tables as partitioned Parquet datasets: write_table / read_table."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from astrokit.data import (
    _parquet,
    make_galaxies,
    read_manifest,
    read_table,
    write_table,
)


@pytest.fixture(scope="module")
def tiny():
    return make_galaxies("tiny", random_state=0)


@pytest.fixture
def written(tiny, tmp_path):
    return write_table(tiny, tmp_path / "tiny", row_group_size=1000)


def test_round_trip_keeps_values_dtypes_index_and_attrs(tiny, written):
    back = read_table(written)
    pd.testing.assert_frame_equal(back, tiny)
    assert back.attrs == tiny.attrs
    # tuples come back as tuples, not JSON lists
    assert back.attrs["shape"]["NGC0628"] == tiny.attrs["shape"]["NGC0628"]
    assert isinstance(back.attrs["shape"]["NGC0628"], tuple)
    assert back.attrs["truth_columns"] == tiny.attrs["truth_columns"]


def test_layout_one_folder_per_galaxy_and_row_groups(tiny, written):
    folders = sorted(p.name for p in written.iterdir() if p.is_dir())
    assert folders == [f"galaxy={g}" for g in tiny["galaxy"].cat.categories]
    for g, rows in tiny.groupby("galaxy", observed=True).size().items():
        meta = pq.ParquetFile(written / f"galaxy={g}" / "part-0.parquet").metadata
        assert meta.num_rows == rows
        assert meta.num_row_groups == -(-rows // 1000)
    assert [p["rows"] for p in read_manifest(written)["partitions"]] == list(
        tiny.groupby("galaxy", observed=True).size()
    )


def test_other_tools_read_the_same_files(tiny, written):
    plain = pd.read_parquet(written)  # pyarrow's hive discovery
    assert len(plain) == len(tiny)
    pd.testing.assert_index_equal(plain.index, tiny.index, exact=False)
    assert set(plain["galaxy"].astype(str)) == set(tiny["galaxy"].astype(str))


def test_named_unsorted_index_and_unused_categories_are_kept(tiny, tmp_path, rng):
    sub = tiny.iloc[rng.permutation(len(tiny))[:500]].sort_values("galaxy")
    sub.index = pd.Index(sub.index * 10 + 3, name="pixel")
    sub = sub[sub["truth_env"] != "agn"]
    back = read_table(write_table(sub, tmp_path / "sub"))
    pd.testing.assert_frame_equal(back, sub)
    assert "agn" in back["truth_env"].cat.categories


def test_attrs_arrays_and_numpy_scalars(tiny, tmp_path):
    table = tiny.iloc[:50].copy()
    table.attrs = {"beam": np.array([1.5, 2.0], dtype=np.float32),
                   "n": np.int64(7), "pair": (1, (2, 3)), "none": None,
                   "names": {0: "hii", -1: "noise", (1, 2): "pair"}}  # fmt: skip
    back = read_table(write_table(table, tmp_path / "a", partition_on=None))
    assert back.attrs["beam"].dtype == np.float32
    np.testing.assert_array_equal(back.attrs["beam"], [1.5, 2.0])
    assert back.attrs["n"] == 7 and back.attrs["pair"] == (1, (2, 3))
    assert back.attrs["none"] is None
    assert back.attrs["names"] == {0: "hii", -1: "noise", (1, 2): "pair"}


def test_attrs_json_cannot_hold_are_refused(tiny, tmp_path):
    table = tiny.iloc[:10].copy()
    table.attrs = {"model": object()}
    with pytest.raises(TypeError, match=r"table.attrs\['model'\] is a object"):
        write_table(table, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
    assert not list(tmp_path.glob(".bad.tmp-*"))


def test_columns_and_filters(tiny, written):
    t = read_table(written, columns=["halpha", "galaxy"])
    assert t.columns.tolist() == ["halpha", "galaxy"]
    pd.testing.assert_index_equal(t.index, tiny.index)
    want = tiny[(tiny["galaxy"] == "NGC1365") & (tiny["halpha"] > 50)]
    dnf = [("galaxy", "==", "NGC1365"), ("halpha", ">", 50)]
    pd.testing.assert_frame_equal(read_table(written, filters=dnf), want)
    expr = (pc.field("galaxy") == "NGC1365") & (pc.field("halpha") > 50)
    pd.testing.assert_frame_equal(read_table(written, filters=expr), want)
    either = read_table(written, filters=[[("galaxy", "==", "NGC0628")],
                                          [("galaxy", "==", "NGC7496")]])  # fmt: skip
    assert set(either["galaxy"]) == {"NGC0628", "NGC7496"}
    assert len(either) == (tiny["galaxy"] != "NGC1365").sum()


def test_dask_equals_in_memory_with_attrs(tiny, written):
    dd = pytest.importorskip("dask.dataframe")
    frame = read_table(written, dask=True)
    assert isinstance(frame, dd.DataFrame)
    sizes = tiny.groupby("galaxy", observed=True).size()
    assert frame.npartitions == sum(-(-n // 1000) for n in sizes)
    assert read_table(written, dask=True, split_row_groups=False).npartitions == 3
    assert frame.attrs == tiny.attrs
    computed = frame.compute()
    pd.testing.assert_frame_equal(computed, tiny, check_index_type=False)
    assert computed.attrs == tiny.attrs
    derived = frame[frame["halpha"] > 50]
    assert derived.compute().attrs == tiny.attrs
    one = read_table(written, dask=True, filters=[("galaxy", "==", "NGC7496")])
    assert one.npartitions == -(-sizes["NGC7496"] // 1000)  # others never opened
    pd.testing.assert_frame_equal(
        one.compute(), read_table(written, filters=[("galaxy", "==", "NGC7496")])
    )
    none = read_table(written, dask=True, filters=[("galaxy", "==", "M31")])
    assert len(none.compute()) == 0


def test_dask_tasks_carry_what_they_need(written):
    """Workers get everything in the task: the graph pickles and runs alone."""
    pytest.importorskip("dask.dataframe")
    frame = read_table(written, dask=True, columns=["co21"])
    again = pickle.loads(pickle.dumps(frame.partitions[1]))
    assert len(again.compute()) == len(frame.partitions[1].compute()) > 0


def test_missing_path_and_not_a_kit_dataset(tmp_path, tiny):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        read_table(tmp_path / "nothing")
    (tmp_path / "plain").mkdir()
    tiny.iloc[:10].to_parquet(tmp_path / "plain" / "x.parquet")
    with pytest.raises(ValueError, match="is not an astrokit table"):
        read_table(tmp_path / "plain")
    tiny.iloc[:10].to_parquet(tmp_path / "file.parquet")
    with pytest.raises(ValueError, match="is not an astrokit table"):
        read_table(tmp_path / "file.parquet")


def test_unknown_columns_and_bad_filters(written):
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['nope'\]"):
        read_table(written, columns=["halpha", "nope"])
    with pytest.raises(ValueError, match=r"name unknown column\(s\) \['nope'\]"):
        read_table(written, filters=[("nope", ">", 1)])
    with pytest.raises(ValueError, match="is not a filter"):
        read_table(written, filters=[("halpha", "~", 1)])
    with pytest.raises(ValueError, match="cannot be applied"):
        read_table(written, filters=pc.field("nope") > 1)


def test_bad_partition_column_and_empty_table(tiny, tmp_path):
    with pytest.raises(ValueError, match="partition_on='nope' is not a column"):
        write_table(tiny, tmp_path / "a", partition_on="nope")
    with pytest.raises(ValueError, match="partition_on='x' must name a column of"):
        write_table(tiny, tmp_path / "a", partition_on="x")
    with pytest.raises(ValueError, match="the table has no rows"):
        write_table(tiny.iloc[:0], tmp_path / "a")
    with pytest.raises(TypeError, match=r"row_group_size=0.5 must be an integer"):
        write_table(tiny, tmp_path / "a", row_group_size=0.5)
    assert not list(tmp_path.iterdir())  # nothing left behind


def test_existing_paths(tiny, written, tmp_path):
    with pytest.raises(FileExistsError, match="pass overwrite=True"):
        write_table(tiny, written)
    (tmp_path / "mine").mkdir()
    with pytest.raises(FileExistsError, match="is not an astrokit table"):
        write_table(tiny, tmp_path / "mine", overwrite=True)
    small = tiny.iloc[:100]
    write_table(small, written, overwrite=True)
    assert len(read_table(written)) == 100


class _Boom(RuntimeError):
    pass


def _failing_writer(monkeypatch, after: int):
    """ParquetWriter whose write_table fails after ``after`` successful calls."""
    calls = {"n": 0}
    original = pq.ParquetWriter.write_table

    def write_table(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise _Boom("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    return calls


def test_a_failed_replace_leaves_the_old_dataset(tiny, written, monkeypatch):
    before = read_table(written)
    calls = _failing_writer(monkeypatch, after=1)  # second galaxy fails
    with pytest.raises(_Boom):
        write_table(tiny.iloc[:2000], written, overwrite=True)
    assert calls["n"] == 2
    monkeypatch.undo()
    pd.testing.assert_frame_equal(read_table(written), before)
    assert [p.name for p in written.parent.iterdir()] == [written.name]


def test_a_failed_first_write_leaves_nothing(tiny, tmp_path, monkeypatch):
    _failing_writer(monkeypatch, after=1)
    with pytest.raises(_Boom):
        write_table(tiny, tmp_path / "new")
    assert not list(tmp_path.iterdir())


def test_streaming_writer_appends_chunks(tiny, tmp_path):
    with _parquet.DatasetWriter(tmp_path / "s", row_group_size=400) as out:
        for start in range(0, len(tiny), 700):
            out.write(tiny.iloc[start : start + 700])
        assert not (tmp_path / "s").exists()  # not in place before commit
        out.commit(tiny.attrs)
    back = read_table(tmp_path / "s")
    pd.testing.assert_frame_equal(back, tiny)
    with pytest.raises(ValueError, match="columns of the first"):
        with _parquet.DatasetWriter(tmp_path / "t") as out:
            out.write(tiny.iloc[:10])
            out.write(tiny.iloc[10:20, ::-1])
    assert not (tmp_path / "t").exists()


def test_a_dask_table_is_written_partition_by_partition(tiny, written, tmp_path):
    pytest.importorskip("dask.dataframe")
    frame = read_table(written, dask=True)
    kept = frame[frame["halpha"] > 20]
    path = write_table(kept, tmp_path / "kept", row_group_size=300, progress=False)
    back = read_table(path)
    want = tiny[tiny["halpha"] > 20]
    pd.testing.assert_frame_equal(back, want, check_index_type=False)
    assert back.attrs == tiny.attrs


@pytest.mark.slow
def test_a_distributed_cluster_reads_it(tiny, written, dask_client):
    """Two worker processes: every task carries what it needs."""
    frame = read_table(written, dask=True, filters=[("halpha", ">", 20)])
    got = frame.compute()
    want = tiny[tiny["halpha"] > 20]
    pd.testing.assert_frame_equal(got, want, check_index_type=False)
