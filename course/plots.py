"""One colour-blind-safe style for every course figure, with titles, axis labels and alt text.

Every figure function returns a :class:`Chart`. Showing a chart in a notebook displays the PNG once
and carries a one-sentence description (``chart.alt``) for screen readers and text exports.

matplotlib is imported inside the functions that draw, so ``import course.plots`` stays cheap, and
the style is applied with ``matplotlib.rc_context`` so the global rcParams are never changed.
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import html
import io
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - annotations only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CATEGORY_COLOURS",
    "CATEGORY_MARKERS",
    "NO_DATA_COLOUR",
    "OKABE_ITO",
    "PALETTE",
    "STATUS_COLOURS",
    "STYLE",
    "WESTERN_BALKANS",
    "Chart",
    "bar_chart",
    "describe",
    "histogram",
    "status_chart",
    "tile_map",
]

# Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with the common
# forms of colour-vision deficiency.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

# Order used for categorical data: strong, well-separated colours first; yellow (weak on white)
# and black (reads as text) last.
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish green",
        "reddish purple",
        "sky blue",
        "vermillion",
        "yellow",
        "black",
    )
)

# Fixed colours for the event categories, so a category looks the same in every figure.
CATEGORY_COLOURS: dict[str, str] = {
    "conflict": OKABE_ITO["vermillion"],
    "diplomacy": OKABE_ITO["sky blue"],
    "eu": OKABE_ITO["blue"],
    "law": OKABE_ITO["bluish green"],
    "security": OKABE_ITO["orange"],
    "politics": OKABE_ITO["reddish purple"],
    "history": OKABE_ITO["black"],
}

# Fixed colours for EU accession statuses, so a status keeps its colour across charts even when a
# chart shows only some of the statuses (e.g. no "candidate" on the article date).
STATUS_COLOURS: dict[str, str] = {
    "negotiating": OKABE_ITO["blue"],
    "candidate": OKABE_ITO["sky blue"],
    "potential candidate": OKABE_ITO["orange"],
    "applicant": OKABE_ITO["yellow"],
    "member": OKABE_ITO["bluish green"],
}

# A second, shape-based cue so categories stay distinguishable in greyscale prints.
CATEGORY_MARKERS: dict[str, str] = {
    "conflict": "X",
    "diplomacy": "o",
    "eu": "*",
    "law": "s",
    "security": "^",
    "politics": "D",
    "history": "v",
}

NO_DATA_COLOUR = "#DDDDDD"
_FALLBACK_COLOUR = "#777777"

# Applied per figure through matplotlib.rc_context; never written to the global rcParams.
STYLE: dict[str, Any] = {
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.facecolor": "white",
    "font.size": 11,
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 10,
}

# The six Western Balkans states, placed on a schematic grid as (x, y, width, height) with y
# growing northwards. Serbia and North Macedonia are wider to suggest that they reach further east.
WESTERN_BALKANS: dict[str, tuple[float, float, float, float]] = {
    "Bosnia and Herzegovina": (0.0, 2.0, 1.0, 1.0),
    "Serbia": (1.0, 2.0, 1.6, 1.0),
    "Montenegro": (0.0, 1.0, 1.0, 1.0),
    "Kosovo": (1.0, 1.0, 1.0, 1.0),
    "Albania": (0.0, 0.0, 1.0, 1.0),
    "North Macedonia": (1.0, 0.0, 1.6, 1.0),
}

# Spellings students meet in the article and elsewhere, normalised by _normalise_country.
_COUNTRY_ALIASES: dict[str, str] = {
    "bosnia and herzegovina": "Bosnia and Herzegovina",
    "bosnia herzegovina": "Bosnia and Herzegovina",
    "bosnia": "Bosnia and Herzegovina",
    "bih": "Bosnia and Herzegovina",
    "serbia": "Serbia",
    "montenegro": "Montenegro",
    "kosovo": "Kosovo",
    "albania": "Albania",
    "north macedonia": "North Macedonia",
    "macedonia": "North Macedonia",
}

_DISPLAY_DPI = 100


def _style() -> dict[str, Any]:
    """Return STYLE plus the colour cycle, which needs matplotlib to build."""
    from matplotlib import cycler

    return {**STYLE, "axes.prop_cycle": cycler(color=list(PALETTE))}


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the course style for the duration of a ``with`` block (for course modules)."""
    import matplotlib

    with matplotlib.rc_context(_style()):
        yield


def new_figure(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """Make a styled Figure with one Axes; call inside :func:`style_context` (course modules)."""
    from matplotlib.figure import Figure

    # matplotlib.figure.Figure, not pyplot: pyplot would register the figure with the inline
    # backend, which then shows a second copy next to the Chart's own PNG.
    figure = Figure(figsize=figsize, layout="constrained")
    return figure, figure.add_subplot()


class Chart:
    """A finished figure with its title and a one-sentence text description (alt text).

    Attributes:
        figure: the matplotlib ``Figure``.
        ax: its main ``Axes`` (change it freely; the chart re-renders on display).
        title: the figure title.
        alt: one sentence saying what the figure shows, for screen readers and text exports.

    In a notebook, a ``Chart`` as the last expression of a cell shows the PNG once; the text
    export and screen readers get ``alt``. ``chart.save("figure.png")`` writes the PNG with the
    alt text embedded as its "Description".
    """

    def __init__(self, figure: Figure, ax: Axes, *, title: str, alt: str) -> None:
        self.figure = figure
        self.ax = ax
        self.title = _require_text(title, "title")
        self.alt = _require_text(alt, "alt")

    def __repr__(self) -> str:
        return f"<Chart {self.title!r}: {self.alt}>"

    def to_png(self, *, dpi: float | None = None) -> bytes:
        """Render the chart as PNG bytes (with the alt text as the PNG "Description")."""
        buffer = io.BytesIO()
        self._print_png(buffer, dpi=dpi or _DISPLAY_DPI)
        return buffer.getvalue()

    def save(self, path: str | Path, *, dpi: float | None = None) -> Path:
        """Write the chart as a PNG file with its alt text embedded, and return the path."""
        if not isinstance(path, str | Path):
            raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
        target = Path(path)
        if target.suffix.lower() != ".png":
            raise ValueError(f"path must end in .png (charts are saved as PNG), got {str(path)!r}")
        if not target.parent.is_dir():
            raise ValueError(f"path {str(path)!r}: folder {str(target.parent)!r} does not exist")
        with target.open("wb") as handle:
            self._print_png(handle, dpi=dpi)
        return target

    def _fit_text(self) -> None:
        """Re-wrap the title and the y-axis label until they lie inside the figure.

        Constrained layout moves axes but cannot shrink text: a title centred over axes pushed
        right by long tick labels, or a y label taller than a short figure, is cut off at the
        edge. Measure after a layout pass, and wrap narrower while anything sticks out.
        """
        frame = self.figure.bbox
        for _ in range(6):
            self.figure.draw_without_rendering()
            changed = False
            for text, across in ((self.ax.title, True), (self.ax.yaxis.label, False)):
                words = " ".join(text.get_text().split())
                box = text.get_window_extent()
                inside = (frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1) if across else (
                    frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1)
                if not words or inside:
                    continue
                longest = max(len(line) for line in text.get_text().splitlines())
                narrower = max(12, int(longest * 0.8))
                if narrower < longest:
                    text.set_text(textwrap.fill(words, narrower))
                    changed = True
            if not changed:
                return

    def _print_png(self, handle: Any, *, dpi: float | None) -> None:
        metadata = {"Title": self.title, "Description": self.alt, "Software": "course.plots"}
        # Tick labels are created at draw time, so the style must be active while rendering too.
        with style_context():
            self._fit_text()
            # dpi=None means STYLE's savefig.dpi: sharper files than the on-screen rendering.
            self.figure.savefig(handle, format="png", dpi=dpi, metadata=metadata)

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Give IPython the figure as HTML with alt text, as PNG, and the alt text as plain text."""
        png = self.to_png()
        # JupyterLab and nbconvert ignore `alt` metadata on image/png outputs; an <img> in
        # text/html carries the description to screen readers in the lab and in feedback pages.
        encoded = base64.b64encode(png).decode("ascii")
        html_img = (
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(self.alt)}" '
            f'style="max-width: 100%; height: auto;" class="course-chart" />'
        )
        data = {"text/html": html_img, "image/png": png, "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt}}


def describe(chart: Chart) -> str:
    """Return the chart's one-sentence description (its alt text)."""
    if not isinstance(chart, Chart):
        raise TypeError(
            f"chart must be a Chart returned by a course.plots function, got {type(chart).__name__}"
        )
    return chart.alt


# --------------------------------------------------------------------------- validation helpers


def _require_text(value: object, name: str) -> str:
    """Return ``value`` if it is a non-blank string, else raise naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value.strip()


def _label_axes(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    """Set title and axis labels; long titles wrap because constrained layout cannot shrink them."""
    ax.set_title(_wrap_title(title, ax.figure.get_figwidth()))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _wrap_title(title: str, figure_width: float) -> str:
    """Wrap a bold title to what fits the figure's width (about 8 characters per inch)."""
    return textwrap.fill(title, max(30, min(80, int(figure_width * 8))))


def _optional_alt(alt: object) -> str | None:
    return None if alt is None else _require_text(alt, "alt")


def _fmt(value: float) -> str:
    """Format a number for alt text: integers without decimals, others to 3 significant digits."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def _lower_first(label: str) -> str:
    """Lower-case a label's first letter for use mid-sentence, leaving acronyms ("EU") alone."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _join(items: Sequence[str]) -> str:
    """Join names as English prose: 'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _contrast_text(colour: str) -> str:
    """Pick black or white text for the best contrast on ``colour`` (WCAG relative luminance)."""
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Contrast with white is 1.05/(L+0.05), with black (L+0.05)/0.05; they cross at L ≈ 0.179.
    return "black" if luminance > 0.179 else "white"


def _extreme(labels: Sequence[str], values: np.ndarray, value: float) -> str:
    """Describe which bars share an extreme value; ties are named as ties, not as one winner."""
    tied = [str(label) for label, v in zip(labels, values, strict=True) if v == value]
    if len(tied) == 1:
        return f"is '{tied[0]}' at {_fmt(value)}"
    if len(tied) <= 3:
        names = ", ".join(f"'{t}'" for t in tied[:-1]) + f" and '{tied[-1]}'"
        return f"are {names}, tied at {_fmt(value)}"
    return f"are {len(tied)} bars tied at {_fmt(value)}"


def status_colour(label: str) -> str | None:
    """The fixed colour of the EU status ``label`` names, or None if it names none.

    A qualifier in brackets keeps its status's colour ("candidate (new)" is coloured as
    "candidate"), and a label that names two steps takes the colour of the last, more specific
    one ("candidate, negotiating" is coloured as "negotiating"), so one status has one colour in
    every chart, whatever else its label says.
    """
    base = label.split("(", 1)[0].strip().casefold()
    if base in STATUS_COLOURS:
        return STATUS_COLOURS[base]
    parts = [part.strip() for part in re.split(r",|;|/| and ", base)]
    named = [part for part in parts if part in STATUS_COLOURS]
    return STATUS_COLOURS[named[-1]] if named else None


def _colours_for(categories: Sequence[str], argument: str) -> dict[str, str]:
    """Colour categories: fixed event or EU-status colours when all match, else the palette."""
    if all(category in CATEGORY_COLOURS for category in categories):
        return {category: CATEGORY_COLOURS[category] for category in categories}
    statuses = {category: status_colour(category) for category in categories}
    if all(statuses.values()):
        return statuses  # type: ignore[return-value]  # no None left
    if len(categories) > len(PALETTE):
        raise ValueError(
            f"{argument} has {len(categories)} distinct categories; at most {len(PALETTE)} can be "
            "told apart by colour. Group some of them first."
        )
    return dict(zip(categories, PALETTE, strict=False))


# --------------------------------------------------------------------------- bar chart


def _bar_series(
    data: object, label_column: str | None, value_column: str | None
) -> tuple[list[str], np.ndarray]:
    """Turn the ``data`` argument of bar_chart into bar labels and numeric heights."""
    if isinstance(data, pd.DataFrame):
        frame = data
        for name, column in (("label_column", label_column), ("value_column", value_column)):
            if column is not None and column not in frame.columns:
                raise ValueError(
                    f"{name} {column!r} is not a column of data; columns are {list(frame.columns)}"
                )
        if value_column is None:
            numeric = [c for c in frame.columns if _is_numeric(frame[c])]
            if len(numeric) != 1:
                found = f"several ({', '.join(map(str, numeric))})" if numeric else "none"
                raise ValueError(
                    f"data must have exactly one numeric column to plot, found {found}; pick one "
                    "with value_column='...' or pass a Series"
                )
            value_column = numeric[0]
        if label_column is None:
            others = [c for c in frame.columns if c != value_column and not _is_numeric(frame[c])]
            label_column = others[0] if len(others) == 1 else None
        labels = frame.index if label_column is None else frame[label_column]
        series = pd.Series(frame[value_column].to_numpy(), index=labels)
    elif isinstance(data, pd.Series):
        series = data
    elif isinstance(data, Mapping):
        # A plain {label: value} dict is the most natural thing for a student to build.
        series = pd.Series(dict(data))
    else:
        raise TypeError(
            f"data must be a pandas Series (labels in the index), a DataFrame or a "
            f"{{label: value}} dict, got {type(data).__name__}"
        )
    if series.empty:
        raise ValueError("data is empty: there is nothing to plot")
    if not _is_numeric(series):
        raise TypeError(f"data values must be numbers, got dtype {series.dtype}")
    if series.isna().any():
        missing = [str(label) for label in series.index[series.isna().to_numpy()]][:5]
        raise ValueError(
            f"data has missing values (for {', '.join(missing)}); drop or fill them first"
        )
    values = series.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError("data contains infinite values")
    return [str(label) for label in series.index], values


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def bar_chart(
    data: pd.Series | pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    alt: str | None = None,
    horizontal: bool = False,
    label_column: str | None = None,
    value_column: str | None = None,
) -> Chart:
    """Draw one bar per row of ``data`` (a Series with labels in its index, or a DataFrame).

    A DataFrame needs exactly one numeric column, or ``value_column`` naming it; bar labels come
    from ``label_column``, else its only text column, else its index. ``xlabel`` and ``ylabel``
    are the labels of the axes as drawn: with ``horizontal=True`` the values run along x.
    """
    title = _require_text(title, "title")
    xlabel = _require_text(xlabel, "xlabel")
    ylabel = _require_text(ylabel, "ylabel")
    alt = _optional_alt(alt)
    if not isinstance(horizontal, bool):
        raise TypeError(f"horizontal must be True or False, got {type(horizontal).__name__}")
    labels, values = _bar_series(data, label_column, value_column)
    n = len(labels)
    positions = np.arange(n)
    long_labels = max(len(label) for label in labels) > 8

    with style_context():
        if horizontal:
            figure, ax = new_figure((8.0, min(max(3.0, 0.35 * n + 1.5), 20.0)))
            bars = ax.barh(positions, values, color=PALETTE[0])
            ax.set_yticks(positions, labels)
            ax.invert_yaxis()  # first row at the top, so a ranking reads downwards
        else:
            figure, ax = new_figure((min(max(6.0, 0.5 * n + 2.0), 14.0), 4.5))
            bars = ax.bar(positions, values, color=PALETTE[0])
            ax.set_xticks(positions, labels)
            if long_labels or n > 8:
                ax.tick_params(axis="x", labelrotation=45)
                for tick in ax.get_xticklabels():
                    tick.set_horizontalalignment("right")
                    tick.set_rotation_mode("anchor")
        if np.equal(np.round(values), values).all():
            # Counts: whole-number ticks only, no "2.5 occurrences".
            value_axis = ax.xaxis if horizontal else ax.yaxis
            value_axis.get_major_locator().set_params(integer=True)
        if n <= 30:
            # Printed values spare readers from estimating bar lengths against a grid.
            ax.bar_label(bars, labels=[_fmt(v) for v in values], padding=2, fontsize=9)
        _label_axes(ax, title, xlabel, ylabel)

    if alt is None:
        value_label, category_label = (xlabel, ylabel) if horizontal else (ylabel, xlabel)
        kind = "Horizontal bar chart" if horizontal else "Bar chart"
        alt = (
            f"{kind} '{title}' with {n} bar{'s' if n != 1 else ''} of "
            f"{_lower_first(value_label)} by {_lower_first(category_label)}; "
            f"the largest {_extreme(labels, values, np.max(values))}"
        )
        if n > 1:
            alt += f" and the smallest {_extreme(labels, values, np.min(values))}"
        alt += "."
    return Chart(figure, ax, title=title, alt=alt)


# --------------------------------------------------------------------------- histogram


def _numeric_values(values: object) -> np.ndarray:
    """Return ``values`` as a float array, raising TypeError naming ``values`` otherwise."""
    if isinstance(values, str | bytes) or not isinstance(
        values, pd.Series | np.ndarray | Sequence | pd.Index
    ):
        raise TypeError(
            "values must be a sequence of numbers (list, Series, array), "
            f"got {type(values).__name__}"
        )
    if isinstance(values, pd.Series | pd.Index):
        if not _is_numeric(pd.Series(values)):
            raise TypeError(f"values must be numbers, got dtype {values.dtype}")
        return pd.Series(values).to_numpy(dtype=float, na_value=np.nan)
    items = list(np.asarray(values, dtype=object).ravel())
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool | np.bool_) or not isinstance(item, int | float | np.number):
            raise TypeError(f"values must be numbers, found {item!r} ({type(item).__name__})")
    return np.array([np.nan if item is None else float(item) for item in items], dtype=float)


def _check_bins(bins: object) -> int | np.ndarray:
    if isinstance(bins, bool):
        raise TypeError("bins must be a whole number of bins or a sequence of bin edges, got bool")
    if isinstance(bins, int | np.integer):
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        return int(bins)
    if isinstance(bins, Sequence | np.ndarray) and not isinstance(bins, str):
        try:
            edges = np.asarray(bins, dtype=float)
        except (TypeError, ValueError) as error:
            raise TypeError("bins edges must be numbers") from error
        if edges.ndim != 1 or len(edges) < 2:
            raise ValueError("bins edges must be a flat sequence of at least two numbers")
        if not np.isfinite(edges).all() or not (np.diff(edges) > 0).all():
            raise ValueError("bins edges must be finite and strictly increasing")
        return edges
    raise TypeError(
        f"bins must be a whole number of bins or a sequence of bin edges, got {type(bins).__name__}"
    )


def histogram(
    values: Sequence[float] | pd.Series | np.ndarray,
    *,
    bins: int | Sequence[float],
    title: str,
    xlabel: str,
    ylabel: str,
    alt: str | None = None,
) -> Chart:
    """Draw the distribution of ``values`` (e.g. scores) in ``bins`` bins or between given edges.

    Missing values (None/NaN) are left out and the alt text says how many.
    """
    title = _require_text(title, "title")
    xlabel = _require_text(xlabel, "xlabel")
    ylabel = _require_text(ylabel, "ylabel")
    alt = _optional_alt(alt)
    array = _numeric_values(values)
    checked_bins = _check_bins(bins)
    missing = int(np.isnan(array).sum())
    array = array[~np.isnan(array)]
    if array.size == 0:
        raise ValueError("values has no numbers to plot (empty, or all missing)")
    if not np.isfinite(array).all():
        raise ValueError("values contains infinite numbers")

    with style_context():
        figure, ax = new_figure((7.0, 4.5))
        counts, edges, _ = ax.hist(
            array, bins=checked_bins, color=PALETTE[0], edgecolor="white", linewidth=1
        )
        _label_axes(ax, title, xlabel, ylabel)
        ax.yaxis.get_major_locator().set_params(integer=True)

    if alt is None:
        fullest = int(np.argmax(counts))
        alt = (
            f"Histogram '{title}' of {array.size} value{'s' if array.size != 1 else ''} of "
            f"{_lower_first(xlabel)} from {_fmt(array.min())} to {_fmt(array.max())} in "
            f"{len(counts)} bin{'s' if len(counts) != 1 else ''}; "
            f"median {_fmt(float(np.median(array)))}; "
            f"the fullest bin, {_fmt(edges[fullest])} to {_fmt(edges[fullest + 1])}, "
            f"holds {_fmt(counts[fullest])}"
        )
        not_shown = int(array.size - counts.sum())
        if not_shown:
            alt += f"; {not_shown} value{'s' if not_shown != 1 else ''} outside the bin edges"
        if missing:
            alt += f"; {missing} missing value{'s' if missing != 1 else ''} left out"
        alt += "."
    return Chart(figure, ax, title=title, alt=alt)


# --------------------------------------------------------------------------- categorical charts


def _ordered_categories(observed: Sequence[str], order: Sequence[str] | None, name: str) -> list:
    """Return the categories in ``order`` (validated), else event order, else alphabetically."""
    seen = list(dict.fromkeys(observed))
    if order is None:
        if all(value in CATEGORY_COLOURS for value in seen):
            return [category for category in CATEGORY_COLOURS if category in seen]
        return sorted(seen)
    if isinstance(order, str) or not isinstance(order, Sequence):
        raise TypeError(f"order must be a list of category names, got {type(order).__name__}")
    unknown = [value for value in seen if value not in order]
    if unknown:
        raise ValueError(
            f"order does not list {', '.join(map(repr, unknown))} found in {name}; "
            f"order is {list(order)}"
        )
    return [value for value in order if value in seen]


def status_chart(
    countries: pd.DataFrame,
    *,
    status_column: str,
    title: str = "EU status of the Western Balkans Six",
    country_column: str = "country",
    order: Sequence[str] | None = None,
    xlabel: str = "EU status",
    ylabel: str = "Western Balkans Six",
) -> Chart:
    """Dot chart placing each country under its status (e.g. EU candidate), coloured by status.

    ``order`` lists the statuses from left to right (default: alphabetical).
    """
    title = _require_text(title, "title")
    xlabel = _require_text(xlabel, "xlabel")
    ylabel = _require_text(ylabel, "ylabel")
    if not isinstance(countries, pd.DataFrame):
        raise TypeError(f"countries must be a pandas DataFrame, got {type(countries).__name__}")
    _require_text(status_column, "status_column")
    _require_text(country_column, "country_column")
    missing = [c for c in (country_column, status_column) if c not in countries.columns]
    if missing:
        raise ValueError(
            f"countries is missing column(s) {', '.join(map(repr, missing))}; "
            f"it has {list(countries.columns)}"
        )
    if countries.empty:
        raise ValueError("countries is empty: there is nothing to plot")
    names = countries[country_column]
    statuses = countries[status_column]
    if names.isna().any() or statuses.isna().any():
        raise ValueError(
            f"countries has missing values in {country_column!r} or {status_column!r}; "
            "fill them (e.g. 'unknown') first"
        )
    names = names.astype(str).tolist()
    statuses = statuses.astype(str).tolist()
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"countries lists {', '.join(duplicated)} more than once")
    categories = _ordered_categories(statuses, order, f"column {status_column!r}")
    colours = _colours_for(categories, f"column {status_column!r}")
    # Group rows by status so each column of dots reads as one list; alphabetical within a status.
    rows = sorted(zip(names, statuses, strict=True), key=lambda r: (categories.index(r[1]), r[0]))

    with style_context():
        width = max(7.5, 1.8 * len(categories) + 3.0, 0.12 * min(len(title), 60) + 3.0)
        figure, ax = new_figure((width, 0.5 * len(rows) + 2.0))
        for y, (_name, status) in enumerate(rows):
            ax.axhline(y, color="#E5E5E5", linewidth=0.8, zorder=0)
            ax.scatter(
                categories.index(status),
                y,
                s=220,
                marker="s",
                color=colours[status],
                edgecolor="#333333",
                linewidth=0.6,
                zorder=2,
            )
        ax.set_yticks(range(len(rows)), [name for name, _ in rows])
        ax.set_xticks(range(len(categories)), [textwrap.fill(c, 16) for c in categories])
        ax.set_xlim(-0.6, len(categories) - 0.4)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        _label_axes(ax, title, xlabel, ylabel)

    groups = "; ".join(
        f"{category}: {_join([name for name, status in rows if status == category])}"
        for category in categories
    )
    alt = f"Dot chart of {_lower_first(xlabel)} for {len(rows)} entries: {groups}."
    return Chart(figure, ax, title=title, alt=alt)


def _normalise_country(name: str) -> str:
    cleaned = name.lower().replace("&", " and ").replace("-", " ")
    return " ".join(cleaned.split())


def _canonical_countries(values: object) -> dict[str, str | None]:
    """Map the keys of ``values`` to the six canonical country names, validating as we go."""
    if not isinstance(values, Mapping):
        raise TypeError(
            f"values must be a mapping of country name to category, got {type(values).__name__}"
        )
    if not values:
        raise ValueError("values is empty: give a category for at least one country")
    result: dict[str, str | None] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"values keys must be country names, got {key!r}")
        canonical = _COUNTRY_ALIASES.get(_normalise_country(key))
        if canonical is None:
            close = difflib.get_close_matches(key, list(WESTERN_BALKANS), n=2, cutoff=0.5)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"values has {key!r}, which is not one of the six Western Balkans states "
                f"({', '.join(WESTERN_BALKANS)}).{hint}"
            )
        if canonical in result:
            raise ValueError(f"values names {canonical} twice (as two different spellings)")
        if value is not None and not isinstance(value, str):
            raise TypeError(
                f"values must map each country to a category string (or None for no data), "
                f"got {value!r} for {key!r}"
            )
        result[canonical] = value.strip() if isinstance(value, str) and value.strip() else None
    return result


def tile_map(
    values: Mapping[str, str],
    *,
    title: str,
    legend_title: str,
    order: Sequence[str] | None = None,
) -> Chart:
    """Draw a schematic tile map of the six Western Balkans states, coloured by ``values``.

    ``values`` maps a country name ("Kosovo", "Bosnia-Herzegovina", ...) to a category;
    countries left out (or mapped to None) are drawn grey as "no data". Tiles sit on a fixed grid
    that follows geography roughly; the map is schematic, not to scale. ``order`` sets the legend
    order of the categories (default: alphabetical).
    """
    title = _require_text(title, "title")
    legend_title = _require_text(legend_title, "legend_title")
    by_country = _canonical_countries(values)
    observed = [v for c in WESTERN_BALKANS if (v := by_country.get(c)) is not None]
    if not observed:
        raise ValueError("values has no category for any country (all None)")
    categories = _ordered_categories(observed, order, "values")
    colours = _colours_for(categories, "values")

    from matplotlib.patches import FancyBboxPatch, Patch

    with style_context():
        figure, ax = new_figure((7.5, 6.0))
        gap = 0.06
        for country, (x, y, width, height) in WESTERN_BALKANS.items():
            category = by_country.get(country)
            colour = NO_DATA_COLOUR if category is None else colours[category]
            ax.add_patch(
                FancyBboxPatch(
                    (x + gap, y + gap),
                    width - 2 * gap,
                    height - 2 * gap,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    facecolor=colour,
                    edgecolor="#333333",
                    linewidth=0.8,
                    hatch="//" if category is None else None,
                )
            )
            ink = _contrast_text(colour)
            centre_x, centre_y = x + width / 2, y + height / 2
            ax.text(
                centre_x,
                centre_y + 0.1,
                textwrap.fill(country, 12),
                ha="center",
                va="center",
                fontsize=11,
                fontweight="bold",
                color=ink,
            )
            # The category is printed too, so the map does not rely on colour alone.
            ax.text(
                centre_x,
                centre_y - 0.27,
                textwrap.fill(category or "no data", 16),
                ha="center",
                va="center",
                fontsize=9,
                color=ink,
            )
        right = max(x + w for x, _, w, _ in WESTERN_BALKANS.values())
        top = max(y + h for _, y, _, h in WESTERN_BALKANS.values())
        ax.set_xlim(0, right)
        ax.set_ylim(0, top)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "bottom", "left"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel("schematic west → east")
        ax.set_ylabel("schematic south → north")
        ax.set_title(_wrap_title(title, figure.get_figwidth()))
        handles = [Patch(facecolor=colours[c], edgecolor="#333333", label=c) for c in categories]
        if len(observed) < len(WESTERN_BALKANS):
            handles.append(
                Patch(facecolor=NO_DATA_COLOUR, edgecolor="#333333", hatch="//", label="no data")
            )
        ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.02, 1.0))

    groups = [
        f"{category}: {_join(sorted(c for c in WESTERN_BALKANS if by_country.get(c) == category))}"
        for category in categories
    ]
    no_data = sorted(c for c in WESTERN_BALKANS if by_country.get(c) is None)
    if no_data:
        groups.append(f"no data: {_join(no_data)}")
    alt = (
        f"Schematic tile map, not to scale, of the six Western Balkans states coloured by "
        f"{_lower_first(legend_title)}: {'; '.join(groups)}."
    )
    return Chart(figure, ax, title=title, alt=alt)
