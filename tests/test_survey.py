"""The survey tier: write_survey writes galaxies chunk by chunk to Parquet."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from astrokit.data import (
    _survey,
    make_galaxies,
    read_manifest,
    read_table,
    survey_galaxies,
    write_survey,
)
from astrokit.data._synthetic import galaxy_columns
from astrokit.data._synthetic_geometry import make_grid

SMALL = {"n_galaxies": 2, "pixels": (20_000, 30_000), "random_state": 3}


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    path = tmp_path_factory.mktemp("survey") / "s"
    write_survey(path, chunk_rows=6_000, progress=False, **SMALL)
    return path


@pytest.fixture(scope="module")
def table(survey):
    return read_table(survey)


def test_same_columns_dtypes_and_attrs_as_the_other_tiers(table):
    tiny = make_galaxies("tiny")
    assert table.columns.tolist() == tiny.columns.tolist()
    assert table.dtypes.drop("galaxy").equals(tiny.dtypes.drop("galaxy"))
    assert set(table.attrs) == set(tiny.attrs)
    assert table.attrs["truth_columns"] == tiny.attrs["truth_columns"]
    assert table.attrs["units"] == tiny.attrs["units"]
    assert table.attrs["tier"] == "survey"
    names = ["SYN001", "SYN002"]
    assert table["galaxy"].cat.categories.tolist() == names
    assert set(table.attrs["wcs"]) == set(table.attrs["pixel_pc"]) == set(names)
    assert set(table["truth_env"].unique()) >= {"hii_region", "dig", "interarm"}


def test_sizes_follow_the_drawn_galaxies(table):
    plan = survey_galaxies(SMALL["n_galaxies"], random_state=3, pixels=(20_000, 30_000))
    counts = table.groupby("galaxy", observed=True).size()
    ratio = counts / plan["target_pixels"]
    assert ratio.between(0.8, 1.3).all(), ratio
    pd.testing.assert_index_equal(table.index, pd.RangeIndex(len(table)), exact=False)
    assert table.attrs["pixel_pc"] == plan["pixel_pc"].to_dict()
    for name, row in plan.iterrows():
        assert table.attrs["galaxy_info"][name]["dist_mpc"] == row["dist_mpc"]


def test_chunks_are_row_groups_and_dask_partitions(survey, table):
    for part in read_manifest(survey)["partitions"]:
        meta = pq.ParquetFile(survey / part["file"]).metadata
        assert meta.num_row_groups > 1
        assert (
            max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) <= 6000
        )
    frame = read_table(survey, dask=True, columns=["halpha", "galaxy"])
    assert frame.npartitions > 4
    pd.testing.assert_frame_equal(
        frame.compute(), table[["halpha", "galaxy"]], check_index_type=False
    )


def test_bands_are_one_galaxy(table):
    """Band by band gives the pixels, positions and structure of the whole grid."""
    specs, seed = _survey._specs(**SMALL)
    spec, pc, _ = specs[1]
    whole = galaxy_columns(
        spec, 101, make_grid(spec, pc), seed, np.random.default_rng(0)
    )
    got = table[table["galaxy"] == "SYN002"]
    assert len(got) == whole["n"]
    for col in ["x", "y", "ra", "dec", "truth_rgal_kpc"]:
        np.testing.assert_array_equal(got[col].to_numpy(), whole["columns"][col])
    # the noise differs (another stream), the physics does not
    env = np.asarray(got["truth_env"].cat.codes) == whole["columns"]["truth_env"]
    assert env.mean() > 0.9
    rate = got["truth_anomaly"].mean()
    assert 0.001 < rate < 0.02


@pytest.mark.slow
def test_same_random_state_same_survey_for_any_n_jobs(survey, tmp_path):
    again = write_survey(
        tmp_path / "again", chunk_rows=6_000, n_jobs=2, progress=False, **SMALL
    )
    pd.testing.assert_frame_equal(read_table(again), read_table(survey))
    other = write_survey(
        tmp_path / "other", n_galaxies=1, pixels=(20_000, 30_000), random_state=4,
        progress=False,
    )  # fmt: skip
    assert (
        read_table(other).attrs["galaxy_info"]
        != read_table(survey).attrs["galaxy_info"]
    )


def _peak(path, pixels, chunk_rows) -> float:
    tracemalloc.start()
    write_survey(path, n_galaxies=1, pixels=(pixels, pixels + 1),
                 chunk_rows=chunk_rows, progress=False)  # fmt: skip
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.slow
def test_memory_is_bounded_by_one_chunk(tmp_path):
    """The same galaxy (same random_state) sampled at 3x more pixels: same peak."""
    _peak(tmp_path / "warm", 5_000, 3_000)  # imports and caches out of the way
    mid = _peak(tmp_path / "mid", 30_000, 3_000)
    big = _peak(tmp_path / "big", 90_000, 3_000)
    assert big < 1.25 * mid
    whole = _peak(tmp_path / "whole", 90_000, 1_000_000)  # one chunk: all of it
    assert big < 0.5 * whole


def test_progress_bar(tmp_path, capsys):
    write_survey(tmp_path / "p", n_galaxies=1, pixels=(5_000, 6_000), progress=True)
    assert "survey chunks" in capsys.readouterr().err


def test_a_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise MemoryError("out of memory")
        return galaxy_columns(*args, **kwargs)

    monkeypatch.setattr(_survey, "galaxy_columns", failing)
    with pytest.raises(MemoryError):
        write_survey(tmp_path / "s", chunk_rows=6_000, progress=False, **SMALL)
    assert calls["n"] == 3
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_galaxies": 0}, r"n_galaxies=0 must be an integer of at least 1"),
        ({"pixels": (10, 5)}, r"pixels=\(10, 5\) must be a \(low, high\) pair"),
        ({"pixels": "big"}, r"pixels='big' must be a \(low, high\) pair"),
        ({"chunk_rows": 10}, r"chunk_rows=10 must be an integer of at least 1000"),
        ({"random_state": -1}, r"random_state=-1 must be a non-negative integer"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        write_survey(tmp_path / "s", progress=False, **kwargs)
    assert not list(tmp_path.iterdir())


def test_the_survey_tier_is_not_made_in_memory():
    with pytest.raises(ValueError, match=r"tier='survey' does not fit in memory"):
        make_galaxies("survey")
