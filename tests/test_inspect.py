"""astrokit.inspect: coverage counts, scale transforms, maps, histograms, views."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import holoviews as hv  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from astropy.io import fits  # noqa: E402
from astropy.wcs import WCS  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

from astrokit import inspect  # noqa: E402
from astrokit.inspect._scales import apply_scale, bin_edges, default_floor  # noqa: E402
from astrokit.plot import _holoviews as _hv

CO_A = [np.nan, np.nan, -2, -1, 0, 0.2, 0.5, 1, 2, 5, 10, 40]  # galaxy A, 3 x 4
CO_B = [1, 2, np.nan, -0.5]  # galaxy B, 2 x 2
SHAPES = {"A": (3, 4), "B": (2, 2)}


def _header(ny: int, nx: int) -> str:
    w = WCS(naxis=2)
    w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    w.wcs.crval = [24.17, 15.78]
    w.wcs.cdelt = [-1e-3, 1e-3]
    w.wcs.crpix = [nx / 2, ny / 2]
    return w.to_header().tostring()


@pytest.fixture
def table() -> pd.DataFrame:
    """Two galaxies, hand-checked: NaN, zero, negatives, upper limits, all-NaN."""
    parts = []
    for name, (ny, nx) in SHAPES.items():
        idx = np.arange(ny * nx)
        parts.append(pd.DataFrame({"galaxy": name, "x": idx % nx, "y": idx // nx}))
    t = pd.concat(parts, ignore_index=True)
    t["ra"], t["dec"] = 24.0, 15.0
    co = np.array(CO_A + CO_B, dtype=np.float32)
    t["co21"] = co
    t["co21_err"] = np.where(np.isfinite(co), 0.1, np.nan).astype(np.float32)
    t["co21_ul"] = np.isfinite(co) & (co < 3 * 0.1)
    t["f770w"] = np.array([2.0] * 12 + [np.nan] * 4, dtype=np.float32)
    t["halpha"] = np.full(len(t), np.nan, dtype=np.float32)
    t["halpha_ul"] = False
    t["mass"] = 1.0
    t["truth_env"] = pd.Categorical(["arm"] * len(t))
    t["truth_anomaly"] = False
    t.attrs.update(
        units={"co21": "K km / s", "f770w": "MJy / sr"},
        wcs={name: _header(*shape) for name, shape in SHAPES.items()},
        shape=SHAPES,
        detection_snr=3.0,
        truth_columns=["truth_env", "truth_anomaly"],
    )
    return t


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ coverage


def test_coverage_counts_are_exact(table):
    report = inspect.coverage_report(table)
    assert list(report.index) == ["co21", "f770w", "halpha", "mass"]
    co = report.loc["co21"]
    expected = {
        "n_rows": 16,
        "n_finite": 13,
        "n_nan": 3,
        "n_zero": 1,
        "n_negative": 3,
        "n_upper_limit": 5,
        "n_detected_positive": 8,
    }
    assert {k: int(co[k]) for k in expected} == expected
    assert co["frac_finite"] == pytest.approx(13 / 16)
    assert co["frac_upper_limit"] == pytest.approx(5 / 16)
    f770w = report.loc["f770w"]
    assert pd.isna(f770w["n_upper_limit"]) and pd.isna(f770w["frac_upper_limit"])
    assert int(f770w["n_detected_positive"]) == 12


def test_coverage_all_nan_band_is_reported_not_an_error(table):
    halpha = inspect.coverage_report(table, "halpha").loc["halpha"]
    assert halpha["frac_finite"] == 0.0
    assert int(halpha["n_nan"]) == 16
    assert int(halpha["n_upper_limit"]) == 0


def test_coverage_by_galaxy(table):
    report = inspect.coverage_report(table, ["co21"], by="galaxy")
    assert report.index.names == ["galaxy", "band"]
    a, b = report.loc[("A", "co21")], report.loc[("B", "co21")]
    got = [int(a[k]) for k in ("n_rows", "n_finite", "n_zero", "n_negative")]
    assert got == [12, 10, 1, 2]
    assert [int(b[k]) for k in ("n_rows", "n_finite", "n_upper_limit")] == [4, 3, 1]
    assert int(a["n_detected_positive"]) + int(b["n_detected_positive"]) == 8


def test_coverage_errors(table):
    with pytest.raises(ValueError, match=r"'nope' is not a numeric column.*co21"):
        inspect.coverage_report(table, ["co21", "nope"])
    with pytest.raises(ValueError, match="by='field' is not a column"):
        inspect.coverage_report(table, by="field")
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        inspect.coverage_report(np.zeros((2, 2)))


# -------------------------------------------------------------------- scales


def test_log_drops_and_counts_non_positive():
    s = apply_scale(np.array([-2.0, 0.0, np.nan, 0.5, 4.0]), "log")
    assert np.isnan(s.values[:3]).all() and list(s.values[3:]) == [0.5, 4.0]
    assert (s.n_finite, s.n_dropped) == (4, 2)
    assert s.note == "2 values ≤ 0 dropped"
    assert (s.vmin, s.vmax) == (0.5, 4.0)


def test_clipped_log_clips_and_counts():
    s = apply_scale(
        np.array([-2.0, 0.0, 0.1, 0.5, 4.0, np.nan]), "clipped-log", floor=0.3
    )
    assert list(s.values[:5]) == [0.3, 0.3, 0.3, 0.5, 4.0] and np.isnan(s.values[5])
    assert (s.n_clipped, s.n_nonpositive, s.n_dropped) == (3, 2, 0)
    assert s.note == "3 values < floor clipped (2 of them ≤ 0)"
    assert (s.vmin, s.vmax, s.floor_rule) == (0.3, 4.0, "given")


def test_default_floor_rules():
    values = np.array([-1.0, 0.5, 1.0, 2.0, 40.0])
    assert default_floor(values, np.full(5, 0.25)) == (0.75, "3 x median error")
    # a threshold above every value falls back to the percentile rule
    floor, rule = default_floor(values, np.full(5, 100.0))
    assert rule == "1st percentile of values > 0"
    assert floor == pytest.approx(np.percentile([0.5, 1.0, 2.0, 40.0], 1))


@pytest.mark.parametrize("scale", ["log", "clipped-log"])
def test_nothing_positive_is_a_clear_error(scale):
    with pytest.raises(ValueError, match=r"no positive values \(3 finite.*'linear'"):
        apply_scale(np.array([-1.0, 0.0, -3.0]), scale)
    with pytest.raises(ValueError, match="no finite values at all"):
        apply_scale(np.full(3, np.nan), scale)


def test_scale_argument_errors():
    values = np.array([0.5, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"scale='sqrt' is not a scale"):
        apply_scale(values, "sqrt")
    with pytest.raises(ValueError, match="floor=-1.0 must be a positive finite"):
        apply_scale(values, "clipped-log", floor=-1.0)
    with pytest.raises(ValueError, match=r"floor=5.0 is not below the largest"):
        apply_scale(values, "clipped-log", floor=5.0)
    with pytest.raises(ValueError, match="default_floor needs at least one positive"):
        default_floor(np.array([-1.0]))
    with pytest.raises(ValueError, match="bins=0 must be a positive integer"):
        bin_edges(apply_scale(values, "log"), 0)


# ---------------------------------------------------------------- map figure


def test_plot_map_scales_titles_scales_and_colorbars(table):
    axes = inspect.plot_map_scales(table, "co21", galaxy="A")
    assert axes.shape == (3,)
    titles = [ax.get_title() for ax in axes]
    assert titles[0].startswith("linear") and "10 finite pixels" in titles[0]
    assert "3 pixels ≤ 0 dropped" in titles[1]
    assert "floor 0.3" in titles[2] and "3 x median error" in titles[2]
    assert "4 pixels < floor clipped (3 of them ≤ 0)" in titles[2]
    norms = [ax.images[0].norm for ax in axes]
    assert not isinstance(norms[0], LogNorm)
    assert isinstance(norms[1], LogNorm) and isinstance(norms[2], LogNorm)
    assert norms[2].vmin == pytest.approx(0.3)
    # numpy order image[y, x]: row 1 holds CO_A[4:8] = 0, 0.2, 0.5, 1
    shown = np.ma.filled(axes[2].images[0].get_array(), np.nan)
    np.testing.assert_allclose(shown[1], [0.3, 0.3, 0.5, 1.0])
    for ax in axes:
        label = ax.images[0].colorbar.ax.get_ylabel()
        assert label == "CO(2-1) intensity [K km s⁻¹]"
        assert hasattr(ax, "coords")  # WCSAxes: RA/Dec
    assert axes[0].coords[0].get_axislabel() == "RA"


def test_plot_map_scales_log_panel_greys_the_dropped_pixels(table):
    axes = inspect.plot_map_scales(table, "co21", galaxy="A")
    overlay = axes[1].images[1].get_array()
    assert int(np.isfinite(np.ma.filled(overlay, np.nan)).sum()) == 3


def test_plot_map_scales_array_input_and_pixel_axes():
    image = np.array([[-1.0, 0.5, 2.0], [4.0, np.nan, 30.0]])
    axes = inspect.plot_map_scales(image, "my map", scales=["linear", "log"])
    assert len(axes) == 2
    assert axes[0].get_xlabel() == "x [pixel]" and axes[0].get_ylabel() == "y [pixel]"
    assert axes[1].images[0].colorbar.ax.get_ylabel() == "my map"
    fig, own = plt.subplots(1, 3)
    out = inspect.plot_map_scales(image, "f770w", axes=own, floor=1.0)
    assert list(out) == list(own)
    assert own[0].images[0].colorbar.ax.get_ylabel().endswith("[MJy sr⁻¹]")


def test_plot_map_scales_errors(table):
    with pytest.raises(ValueError, match="band='nope'.*available value columns"):
        inspect.plot_map_scales(table, "nope", galaxy="A")
    with pytest.raises(ValueError, match=r"holds 2 galaxies.*pass galaxy="):
        inspect.plot_map_scales(table, "co21")
    with pytest.raises(ValueError, match="no finite values at all"):
        inspect.plot_map_scales(table, "halpha", galaxy="A")
    with pytest.raises(ValueError, match="axes holds 2 Axes; plot_map_scales needs"):
        inspect.plot_map_scales(table, "co21", galaxy="A", axes=plt.subplots(1, 2)[1])
    with pytest.raises(ValueError, match=r"scales=\[\] is empty"):
        inspect.plot_map_scales(table, "co21", galaxy="A", scales=[])
    with pytest.raises(ValueError, match="wcs= is for a bare array"):
        inspect.plot_map_scales(table, "co21", galaxy="A", wcs=WCS(naxis=2))
    with pytest.raises(ValueError, match=r"got an array of shape \(4,\)"):
        inspect.plot_map_scales(np.ones(4), "v")
    with pytest.raises(ValueError, match=r"err has shape \(3,\)"):
        inspect.plot_map_scales(np.ones((2, 2)), "v", err=np.ones(3))
    with pytest.raises(TypeError, match="got dict"):
        inspect.plot_map_scales({"co21": [1.0]}, "co21")


# ---------------------------------------------------------------- histograms


def test_plot_histograms_scales_titles_and_counts(table):
    axes = inspect.plot_histograms(table, "co21", galaxy="A", bins=5)
    assert [(ax.get_xscale(), ax.get_yscale()) for ax in axes] == [
        ("linear", "linear"),
        ("log", "linear"),
        ("log", "log"),
    ]
    assert axes[0].get_title() == "5 linear bins\n10 finite values"
    for ax in axes[1:]:
        assert ax.get_title().endswith("3 values ≤ 0 excluded")
    heights = [sum(p.get_height() for p in ax.patches) for ax in axes]
    assert heights[0] == 10 and heights[1] == 7  # 7 positive values in A
    assert axes[0].get_xlabel() == "CO(2-1) intensity [K km s⁻¹]"


def test_plot_histograms_all_galaxies_and_errors(table):
    axes = inspect.plot_histograms(table, "co21")
    assert "4 values ≤ 0 excluded" in axes[1].get_title()  # 3 in A, 1 in B
    with pytest.raises(
        ValueError, match="axes holds 1 Axes; plot_histograms needs exactly 3"
    ):
        inspect.plot_histograms(table, "co21", axes=[plt.gca()])
    with pytest.raises(ValueError, match=r"band 'co21' \(B\) has no positive"):
        inspect.plot_histograms(table.iloc[[14, 15]], "co21")
    with pytest.raises(ValueError, match=r"bins=2.5 must be a positive integer"):
        inspect.plot_histograms(table, "co21", bins=2.5)


# ---------------------------------------------------------------- interactive


def test_ensure_extension_loads_bokeh_inline_once(monkeypatch):
    import panel as pn
    from bokeh.settings import settings

    _hv.ensure_extension()
    assert hv.Store.current_backend == "bokeh"
    assert pn.config.inline is True
    if "BOKEH_RESOURCES" not in os.environ:  # an explicit choice is respected
        assert settings.resources() == "inline"
    calls = []
    monkeypatch.setattr(hv, "extension", lambda *a, **k: calls.append((a, k)))
    _hv.ensure_extension()
    assert calls == []
    _hv.ensure_extension(force=True)
    assert calls == [(("bokeh",), {"inline": True, "logo": False})]


def test_map_view_is_an_image_with_hover_values(table):
    view = inspect.map_view(table, "co21", galaxy="A")
    assert isinstance(view, hv.Image)
    opts = view.opts.get().kwargs
    assert opts["logz"] is True and "hover" in opts["tools"]
    assert "3 pixels ≤ 0 dropped" in opts["title"]
    names = [d.name for d in view.vdims]
    assert names == ["co21", "co21_raw", "ra", "dec"]
    # (x=2, y=0) is image[0, 2] = -2: dropped from the log layer, kept raw
    sample = view.sample([(2, 0), (3, 2)])
    assert np.isnan(sample.dimension_values("co21")[0])
    assert list(sample.dimension_values("co21_raw")) == [-2.0, 40.0]
    plot = hv.render(view, backend="bokeh")
    assert type(plot).__name__ == "figure"


def test_map_view_linear_and_clipped(table):
    linear = inspect.map_view(table, "co21", galaxy="A", scale="linear")
    assert linear.opts.get().kwargs["logz"] is False
    assert [d.name for d in linear.vdims] == ["co21", "ra", "dec"]
    clipped = inspect.map_view(table, "co21", galaxy="A", scale="clipped-log")
    assert np.nanmin(clipped.dimension_values("co21")) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="scale='sqrt' is not a scale"):
        inspect.map_view(table, "co21", galaxy="A", scale="sqrt")


def test_map_view_regrids_large_maps_with_datashader(monkeypatch):
    from astrokit.inspect import _holoviews as _inspect_hv

    image = np.arange(1.0, 401.0).reshape(20, 20)
    assert isinstance(inspect.map_view(image, "v"), hv.Image)
    monkeypatch.setattr(_inspect_hv, "REGRID_ABOVE", 100)
    view = inspect.map_view(image, "v", width=10)
    assert isinstance(view, hv.DynamicMap)
    assert type(hv.render(view, backend="bokeh")).__name__ == "figure"
    assert isinstance(inspect.map_view(image, "v", regrid=False), hv.Image)


def test_hist_view_and_scales_view(table):
    hist = inspect.hist_view(table, "co21", galaxy="A", bins=4, logy=True)
    assert isinstance(hist, hv.Histogram)
    opts = hist.opts.get().kwargs
    assert opts["logx"] is True and opts["logy"] is True
    assert "3 pixels ≤ 0 dropped" in opts["title"]
    assert int(hist.dimension_values("count").sum()) == 7
    layout = inspect.scales_view(table, "co21", galaxy="A", bins=4)
    assert isinstance(layout, hv.Layout) and len(layout) == 6
    assert type(hv.render(layout, backend="bokeh")).__name__ == "GridPlot"


def test_saved_html_loads_nothing_from_a_cdn(table, tmp_path):
    view = inspect.scales_view(table, "co21", galaxy="A", bins=4)
    page = _hv.save_html(view, tmp_path / "view.html").read_text(encoding="utf-8")
    assert "Bokeh" in page and _hv.remote_resources(page) == []
    hv.save(view, tmp_path / "hv.html", resources="inline")
    assert _hv.remote_resources((tmp_path / "hv.html").read_text("utf-8")) == []
    # hv.save's own default is the CDN: why astrokit saves through save_html
    hv.save(hv.Curve([1, 2]), tmp_path / "cdn.html")
    remote = _hv.remote_resources((tmp_path / "cdn.html").read_text("utf-8"))
    assert any("cdn.bokeh.org" in url for url in remote)


# ----------------------------------------------------------------- real data


@pytest.mark.realdata
def test_real_phangs_co_map_log_panel_counts_negative_pixels(shared_data):
    path = shared_data / "phangs_alma" / "ngc3621_1_12m+7m_co21_150pc_broad_mom0.fits"
    if not path.exists():
        pytest.skip(f"{path.name} not available")
    with fits.open(path) as hdul:
        data, wcs = hdul[0].data.astype(float), WCS(hdul[0].header)
    axes = inspect.plot_map_scales(data, "co21", wcs=wcs, unit="K km s-1")
    assert "35,006 pixels ≤ 0 dropped" in axes[1].get_title()
    assert "266,838 finite pixels" in axes[0].get_title()
    hists = inspect.plot_histograms(data, "co21")
    assert hists[1].get_title().endswith("35,006 values ≤ 0 excluded")


# ------------------------------------------------ infinities: counted, named


@pytest.fixture
def with_inf(table):
    """The table with two +inf and one -inf CO pixels in galaxy A."""
    t = table.copy()
    t.loc[[4, 5], "co21"] = np.inf  # were 0 and 0.2
    t.loc[6, "co21"] = -np.inf  # was 0.5
    return t


def test_coverage_counts_infinities_apart_from_nan(with_inf):
    co = inspect.coverage_report(with_inf, "co21").loc["co21"]
    got = {k: int(co[k]) for k in ("n_finite", "n_nan", "n_inf", "n_zero")}
    assert got == {"n_finite": 10, "n_nan": 3, "n_inf": 3, "n_zero": 0}
    assert co["frac_inf"] == pytest.approx(3 / 16)
    assert int(co["n_finite"] + co["n_nan"] + co["n_inf"]) == int(co["n_rows"])


def test_scaled_counts_infinities_on_every_scale():
    values = np.array([np.inf, -np.inf, np.nan, -1.0, 1.0, 10.0])
    for scale in inspect.SCALES:
        s = apply_scale(values, scale, floor=2.0 if scale == "clipped-log" else None)
        assert s.n_inf == 2 and s.note.endswith(", 2 infinite dropped")
        assert not np.isinf(s.values).any()
    assert apply_scale(values, "linear").note == "3 finite values, 2 infinite dropped"
    with pytest.raises(ValueError, match=r"no finite values at all \(2 infinite\)"):
        apply_scale(np.array([np.inf, -np.inf, np.nan]), "log")


def test_histogram_titles_name_the_infinite_values(with_inf):
    axes = inspect.plot_histograms(with_inf, "co21")
    assert axes[0].get_title().endswith("10 finite values, 3 infinite dropped")
    assert axes[1].get_title().endswith("3 values ≤ 0 excluded, 3 infinite dropped")
    clean = inspect.plot_histograms(np.array([1.0, 2.0]), "co21")
    assert "infinite" not in clean[0].get_title()


def test_map_titles_name_the_infinite_pixels(with_inf):
    axes = inspect.plot_map_scales(with_inf, "co21", galaxy="A", floor=1.0)
    for ax in axes:
        assert ax.get_title().endswith(", 3 infinite dropped"), ax.get_title()
    assert "7 finite pixels, 3 infinite dropped" in axes[0].get_title()


def test_interactive_titles_name_the_infinite_pixels(with_inf):
    view = inspect.map_view(with_inf, "co21", galaxy="A", scale="log")
    assert view.opts.get().kwargs["title"].endswith("3 infinite dropped")
