"""Tests for astrokit.explorer: selection logic, colour by, NaNs, static PNG."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from astrokit import explorer
from astrokit.explorer._columns import colour_values, coordinates, numeric_columns
from astrokit.explorer._selection import Selection, box_mask, lasso_mask, unique_path
from astrokit.explorer._views import normalise


@pytest.fixture
def table(rng):
    n = 400
    galaxy = np.where(np.arange(n) < 250, "A", "B")
    x = rng.integers(0, 30, n)
    y = rng.integers(0, 30, n)
    t = pd.DataFrame(
        {
            "galaxy": pd.Categorical(galaxy),
            "x": x,
            "y": y,
            "umap_x": (x / 3 + rng.normal(0, 0.1, n)).astype(np.float32),
            "umap_y": (y / 3 + rng.normal(0, 0.1, n)).astype(np.float32),
            "f32": rng.normal(size=n).astype(np.float32),
            "f64": rng.normal(size=n),
            "i64": rng.integers(0, 5, n),
            "flag": rng.random(n) > 0.5,
            "cat": pd.Categorical(rng.choice(["hii", "dig", "agn"], n)),
            "nullable": pd.array(rng.integers(0, 9, n), dtype="Int64"),
            "name": ["p"] * n,
        },
        index=pd.RangeIndex(1000, 1000 + n),
    )
    t.loc[t.index[:5], "nullable"] = pd.NA
    return t


def test_numeric_columns_every_dtype(table):
    cols = numeric_columns(table)
    assert "name" not in cols
    for c in ["x", "f32", "f64", "i64", "flag", "cat", "nullable", "galaxy"]:
        assert c in cols


@pytest.mark.parametrize("column", ["f32", "f64", "i64", "flag", "cat", "nullable"])
def test_colour_by_every_dtype(table, column):
    values = colour_values(table, column)
    assert values.dtype == np.float32 and values.shape == (len(table),)
    ex = explorer.explore(table, color=column)
    main, _ = ex.views["embedding"].raster()
    assert np.nansum(main.count) == len(table)
    finite = np.isfinite(main.mean)
    assert finite.any()
    assert np.nanmin(main.mean) >= np.nanmin(values) - 1e-5
    assert np.nanmax(main.mean) <= np.nanmax(values) + 1e-5


def test_colour_values_missing_as_nan(table):
    assert np.isnan(colour_values(table, "nullable")[:5]).all()
    np.testing.assert_array_equal(colour_values(table, "flag"), table["flag"] * 1.0)
    np.testing.assert_array_equal(
        colour_values(table, "cat"), table["cat"].cat.codes.to_numpy()
    )


def test_colour_values_errors(table):
    with pytest.raises(ValueError, match="column='nope' is not in the table"):
        colour_values(table, "nope")
    with pytest.raises(ValueError, match="column='name' has dtype"):
        colour_values(table, "name")


def test_nan_coordinates_dropped_and_counted(table):
    table.loc[table.index[:7], "umap_x"] = np.nan
    table["y"] = table["y"].astype(float)
    table.loc[table.index[7:10], "y"] = np.inf
    ex = explorer.explore(table)
    assert ex.dropped["embedding"] == 7
    assert ex.dropped["A"] == 3 and ex.dropped["B"] == 0
    assert ex.views["embedding"].rows.x.size == len(table) - 7
    assert "NaN" in ex.views["embedding"].title
    # selecting everything on the embedding never picks a NaN row
    ex.select_box("embedding", (-1e9, -1e9, 1e9, 1e9))
    assert not ex.selection.mask[:7].any() and ex.selection.mask[7:].all()


def test_coordinates_errors(table):
    with pytest.raises(ValueError, match="embedding column 'u' is not in the table"):
        coordinates(table, ("u", "umap_y"), role="embedding")
    with pytest.raises(ValueError, match="sky column 'name' has dtype"):
        coordinates(table, ("name", "y"), role="sky")
    with pytest.raises(ValueError, match="must name two columns"):
        coordinates(table, ("x",), role="sky")


def test_box_selection_maps_both_ways(table):
    ex = explorer.explore(table)
    n = ex.select_box("embedding", (0, 0, 3, 3))
    emb = table[["umap_x", "umap_y"]].to_numpy()
    expected = (emb[:, 0] <= 3) & (emb[:, 0] >= 0) & (emb[:, 1] >= 0) & (emb[:, 1] <= 3)
    assert n == expected.sum() > 0
    np.testing.assert_array_equal(ex.selection.mask, expected)
    # the same rows light up on the sky of each galaxy
    for name in ("A", "B"):
        view = ex.views[name]
        _, marked = view.raster()
        on_sky = expected[view.rows.positions].sum()
        assert marked.get("selected", np.zeros(1)).sum() == on_sky
    # and a sky selection lights up the embedding
    n = ex.select_box("B", (0, 0, 10, 10))
    b = (table["galaxy"] == "B") & table["x"].le(10) & table["y"].le(10)
    np.testing.assert_array_equal(ex.selection.mask, b.to_numpy())
    _, marked = ex.views["embedding"].raster()
    assert marked["selected"].sum() == n
    assert ex.selection.index.tolist() == table.index[b.to_numpy()].tolist()
    pd.testing.assert_frame_equal(ex.selection.frame, table[b])


def test_lasso_selection(table):
    ex = explorer.explore(table)
    tri = [(-0.5, -0.5), (10, -0.5), (-0.5, 10)]
    ex.select_lasso("A", tri)
    a = table["galaxy"].eq("A").to_numpy()
    inside = a & (table["x"] + table["y"] < 9).to_numpy()
    edge = a & (table["x"] + table["y"]).isin([9, 10]).to_numpy()
    chosen = ex.selection.mask
    assert chosen[inside].all() and not chosen[~(inside | edge)].any()


def test_lasso_mask_needs_a_polygon():
    with pytest.raises(ValueError, match="at least three"):
        lasso_mask(np.zeros(3), np.zeros(3), [(0, 0), (1, 1)])


def test_box_mask_rejects_bad_bounds():
    with pytest.raises(ValueError, match="bounds=.* must be four finite numbers"):
        box_mask(np.zeros(3), np.zeros(3), (0, 1, np.nan, 2))


def test_empty_selection_is_a_message(table):
    ex = explorer.explore(table)
    assert ex.layout is not None  # messages now go to its status line
    assert ex.select_box("embedding", (100, 100, 200, 200)) == 0
    assert ex.selection.empty
    assert "the selection is empty" in ex._layout.status_pane.object
    assert ex._summary_pane.object.empty
    ex.select_lasso("embedding", [(0, 0), (1, 1)])  # invalid: a message
    assert "Selection ignored" in ex._layout.status_pane.object
    ex._layout.path_input.value = "whatever.csv"
    ex._layout._save_clicked()
    assert "Not saved: The selection is empty" in ex._layout.status_pane.object
    with pytest.raises(ValueError, match="The selection is empty: nothing to"):
        ex.selection.summary()


def test_unknown_view_and_options(table):
    ex = explorer.explore(table)
    with pytest.raises(ValueError, match="view='C' is not a view"):
        ex.select_box("C", (0, 0, 1, 1))
    with pytest.raises(ValueError, match="norm='sqrt' is not a normalisation"):
        explorer.explore(table, norm="sqrt")
    with pytest.raises(ValueError, match="norm='sqrt' is not a normalisation"):
        ex.set_color("f32", norm="sqrt")
    with pytest.raises(ValueError, match="color='nope' is not a column"):
        explorer.explore(table, color="nope")
    with pytest.raises(ValueError, match="by='field' is not a column"):
        explorer.explore(table, by="field")
    with pytest.raises(ValueError, match="embedding=None and sky=None"):
        explorer.explore(table, embedding=None, sky=None)
    with pytest.raises(ValueError, match="width=10 must be an integer of at least 50"):
        explorer.explore(table, width=10)
    with pytest.raises(TypeError, match="height=320.0 must be an integer"):
        explorer.explore(table, height=320.0)


def test_any_table_with_two_coordinates(rng):
    t = pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)})
    ex = explorer.explore(t, sky=("a", "b"), by=None)
    assert list(ex.views) == ["sky"]
    ex = explorer.explore(t, embedding=("a", "b"), sky=None)
    assert list(ex.views) == ["embedding"]


def test_summary_ranks_the_contrast(rng):
    n = 1000
    t = pd.DataFrame({"strong": rng.normal(size=n), "none": rng.normal(size=n)})
    mask = np.zeros(n, bool)
    mask[:100] = True
    t.loc[mask, "strong"] += 3.0
    sel = Selection(t)
    sel.set_mask(mask)
    summary = sel.summary()
    assert summary["feature"].tolist() == ["strong", "none"]
    assert 2.0 < summary["effect"].iloc[0] < 4.0
    assert abs(summary["effect"].iloc[1]) < 0.5
    assert summary["n_selected"].iloc[0] == 100 and summary["n_rest"].iloc[0] == 900
    expected = t["strong"][mask].mean()
    assert summary["mean_selected"].iloc[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("n_selected", [1, 2, 37, 500])
def test_summary_effect_is_interpret_effect_sizes(rng, n_selected):
    """One effect size: the selection's equals interpret's Cohen's d."""
    from astrokit.interpret import effect_sizes

    n = 1000
    t = pd.DataFrame(
        {
            "a": rng.normal(size=n).astype(np.float32) + 100.0,
            "b": rng.lognormal(size=n),
            "c": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
        }
    ).astype(np.float32)  # the explorer reads every column as float32
    mask = np.zeros(n, bool)
    mask[rng.choice(n, n_selected, replace=False)] = True
    t.loc[mask, "b"] += 2.0
    sel = Selection(t)
    sel.set_mask(mask)
    mine = sel.summary().set_index("feature")
    theirs = effect_sizes(t, mask.astype(int), method="cohen")
    theirs = theirs[theirs.cluster == 1].set_index("feature")
    assert mine.columns.tolist()[:3] == ["mean_selected", "mean_rest", "effect"]
    for column in ("a", "b", "c"):
        if column not in mine.index:  # nothing finite among the selected
            assert theirs.loc[column, "n_cluster"] == 0
            continue
        expected = theirs.loc[column, "effect"]
        assert mine.loc[column, "effect"] == pytest.approx(expected, rel=1e-9)
        assert mine.loc[column, "mean_rest"] == pytest.approx(
            theirs.loc[column, "centre_rest"], rel=1e-9
        )


def test_set_mask_checks_shape(table):
    sel = Selection(table)
    with pytest.raises(ValueError, match="a boolean array of shape"):
        sel.set_mask(np.zeros(3, bool))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_save_never_clobbers(table, tmp_path, suffix):
    sel = Selection(table)
    sel.set_positions([0, 5, 9])
    path = sel.save(tmp_path / f"sel{suffix}")
    back = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    assert len(back) == 3
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        sel.save(path)
    assert unique_path(path).name == f"sel-1{suffix}"
    sel.set_positions([1])
    sel.save(path, overwrite=True)
    back = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path)
    assert len(back) == 1


def test_save_button_picks_a_new_name(table, tmp_path):
    ex = explorer.explore(table)
    assert ex.layout is not None
    ex.select_box("embedding", (0, 0, 5, 5))
    ex._layout.path_input.value = str(tmp_path / "mine.csv")
    ex._layout._save_clicked()
    ex._layout._save_clicked()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine-1.csv", "mine.csv"]
    assert "mine-1.csv" in ex._layout.status_pane.object


def test_save_rejects_other_formats(table, tmp_path):
    sel = Selection(table)
    sel.set_positions([0])
    with pytest.raises(ValueError, match="has suffix '.xlsx'; use one of"):
        sel.save(tmp_path / "sel.xlsx")


@pytest.mark.parametrize("norm", ["linear", "log", "eq_hist"])
def test_normalisations(norm):
    v = np.array([[1.0, 10.0], [100.0, np.nan]])
    out, clim = normalise(v, norm, (1.0, 100.0))
    assert np.isnan(out[1, 1])
    assert clim[0] < clim[1]
    assert np.all(np.diff(out.ravel()[:3]) > 0)  # order is kept


def test_normalise_unknown():
    with pytest.raises(ValueError, match="norm='cbrt' is not a normalisation"):
        normalise(np.ones((2, 2)), "cbrt", (0, 1))


def test_colour_change_and_render(table):
    ex = explorer.explore(table)
    assert ex.layout is not None
    ex.set_color("f64", norm="linear")
    overlay = ex.views["embedding"].dmap[()]
    image = overlay.get(0)
    assert "mean f64" in [d.label for d in image.vdims]
    ex.set_color("(density)", norm="log")
    assert ex.color is None
    assert [d.name for d in ex.views["A"].dmap[()].get(0).vdims][1] == "count"


def test_static_fallback_png(table):
    ex = explorer.explore(table, color="f32")
    ex.select_box("embedding", (0, 0, 4, 4))
    png = ex.static_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, _ = ex._repr_mimebundle_()
    assert data["image/png"] and "Explorer" in data["text/plain"]


def test_repr(table):
    assert "Selection: 0 of 400 rows" in repr(explorer.explore(table))


def test_many_galaxies_become_tabs(table):
    import panel as pn

    ex = explorer.explore(table, max_sky=1)
    sky_box = ex.layout.objects[4]
    assert isinstance(sky_box, pn.Tabs) and len(sky_box) == 2


def test_summary_columns_by_position_warns_and_works(rng):
    t = pd.DataFrame({"a": rng.normal(size=50), "b": rng.normal(size=50)})
    sel = Selection(t)
    sel.set_positions([1, 2, 3])
    with pytest.warns(FutureWarning, match=r"give the option by name"):
        old = sel.summary(["a"])
    assert old.equals(sel.summary(columns=["a"]))
