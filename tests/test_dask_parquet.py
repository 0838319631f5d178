"""End to end on Dask: Parquet in, every row scored, Parquet out, never half-done.

The tiny tier is written as a partitioned Parquet dataset
(``astrokit.data.write_table``), read back lazily (``read_table(dask=True)``:
one partition per galaxy file, divisions unknown), its features derived and
scored by the forest on a 2-process ``LocalCluster``, and the lazy result
written by ``write_table`` (partition by partition into a temporary folder
moved into place on success). A worker killed mid-way is survived and the dataset
equals the in-memory pipeline; a task that fails leaves no dataset and no
temporary folder behind.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import astrokit as ak  # noqa: E402
from astrokit.distances import UnsupervisedRandomForest  # noqa: E402

FOREST = dict(n_estimators=10, max_samples=500, progress=False)


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("survey") / "tiny"
    return ak.data.write_table(ak.data.make_galaxies("tiny"), folder)


def _scores(table):
    """Features of ``table`` (pandas or Dask) and their forest weirdness."""
    features = ak.features.derive(table, policy="drop")
    forest = UnsupervisedRandomForest(**FOREST).fit(features)
    return features.assign(weirdness=forest.weirdness(features))


def _stream(frame, path, client) -> None:
    """Write the lazy ``frame`` as one atomic dataset (computed per partition)."""
    frame.attrs = {"source": "test_dask_parquet"}  # what write_table keeps
    ak.data.write_table(frame, path, partition_on=None, progress=False)


def _die_once(part: pd.DataFrame, marker: str) -> pd.DataFrame:
    if len(part) and not os.path.exists(marker):
        with open(marker, "w") as f:
            f.write("killed")
        os._exit(1)  # the worker process dies mid-task
    return part


def test_read_derive_score_write_survives_a_killed_worker(dataset, client, tmp_path):
    table = ak.data.read_table(dataset, dask=True)
    marker = str(tmp_path / "killed-once")
    fragile = table.map_partitions(_die_once, marker, meta=table._meta)
    scored = _scores(fragile)
    assert scored.npartitions == table.npartitions
    out = tmp_path / "scored"
    _stream(scored, out, client)
    assert os.path.exists(marker)  # a worker did die
    expected = _scores(ak.data.read_table(dataset))
    back = ak.data.read_table(out)
    assert back.attrs["source"] == "test_dask_parquet"
    pd.testing.assert_index_equal(back.index, expected.index)
    np.testing.assert_array_equal(back["weirdness"], expected["weirdness"])
    pd.testing.assert_frame_equal(back[expected.columns], expected, check_exact=True)


def _fail_on_last(part: pd.DataFrame, label) -> pd.DataFrame:
    if label in part.index:
        msg = "a task failed mid-way"
        raise RuntimeError(msg)
    return part


def test_a_failed_computation_leaves_nothing_written(dataset, client, tmp_path):
    table = ak.data.read_table(dataset, dask=True)
    last = table.partitions[table.npartitions - 1].index.compute()[-1]
    broken = table.map_partitions(_fail_on_last, last, meta=table._meta)
    out = tmp_path / "scored"
    with pytest.raises(RuntimeError, match="a task failed mid-way"):
        _stream(ak.features.derive(broken, policy="drop"), out, client)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left either
