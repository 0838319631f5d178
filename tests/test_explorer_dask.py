"""The explorer on a Dask DataFrame gives what it gives on the same pandas table.

Every view's Datashader aggregate, the box and lasso selections (as lazy
masks), their summary, the groups' contrast, the pins, histograms and legend
counts are compared with the in-memory explorer on one small table split
into partitions; a saved selection reads back as the pandas selection's rows,
and a failed save leaves no file (and an earlier file intact).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")

from astrokit import explorer  # noqa: E402
from astrokit.explorer import _lazy_selection  # noqa: E402
from astrokit.explorer._lazy import is_dask  # noqa: E402

LASSO = [(2.0, 2.0), (8.0, 1.0), (9.0, 8.0), (3.0, 7.0)]


@pytest.fixture
def table(rng):
    n = 3000
    x = rng.integers(0, 40, n)
    y = rng.integers(0, 40, n)
    t = pd.DataFrame(
        {
            "galaxy": pd.Categorical(np.where(np.arange(n) < 1800, "A", "B")),
            "x": x,
            "y": y,
            "umap_x": (x / 4 + rng.normal(0, 0.3, n)).astype(np.float32),
            "umap_y": (y / 4 + rng.normal(0, 0.3, n)).astype(np.float32),
            "halpha": rng.lognormal(0, 1, n),
            "hbeta": rng.lognormal(-1, 0.5, n),
            "f32": rng.normal(size=n).astype(np.float32),
            "nullable": pd.array(rng.integers(0, 90, n), dtype="Int64"),
            "cluster": rng.integers(-1, 4, n),
        },
        index=pd.RangeIndex(5000, 5000 + n),
    )
    t.loc[t.index[:7], "umap_x"] = np.nan  # rows without an embedding
    t.loc[t.index[10:14], "nullable"] = pd.NA
    return t


@pytest.fixture
def pair(table):
    """The same table in memory and as 6 Dask partitions, explored both ways."""
    lazy = dd.from_pandas(table, npartitions=6)
    return explorer.explore(table), explorer.explore(lazy)


def test_the_lazy_explorer_keeps_the_table_lazy(pair, table):
    _, lazy = pair
    assert type(lazy).__name__ == "LazyExplorer"
    assert is_dask(lazy.table) and lazy.n_rows == len(table)
    assert all(is_dask(view.data) for view in lazy.views.values())
    assert list(lazy.views) == ["embedding", "A", "B"]
    assert lazy.dropped == {"embedding": 7, "A": 0, "B": 0}


@pytest.mark.parametrize("color", [None, "f32", "nullable", "log_ha_hb", "halpha"])
def test_every_view_aggregates_as_the_pandas_path(pair, color):
    memory, lazy = pair
    for ex in pair:
        ex.set_color(color)
    for key, view in memory.views.items():
        assert lazy.views[key].extent == pytest.approx(view.extent)
        main, _ = view.raster()
        other, _ = lazy.views[key].raster()
        np.testing.assert_array_equal(other.count, main.count)
        assert main.count.sum() == view.rows.n
        if color is not None:
            np.testing.assert_allclose(other.mean, main.mean, rtol=1e-6)
            assert np.isfinite(main.mean).any()
    if color is not None:
        assert lazy._limits() == pytest.approx(memory._limits())
        edges = np.linspace(*memory._limits(), 21)
        np.testing.assert_array_equal(
            lazy.histogram(edges, log_scale=False),
            memory.histogram(edges, log_scale=False),
        )


def test_a_categorical_colour_gives_the_same_majorities_and_legend(pair):
    memory, lazy = pair
    for ex in pair:
        ex.set_color("cluster")
    assert lazy.palette == memory.palette and lazy.legend == memory.legend
    main, _ = memory.views["embedding"].raster()
    other, _ = lazy.views["embedding"].raster()
    np.testing.assert_array_equal(other.mean, main.mean)
    for ex in pair:
        ex.select_box("A", (0, 0, 20, 20))
    np.testing.assert_array_equal(lazy.category_counts(), memory.category_counts())


@pytest.mark.parametrize(
    ("view", "kind", "geometry"),
    [
        ("embedding", "box", (2.0, 1.0, 6.0, 5.5)),
        ("embedding", "lasso", LASSO),
        ("B", "box", (10, 10, 30, 25)),
        ("A", "lasso", [(v[0] * 4, v[1] * 4) for v in LASSO]),
    ],
)
def test_a_selection_is_a_lazy_mask_equal_to_the_pandas_selection(
    pair, table, view, kind, geometry
):
    memory, lazy = pair
    select = {"box": "select_box", "lasso": "select_lasso"}[kind]
    n = getattr(memory, select)(view, geometry)
    assert 0 < n < len(table)
    assert getattr(lazy, select)(view, geometry) == n == len(lazy.selection)
    mask = lazy.selection.mask
    assert is_dask(mask) and mask.npartitions == 6
    computed = mask.compute()
    assert computed.index.equals(table.index)
    np.testing.assert_array_equal(computed.to_numpy(), memory.selection.mask)
    pd.testing.assert_frame_equal(
        lazy.selection.frame.compute(), memory.selection.frame
    )
    pd.testing.assert_index_equal(
        lazy.selection.index.compute(), memory.selection.index
    )
    pd.testing.assert_frame_equal(
        lazy.selection.summary(), memory.selection.summary(), rtol=1e-6
    )
    main, marked = lazy.views["embedding"].raster()
    expected, memory_marked = memory.views["embedding"].raster()
    np.testing.assert_array_equal(marked["selected"], memory_marked["selected"])


def test_an_empty_box_clears_the_selection(pair):
    memory, lazy = pair
    assert lazy.select_box("embedding", (100, 100, 101, 101)) == 0
    assert lazy.selection.empty and "No rows inside" in lazy.messages[-1]


def test_groups_compare_and_pins_as_in_memory(pair):
    memory, lazy = pair
    for ex in pair:
        ex.select_box("embedding", (0, 0, 4, 4))
        ex.set_group("A")
        ex.select_box("embedding", (5, 5, 10, 10))
        ex.set_group("B")
        ex.select_box("B", (0, 0, 15, 15))
        assert ex.pin("corner") > 0
    pd.testing.assert_frame_equal(lazy.compare(), memory.compare(), rtol=1e-6)
    labels = lazy.labels.compute()
    pd.testing.assert_series_equal(labels, memory.labels, check_categorical=False)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_saved_selection_reads_back(pair, tmp_path, suffix):
    memory, lazy = pair
    for ex in pair:
        ex.select_lasso("embedding", LASSO)
    path = lazy.selection.save(tmp_path / f"sel{suffix}")
    if suffix == ".parquet":
        back = pd.read_parquet(path)
        pd.testing.assert_frame_equal(back, memory.selection.frame)
    else:
        back = pd.read_csv(path, index_col=0)
        assert back.index.tolist() == memory.selection.index.tolist()
        np.testing.assert_allclose(back["f32"], memory.selection.frame["f32"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"sel{suffix}"]
    with pytest.raises(FileExistsError, match=f"such as 'sel-1{suffix}'"):
        lazy.selection.save(path)


def test_a_failed_save_leaves_no_file_and_keeps_an_earlier_one(
    pair, tmp_path, monkeypatch
):
    _, lazy = pair
    lazy.select_box("embedding", (0, 0, 10, 10))
    path = lazy.selection.save(tmp_path / "sel.parquet")
    before = path.read_bytes()
    calls = []

    def fail_on_second_part(tmp, suffix, part, writer):
        calls.append(len(part))
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(tmp, suffix, part, writer)

    real = _lazy_selection._append
    monkeypatch.setattr(_lazy_selection, "_append", fail_on_second_part)
    with pytest.raises(OSError, match="disk full"):
        lazy.selection.save(path, overwrite=True)
    calls.clear()
    with pytest.raises(OSError, match="disk full"):
        lazy.selection.save(tmp_path / "new.parquet")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sel.parquet"]


def test_saving_a_mask_without_rows_says_so(pair, tmp_path):
    _, lazy = pair
    lazy.selection.set_mask(lazy.table["x"] > 1000)
    with pytest.raises(ValueError, match="No row is inside the selection"):
        lazy.selection.save(tmp_path / "none.parquet")
    assert list(tmp_path.iterdir()) == []


def test_bad_masks_positions_and_tables_are_refused(pair, table):
    _, lazy = pair
    with pytest.raises(ValueError, match="a Dask boolean Series of the table"):
        lazy.selection.set_mask(np.ones(len(table), bool))
    with pytest.raises(ValueError, match="a Dask boolean Series of the table"):
        lazy.selection.set_mask(dd.from_pandas(table["x"] > 3, npartitions=2))
    with pytest.raises(TypeError, match="use set_mask with a lazy boolean Series"):
        lazy.selection.set_positions([0, 1])
    with pytest.raises(TypeError, match="has no positions"):
        _ = lazy.selection.positions
    with pytest.raises(ValueError, match="The selection is empty: nothing to save"):
        lazy.selection.save("x.parquet")
    assert lazy.select_box("embedding", (0, 0, np.nan, 1)) == 0
    assert "must be four finite numbers" in lazy.messages[-1]
    empty = dd.from_pandas(table.iloc[:0], npartitions=1)
    with pytest.raises(ValueError, match="table has no rows"):
        explorer.explore(empty)
    with pytest.raises(ValueError, match="sky column 'ra' is not in the table"):
        explorer.explore(dd.from_pandas(table, npartitions=2), sky=("ra", "dec"))


def test_the_static_preview_and_the_widgets_build(pair):
    _, lazy = pair
    lazy.set_color("f32")
    lazy.select_box("embedding", (2.0, 1.0, 6.0, 5.5))
    png = lazy.static_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    layout = lazy.layout
    assert type(layout).__name__ == "Column"
    summary = lazy._layout.summary.object
    assert len(summary) > 0 and "mean_selected" in summary.columns


@pytest.mark.parametrize("local_rows", [0, 10**6])
def test_the_red_overlay_in_memory_or_lazy_draws_the_same(
    pair, monkeypatch, local_rows
):
    from astrokit.explorer import _lazy_app

    monkeypatch.setattr(_lazy_app, "LOCAL_ROWS", local_rows)
    memory, lazy = pair
    for ex in pair:
        ex.select_lasso("embedding", LASSO)
    overlay = lazy.views["A"].marked["selected"]
    assert is_dask(overlay) == (local_rows == 0)
    for key, view in memory.views.items():
        _, expected = view.raster()
        _, marked = lazy.views[key].raster()
        assert marked.keys() == expected.keys()
        for name in expected:
            np.testing.assert_array_equal(marked[name], expected[name])


@pytest.mark.parametrize("color", [None, "halpha", "cluster"])
def test_a_lazy_overlay_follows_each_new_selection(pair, monkeypatch, color):
    """The view and its lazy overlay are counted in one pass (the overlay
    count kept with the cached view is dropped when the selection changes)."""
    from astrokit.explorer import _lazy_app

    monkeypatch.setattr(_lazy_app, "LOCAL_ROWS", 0)
    memory, lazy = pair
    for ex in pair:
        ex.set_color(color)
    for geometry in (LASSO, [(0.0, 0.0), (5.0, 0.0), (5.0, 9.0), (0.0, 9.0)]):
        for ex in pair:
            ex.select_lasso("embedding", geometry)
            if ex is lazy:
                ex.views["embedding"].raster()  # cached with this overlay
        for key, view in memory.views.items():
            expected_main, expected = view.raster()
            main, marked = lazy.views[key].raster()
            np.testing.assert_array_equal(main.count, expected_main.count)
            if color == "halpha":
                np.testing.assert_allclose(main.mean, expected_main.mean, rtol=1e-5)
            assert marked.keys() == expected.keys() == {"selected"}
            np.testing.assert_array_equal(marked["selected"], expected["selected"])
