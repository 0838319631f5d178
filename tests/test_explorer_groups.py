"""The explorer as a student meets it: menu by meaning, categories, two groups, pins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from astrokit import explorer
from astrokit.explorer._choices import colour_choices, physical_columns


@pytest.fixture
def pixels(rng):
    n = 600
    knot = np.arange(n) < 100  # a bright knot: high [OIII]/Hbeta
    hbeta = rng.lognormal(3, 0.3, n)
    oiii = hbeta * np.where(knot, 8.0, 1.0) * rng.lognormal(0, 0.1, n)
    emb = rng.normal(size=(n, 2)) + np.where(knot, 6.0, 0.0)[:, None]
    emb[500:] = np.nan  # rows without an embedding
    return pd.DataFrame(
        {
            "galaxy": pd.Categorical(["A"] * n),
            "x": rng.integers(0, 30, n),
            "y": rng.integers(0, 30, n),
            "ra": rng.random(n),
            "umap_x": emb[:, 0],
            "umap_y": emb[:, 1],
            "hbeta": hbeta,
            "hbeta_err": np.full(n, 0.1),
            "hbeta_ul": np.zeros(n, bool),
            "oiii5007": oiii,
            "cluster": pd.array(np.where(knot, 1, 0), dtype="Int64"),
            "truth_env": np.where(knot, 3, 0),
        }
    )


def test_colour_menu_offers_derived_features_and_hides_bookkeeping(pixels):
    menu = colour_choices(pixels)
    assert list(menu.values())[0] == "log_oiii_hb"  # derived, physics first
    assert "log [OIII]5007/Hβ (derived)" in menu
    hidden = {"hbeta_err", "hbeta_ul", "ra", "x", "umap_x"}
    assert not hidden & set(menu.values())
    assert hidden <= set(colour_choices(pixels, show_all=True).values())


def test_a_derived_feature_colours_the_views(pixels):
    ex = explorer.explore(pixels, color="log_oiii_hb")
    expected = np.log10(pixels["oiii5007"] / pixels["hbeta"]).to_numpy(np.float32)
    np.testing.assert_allclose(ex._values, expected, rtol=1e-5)
    assert ex.color_label == "log [OIII]5007/Hβ"


def test_cluster_labels_are_coloured_by_category(pixels):
    ex = explorer.explore(pixels, color="cluster")
    assert ex.palette is not None and len(ex.palette) == 2
    assert {k: n for k, (_, n) in ex.legend.items()} == {0: 500, 1: 100}
    main, _ = ex.views["embedding"].raster()
    majority = main.mean[np.isfinite(main.mean)]
    assert set(np.unique(majority)) <= {0.0, 1.0}  # codes, never a mean label


def test_contrast_ranks_physical_columns_against_embedded_rows(pixels):
    ex = explorer.explore(pixels)
    assert "cluster" not in ex.summary_columns
    assert not {"hbeta_err", "hbeta_ul", "truth_env", "x"} & set(ex.summary_columns)
    ex.select_box("embedding", (3, 3, 10, 10))
    summary = ex.selection.summary(columns=ex.summary_columns)
    assert summary["feature"].iloc[0] == "log_oiii_hb"
    n_embedded = 500
    row = summary.iloc[0]
    assert row["n_selected"] + row["n_rest"] == n_embedded  # not 600
    assert set(physical_columns(pixels)) >= {"log_oiii_hb", "hbeta", "oiii5007"}


def test_two_groups_are_compared_and_marked(pixels):
    ex = explorer.explore(pixels)
    with pytest.raises(ValueError, match=r"group\(s\) \['A', 'B'\] not set"):
        ex.compare()
    with pytest.raises(ValueError, match="select rows before setting group A"):
        ex.set_group("A")
    ex.select_box("embedding", (3, 3, 10, 10))
    ex.set_group("A")
    ex.select_box("embedding", (-5, -5, 2, 2))
    ex.set_group("B")
    table = ex.compare()
    assert table["feature"].iloc[0] == "log_oiii_hb" and table["effect"].iloc[0] > 3
    assert table["label"].iloc[0] == "log [OIII]5007/Hβ"
    assert (table["effect"].abs().diff().dropna() <= 1e-12).all()  # ranked
    _, marked = ex.views["A"].raster()  # each group in its colour on the sky
    assert set(marked) == {"A", "B"} and ex.selection.empty
    assert marked["A"].sum() == ex.groups["A"][ex.views["A"].rows.positions].sum()
    with pytest.raises(ValueError, match="name='C' is not a group"):
        ex.set_group("C")


def test_pins_become_a_column_saved_with_the_selection(pixels, tmp_path):
    ex = explorer.explore(pixels)
    ex.select_box("embedding", (3, 3, 10, 10))
    n = ex.pin("knot")
    labels = ex.labels
    assert labels.index.equals(pixels.index) and (labels == "knot").sum() == n
    assert labels.isna().sum() == len(pixels) - n
    saved = pd.read_csv(ex.selection.save(tmp_path / "knot.csv"), index_col=0)
    assert (saved["label"] == "knot").all() and len(saved) == n
    with pytest.raises(ValueError, match="must be a non-empty string"):
        ex.pin("  ")


def test_the_widget_compares_and_lays_out(pixels):
    ex = explorer.explore(pixels, color="cluster")
    layout = ex.layout
    assert "majority per pixel" in ex._layout.caption.object
    ex.select_box("embedding", (3, 3, 10, 10))
    ex.set_group("A")
    ex.select_box("embedding", (-5, -5, 2, 2))
    ex.set_group("B")
    ex._layout._compare()
    shown = ex._layout.comparison.object
    assert shown["label"].iloc[0] == "log [OIII]5007/Hβ"
    assert "log [OIII]5007/Hβ (derived)" in ex._layout.colour_select.options
    ex._layout.show_all.value = True
    assert "hbeta_err" in ex._layout.colour_select.options.values()
    assert layout is ex.layout


def test_static_preview_of_a_categorical_colour(pixels):
    from io import BytesIO

    from PIL import Image

    png = explorer.explore(pixels, color="cluster").static_png()
    assert Image.open(BytesIO(png)).size[0] > 100  # drawn, no error on <NA>


def test_a_categorical_colour_gets_its_counts_per_category():
    rng = np.random.default_rng(4)
    table = pd.DataFrame(
        {
            "umap_x": rng.normal(size=300),
            "umap_y": rng.normal(size=300),
            "x": rng.integers(0, 10, 300),
            "y": rng.integers(0, 10, 300),
            "cluster": rng.integers(-1, 3, 300),
        }
    )
    ex = explorer.explore(
        table, embedding=("umap_x", "umap_y"), sky=("x", "y"), by=None, color="cluster"
    )
    assert ex.layout is not None  # builds the widgets
    bars = ex._layout._histogram()
    counts = table["cluster"].value_counts()
    assert dict(zip(bars.data["category"], bars.data["rows"], strict=True)) == {
        str(k): int(v) for k, v in counts.items()
    }
    ex.select_box("embedding", (-1, -1, 1, 1))
    picked = ex._layout._histogram().get(1)
    assert picked.data["rows"].sum() == ex.selection.mask.sum()
