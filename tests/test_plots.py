"""course.plots: a colour-blind-safe style; titled, labelled figures with data-based alt text."""

from __future__ import annotations

import base64
import html
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from PIL import Image  # noqa: E402

from course import plots  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

COUNTRIES = pd.DataFrame(
    {
        "country": [
            "Serbia",
            "Kosovo",
            "Montenegro",
            "Albania",
            "North Macedonia",
            "Bosnia and Herzegovina",
        ],
        "status": [
            "negotiating",
            "potential candidate",
            "negotiating",
            "negotiating",
            "negotiating",
            "potential candidate",
        ],
    }
)


def assert_labelled(chart: plots.Chart, title: str) -> None:
    """Every figure: title, both axis labels and alt text are present."""
    assert isinstance(chart, plots.Chart)
    assert chart.title == title
    assert chart.ax.get_title().replace("\n", " ") == title
    assert chart.ax.get_xlabel().strip()
    assert chart.ax.get_ylabel().strip()
    assert chart.alt.strip() and chart.alt.endswith(".")
    assert plots.describe(chart) == chart.alt


# --------------------------------------------------------------------------- palette and style


def test_palette_is_okabe_ito_and_categories_use_it():
    assert len(plots.OKABE_ITO) == 8
    assert set(plots.PALETTE) == set(plots.OKABE_ITO.values())
    assert set(plots.CATEGORY_COLOURS) == {
        "conflict",
        "diplomacy",
        "eu",
        "law",
        "security",
        "politics",
        "history",
    }
    assert set(plots.CATEGORY_COLOURS.values()) <= set(plots.PALETTE)
    # Distinct colours, and distinct marker shapes as a second cue.
    assert len(set(plots.CATEGORY_COLOURS.values())) == len(plots.CATEGORY_COLOURS)
    assert len(set(plots.CATEGORY_MARKERS.values())) == len(plots.CATEGORY_MARKERS)


def test_figures_do_not_touch_global_rcparams():
    before = dict(matplotlib.rcParams)
    plots.bar_chart(pd.Series({"a": 1}), title="T", xlabel="x", ylabel="y").to_png()
    after = dict(matplotlib.rcParams)
    assert before == after


def test_style_applies_palette_inside_figures():
    chart = plots.bar_chart(pd.Series({"a": 1, "b": 2}), title="T", xlabel="x", ylabel="y")
    assert to_hex(chart.ax.patches[0].get_facecolor()).upper() == plots.PALETTE[0].upper()
    assert chart.ax.get_title(loc="center") == "T"
    assert chart.ax.title.get_fontweight() in ("bold", 700)


def test_importing_plots_leaves_matplotlib_unloaded():
    code = "import sys, course.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- Chart


def test_chart_mimebundle_has_png_once_and_alt_text():
    chart = plots.bar_chart(
        pd.Series({"kosovo": 7, "serbia": 6}), title="Words", xlabel="Word", ylabel="Occurrences"
    )
    data, metadata = chart._repr_mimebundle_()
    assert set(data) == {"text/html", "image/png", "text/plain"}
    assert isinstance(data["image/png"], bytes)
    assert data["image/png"].startswith(PNG_SIGNATURE)
    assert data["text/plain"] == chart.alt
    assert metadata == {"image/png": {"alt": chart.alt}}
    # The HTML form is the one JupyterLab shows: one <img>, the same PNG, the alt text escaped.
    html_img = data["text/html"]
    assert html_img.count("<img ") == 1
    assert base64.b64encode(data["image/png"]).decode() in html_img
    assert f'alt="{html.escape(chart.alt)}"' in html_img


def test_chart_alt_text_is_escaped_in_html():
    chart = plots.bar_chart(pd.Series({"a": 1}), title="T", xlabel="x", ylabel="y",
                            alt='A "quoted" <b>bold</b> claim.')
    html_img = chart._repr_mimebundle_()[0]["text/html"]
    assert "<b>" not in html_img and "&lt;b&gt;" in html_img and "&quot;quoted&quot;" in html_img


def test_chart_uses_figure_not_pyplot():
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    plots.bar_chart(pd.Series({"a": 1}), title="T", xlabel="x", ylabel="y")
    # A pyplot figure would also be shown by the inline backend: a second copy in the notebook.
    assert plt.get_fignums() == open_before


def test_save_writes_png_with_description(tmp_path):
    chart = plots.histogram([1, 2, 3], bins=3, title="Scores", xlabel="Score", ylabel="Students")
    path = chart.save(tmp_path / "scores.png")
    assert path == tmp_path / "scores.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.info["Description"] == chart.alt
        assert image.info["Title"] == "Scores"


def test_save_rejects_bad_paths(tmp_path):
    chart = plots.bar_chart(pd.Series({"a": 1}), title="T", xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="path"):
        chart.save(tmp_path / "figure.svg")
    with pytest.raises(ValueError, match="path"):
        chart.save(tmp_path / "missing-folder" / "figure.png")
    with pytest.raises(TypeError, match="path"):
        chart.save(42)


def test_to_png_reflects_later_changes_to_the_axes():
    chart = plots.bar_chart(pd.Series({"a": 1}), title="T", xlabel="x", ylabel="y")
    first = chart.to_png()
    chart.ax.set_ylim(0, 100)
    assert chart.to_png() != first


def test_describe_rejects_non_charts():
    with pytest.raises(TypeError, match="chart"):
        plots.describe("a figure")


def test_chart_requires_alt_text():
    from matplotlib.figure import Figure

    figure = Figure()
    with pytest.raises(ValueError, match="alt"):
        plots.Chart(figure, figure.add_subplot(), title="T", alt="  ")


# --------------------------------------------------------------------------- bar_chart


def test_bar_chart_from_series_describes_the_data():
    words = pd.Series({"kosovo": 7, "serbia": 6, "nato": 5})
    chart = plots.bar_chart(words, title="Most frequent words", xlabel="Word", ylabel="Occurrences")
    assert_labelled(chart, "Most frequent words")
    assert [t.get_text() for t in chart.ax.get_xticklabels()] == ["kosovo", "serbia", "nato"]
    assert [p.get_height() for p in chart.ax.patches] == [7, 6, 5]
    assert "'kosovo'" in chart.alt and "7" in chart.alt
    assert "'nato'" in chart.alt and "3 bars" in chart.alt


def test_bar_chart_from_word_frequency_frame_needs_value_column():
    frame = pd.DataFrame({"word": ["kosovo", "serbia"], "count": [7, 6], "share": [0.1, 0.09]})
    with pytest.raises(ValueError, match="value_column"):
        plots.bar_chart(frame, title="T", xlabel="x", ylabel="y")
    chart = plots.bar_chart(
        frame, title="T", xlabel="Count", ylabel="Word", horizontal=True, value_column="count"
    )
    assert_labelled(chart, "T")
    labels = [t.get_text() for t in chart.ax.get_yticklabels()]
    assert labels == ["kosovo", "serbia"]
    # Horizontal: the first row sits at the top so rankings read downwards.
    assert chart.ax.yaxis_inverted()
    assert chart.alt.startswith("Horizontal bar chart") and "'kosovo' at 7" in chart.alt


def test_bar_chart_single_numeric_column_and_duplicate_labels():
    frame = pd.DataFrame({"speaker": ["Vucic", "Vucic", "Stoltenberg"], "share": [0.5, 0.2, 0.3]})
    chart = plots.bar_chart(frame, title="Quotes", xlabel="Speaker", ylabel="Share")
    # Duplicate labels keep their own bars rather than being merged on a categorical axis.
    assert len(chart.ax.patches) == 3
    assert "0.5" in chart.alt and "'Vucic'" in chart.alt


def test_bar_chart_keeps_acronyms_in_alt_text():
    chart = plots.bar_chart(
        pd.Series({"Kosovo": 22, "Serbia": 5}), title="T", xlabel="Country", ylabel="EU members"
    )
    assert "of EU members by country" in chart.alt


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        ([1, 2], {}, TypeError, "data"),
        (pd.Series([], dtype=float), {}, ValueError, "empty"),
        (pd.Series({"a": "x"}), {}, TypeError, "numbers"),
        (pd.Series({"a": 1.0, "b": np.nan}), {}, ValueError, "missing"),
        (pd.Series({"a": 1}), {"title": ""}, ValueError, "title"),
        (pd.Series({"a": 1}), {"xlabel": None}, TypeError, "xlabel"),
        (pd.Series({"a": 1}), {"ylabel": 3}, TypeError, "ylabel"),
        (pd.Series({"a": 1}), {"alt": ""}, ValueError, "alt"),
        (pd.Series({"a": 1}), {"horizontal": "yes"}, TypeError, "horizontal"),
        (pd.DataFrame({"w": ["a"]}), {}, ValueError, "numeric"),
        (pd.DataFrame({"w": ["a"], "n": [1]}), {"value_column": "m"}, ValueError, "value_column"),
    ],
)
def test_bar_chart_validates(data, kwargs, error, match):
    arguments = {"title": "T", "xlabel": "x", "ylabel": "y", **kwargs}
    with pytest.raises(error, match=match):
        plots.bar_chart(data, **arguments)


def test_bar_chart_custom_alt_is_used():
    chart = plots.bar_chart(
        pd.Series({"a": 1}), title="T", xlabel="x", ylabel="y", alt="My own description."
    )
    assert chart.alt == "My own description."


# --------------------------------------------------------------------------- histogram


def test_histogram_counts_and_alt():
    scores = [2, 4, 4, 5, 7, 9, 10, None]
    chart = plots.histogram(
        scores, bins=[0, 5, 10], title="Score distribution", xlabel="Score", ylabel="Students"
    )
    assert_labelled(chart, "Score distribution")
    assert [p.get_height() for p in chart.ax.patches] == [3, 4]
    assert "7 values" in chart.alt
    assert "from 2 to 10" in chart.alt
    assert "1 missing value left out" in chart.alt
    assert "holds 4" in chart.alt


def test_histogram_accepts_series_and_arrays():
    series = pd.Series([1.5, 2.5, 2.5], dtype="Float64")
    chart = plots.histogram(series, bins=2, title="T", xlabel="x", ylabel="y")
    assert sum(p.get_height() for p in chart.ax.patches) == 3
    chart = plots.histogram(np.arange(10), bins=5, title="T", xlabel="x", ylabel="y")
    assert sum(p.get_height() for p in chart.ax.patches) == 10
    assert "median 4.5" in chart.alt


@pytest.mark.parametrize(
    ("values", "bins", "error", "match"),
    [
        ("12345", 3, TypeError, "values"),
        (5, 3, TypeError, "values"),
        ([1, "a"], 3, TypeError, "values"),
        ([True, False], 3, TypeError, "values"),
        ([], 3, ValueError, "values"),
        ([None, np.nan], 3, ValueError, "values"),
        ([1, np.inf], 3, ValueError, "values"),
        ([1, 2], 0, ValueError, "bins"),
        ([1, 2], True, TypeError, "bins"),
        ([1, 2], "auto", TypeError, "bins"),
        ([1, 2], [3, 1], ValueError, "bins"),
        ([1, 2], [1], ValueError, "bins"),
    ],
)
def test_histogram_validates(values, bins, error, match):
    with pytest.raises(error, match=match):
        plots.histogram(values, bins=bins, title="T", xlabel="x", ylabel="y")


def test_histogram_mentions_values_outside_edges():
    chart = plots.histogram([1, 2, 50], bins=[0, 5], title="T", xlabel="x", ylabel="y")
    assert "1 value outside the bin edges" in chart.alt


# --------------------------------------------------------------------------- status_chart


def test_status_chart_groups_countries_by_status():
    chart = plots.status_chart(
        COUNTRIES, status_column="status", order=["potential candidate", "negotiating"]
    )
    assert_labelled(chart, "EU status of the Western Balkans Six")
    assert [t.get_text() for t in chart.ax.get_yticklabels()] == [
        "Bosnia and Herzegovina",
        "Kosovo",
        "Albania",
        "Montenegro",
        "North Macedonia",
        "Serbia",
    ]
    assert "potential candidate: Bosnia and Herzegovina and Kosovo" in chart.alt
    assert "negotiating: Albania, Montenegro, North Macedonia and Serbia" in chart.alt
    colours = {to_hex(c.get_facecolor()[0]) for c in chart.ax.collections}
    assert len(colours) == 2


@pytest.mark.parametrize(
    ("countries", "kwargs", "error", "match"),
    [
        ([], {}, TypeError, "countries"),
        (COUNTRIES, {"status_column": "eu"}, ValueError, "'eu'"),
        (COUNTRIES.rename(columns={"country": "name"}), {}, ValueError, "'country'"),
        (COUNTRIES.iloc[0:0], {}, ValueError, "empty"),
        (pd.concat([COUNTRIES, COUNTRIES.iloc[:1]]), {}, ValueError, "Serbia"),
        (COUNTRIES, {"order": ["negotiating"]}, ValueError, "potential candidate"),
        (COUNTRIES, {"order": "negotiating"}, TypeError, "order"),
    ],
)
def test_status_chart_validates(countries, kwargs, error, match):
    arguments = {"status_column": "status", **kwargs}
    with pytest.raises(error, match=match):
        plots.status_chart(countries, **arguments)


def test_status_chart_with_missing_status_names_column():
    frame = COUNTRIES.copy()
    frame.loc[0, "status"] = None
    with pytest.raises(ValueError, match="status"):
        plots.status_chart(frame, status_column="status")


# --------------------------------------------------------------------------- tile_map

STATUS_2022 = {
    "Serbia": "candidate",
    "Montenegro": "candidate",
    "Albania": "candidate",
    "North Macedonia": "candidate",
    "Bosnia-Herzegovina": "potential candidate",
    "Kosovo": "potential candidate",
}


def test_tile_map_places_six_schematic_tiles():
    chart = plots.tile_map(STATUS_2022, title="EU status, August 2022", legend_title="EU status")
    assert_labelled(chart, "EU status, August 2022")
    assert "west → east" in chart.ax.get_xlabel()
    assert "south → north" in chart.ax.get_ylabel()
    assert list(chart.ax.get_xticks()) == [] and list(chart.ax.get_yticks()) == []
    assert len(chart.ax.patches) == 6
    names = {t.get_text().replace("\n", " ") for t in chart.ax.texts}
    assert set(plots.WESTERN_BALKANS) <= names
    assert "schematic" in chart.alt.lower() and "not to scale" in chart.alt
    assert "potential candidate: Bosnia and Herzegovina and Kosovo" in chart.alt
    legend = chart.ax.get_legend()
    assert legend.get_title().get_text() == "EU status"
    assert [t.get_text() for t in legend.get_texts()] == ["candidate", "potential candidate"]


def test_tile_map_geography_is_roughly_right():
    grid = plots.WESTERN_BALKANS

    def centre(name):
        x, y, w, h = grid[name]
        return x + w / 2, y + h / 2

    assert centre("Bosnia and Herzegovina")[0] < centre("Serbia")[0]  # BiH west of Serbia
    assert centre("Serbia")[1] > centre("Kosovo")[1] > centre("North Macedonia")[1]
    assert centre("Montenegro")[0] < centre("Kosovo")[0]
    assert centre("Albania")[1] < centre("Montenegro")[1]
    assert centre("North Macedonia")[0] > centre("Albania")[0]


def test_tile_map_colours_tiles_by_category_and_marks_missing():
    chart = plots.tile_map(
        {"Kosovo": "conflict", "Serbia": "diplomacy"}, title="T", legend_title="Category"
    )
    faces = {to_hex(p.get_facecolor()).upper() for p in chart.ax.patches}
    # Event categories keep their fixed colours; the four countries without data are grey.
    assert plots.CATEGORY_COLOURS["conflict"].upper() in faces
    assert plots.CATEGORY_COLOURS["diplomacy"].upper() in faces
    assert plots.NO_DATA_COLOUR.upper() in faces
    assert "no data: Albania, Bosnia and Herzegovina, Montenegro and North Macedonia" in chart.alt


def test_tile_map_text_contrasts_with_tile():
    assert plots._contrast_text(plots.OKABE_ITO["blue"]) == "white"
    assert plots._contrast_text(plots.OKABE_ITO["yellow"]) == "black"
    assert plots._contrast_text(plots.OKABE_ITO["black"]) == "white"


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        (["Kosovo"], TypeError, "values"),
        ({}, ValueError, "values"),
        ({"Croatia": "member"}, ValueError, "Croatia"),
        ({"Kosova": "x"}, ValueError, "Did you mean 'Kosovo'"),
        ({"Kosovo": 1}, TypeError, "Kosovo"),
        ({"Bosnia-Herzegovina": "a", "Bosnia and Herzegovina": "b"}, ValueError, "twice"),
        ({"Kosovo": None}, ValueError, "values"),
        (
            {f"{c}": str(i) for i, c in enumerate(plots.WESTERN_BALKANS)} | {"BiH": "x"},
            ValueError,
            "twice",
        ),
    ],
)
def test_tile_map_validates(values, error, match):
    with pytest.raises(error, match=match):
        plots.tile_map(values, title="T", legend_title="L")


def test_tile_map_requires_titles():
    with pytest.raises(TypeError, match="legend_title"):
        plots.tile_map(STATUS_2022, title="T", legend_title=None)
    with pytest.raises(ValueError, match="title"):
        plots.tile_map(STATUS_2022, title=" ", legend_title="L")


def test_rendered_png_has_expected_size():
    chart = plots.tile_map(STATUS_2022, title="T", legend_title="L")
    with Image.open(io.BytesIO(chart.to_png())) as image:
        width, height = image.size
    assert (width, height) == (750, 600)


# --------------------------------------------------------------------------- with the real data


def test_status_chart_with_real_countries():
    data = pytest.importorskip("course.data")
    countries = data.load_countries()
    chart = plots.status_chart(countries, status_column="status_2022_08_17")
    assert_labelled(chart, "EU status of the Western Balkans Six")
    assert "6 entries" in chart.alt
    assert "Kosovo" in chart.alt
    statuses = dict(zip(countries["country"], countries["status_2022_08_17"], strict=True))
    tiles = plots.tile_map(statuses, title="EU status on 17 August 2022", legend_title="EU status")
    assert "Kosovo" in tiles.alt and "not to scale" in tiles.alt


def test_eu_statuses_keep_their_colour_across_charts():
    from matplotlib.colors import to_hex

    def colour_of(chart, status):
        legend = chart.ax.get_legend() or chart.figure.legends[0]
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            if text.get_text() == status:
                return to_hex(handle.get_facecolor())
        raise AssertionError(f"{status} not in legend")

    both = plots.tile_map({"Serbia": "negotiating", "Kosovo": "potential candidate"},
                          title="Two statuses", legend_title="EU status")
    three = plots.tile_map({"Serbia": "negotiating", "Kosovo": "potential candidate",
                            "Bosnia and Herzegovina": "candidate"},
                           title="Three statuses", legend_title="EU status")
    for status in ("negotiating", "potential candidate"):
        assert colour_of(both, status) == colour_of(three, status)
        assert colour_of(both, status) == plots.STATUS_COLOURS[status].lower()


def test_bar_chart_alt_text_names_ties_as_ties():
    chart = plots.bar_chart(pd.Series({"a": 5, "b": 3, "c": 3, "d": 3, "e": 3}),
                            title="Ties", xlabel="Word", ylabel="Count")
    assert "the largest is 'a' at 5" in chart.alt
    assert "the smallest are 4 bars tied at 3" in chart.alt
    pair = plots.bar_chart(pd.Series({"a": 5, "b": 5, "c": 1}), title="T", xlabel="x", ylabel="y")
    assert "the largest are 'a' and 'b', tied at 5" in pair.alt


def test_long_titles_wrap_to_the_figure_width():
    title = "A rather long title that used to be clipped on narrow figures, really"
    chart = plots.bar_chart(pd.Series({"a": 1, "b": 2}), title=title, xlabel="x", ylabel="y")
    chart.figure.canvas.draw()
    box = chart.ax.title.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= chart.figure.bbox.width, "title runs off the figure"
    assert chart.title == title


def _status_colours_drawn(chart) -> dict[str, str]:
    """label -> colour for each EU status a status_chart or tile_map draws."""
    from matplotlib.colors import to_hex

    legend = chart.ax.get_legend()
    if legend is not None:  # tile_map: one legend entry per category
        return {text.get_text(): to_hex(handle.get_facecolor())
                for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True)
                if text.get_text() != "no data"}
    # status_chart: one column of squares per status, the status as the x tick label
    labels = [t.get_text().replace("\n", " ") for t in chart.ax.get_xticklabels()]
    drawn = {}
    for collection in chart.ax.collections:
        (x, _y), = collection.get_offsets()
        drawn[labels[round(x)]] = to_hex(collection.get_facecolor()[0])
    return drawn


def test_every_status_chart_in_the_notebooks_uses_one_colour_per_status():
    """Run the status charts and tile maps of the notebooks as written: a status (with or without
    a qualifier such as '(new)') has the same colour in every one of them."""
    from course_helpers import notebook_charts

    charts = notebook_charts("status_chart", "tile_map")
    assert len(charts) >= 2, "expected the status chart and the tile map of assignment 04"
    seen: dict[str, set[str]] = {}
    for chart in charts:
        for label, colour in _status_colours_drawn(chart).items():
            expected = plots.status_colour(label)
            assert expected is not None, f"{chart.title}: {label!r} names no EU status"
            assert colour == expected.lower(), (chart.title, label, colour)
            status = next(s for s, c in plots.STATUS_COLOURS.items() if c == expected)
            seen.setdefault(status, set()).add(colour)
    assert {"negotiating", "potential candidate"} <= set(seen)
    assert all(len(colours) == 1 for colours in seen.values()), seen


def test_status_colour_reads_qualified_and_combined_labels():
    assert plots.status_colour("candidate (new)") == plots.STATUS_COLOURS["candidate"]
    assert plots.status_colour("Potential candidate") == plots.STATUS_COLOURS["potential candidate"]
    # A candidate that is negotiating: the later, more specific step decides the colour.
    assert plots.status_colour("candidate, negotiating") == plots.STATUS_COLOURS["negotiating"]
    assert plots.status_colour("no such status") is None


def test_rendered_title_and_y_label_stay_inside_the_figure():
    """02's speaker chart once cut its title at the right edge and its y label at the top: a
    title centred over axes pushed right by long tick labels, a y label taller than the axes."""
    chart = plots.bar_chart(
        pd.DataFrame({"speaker": ["Jens Stoltenberg", "Aleksandar Vucic", "EU leaders"],
                      "percent": [55.9, 39.8, 4.24]}),
        label_column="speaker", value_column="percent", horizontal=True,
        title="Who is quoted: share of all quoted words in the body, by speaker",
        xlabel="Share of quoted words (%)", ylabel="Speaker (as find_quotes attributes them)")
    chart.to_png()
    frame = chart.figure.bbox
    title = chart.ax.title.get_window_extent()
    label = chart.ax.yaxis.label.get_window_extent()
    assert frame.x0 - 1 <= title.x0 and title.x1 <= frame.x1 + 1, (title, frame)
    assert frame.y0 - 1 <= label.y0 and label.y1 <= frame.y1 + 1, (label, frame)
    assert chart.title == "Who is quoted: share of all quoted words in the body, by speaker"
