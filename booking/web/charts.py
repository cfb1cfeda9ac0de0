"""The report pages' charts, drawn on the server as SVG by matplotlib.

A chart is an image (``<img src="data:image/svg+xml;base64,…">``): the page needs no
script and breaks no Content-Security-Policy, it prints as it shows, and a person can
save it. Every chart on a page comes with a text alternative (its ``alt``, saying what
it shows and its main finding) and its data as a table beside it, so nothing is told
only by colour or shape. Text is kept as SVG text (the reader's fonts, sharp at any
size); drawings are deterministic (no date, fixed ids), so the same data gives the same
bytes and is drawn once (an LRU cache of the last charts drawn).

matplotlib is imported on the first chart, so processes that draw none (the scheduler,
the commands) do not load it; no pyplot, so no global figure state between threads.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The site's brand blue (style.css ``--brand``) and ink.
BRAND, INK, MUTED, LINE = "#0b5394", "#1b1f24", "#4a5360", "#c9ced6"
#: A colour scale readable by people with any common colour blindness, light to dark.
HEAT_SCALE = "cividis_r"
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",  # text as text
    "svg.hashsalt": "hwic-charts",  # the same ids every time
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "text.color": INK,
    "axes.edgecolor": LINE,
    "axes.labelcolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: How many charts are kept drawn.
KEPT = 64


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=96)


def _as_data_uri(figure: Figure) -> str:
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None}, facecolor="white")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _drawn(draw: Any) -> str:
    import matplotlib

    with matplotlib.rc_context(STYLE):
        figure: Figure = draw()
        return _as_data_uri(figure)


@lru_cache(maxsize=KEPT)
def heatmap(rows: tuple[str, ...], columns: tuple[str, ...], cells: tuple[float, ...]) -> str:
    """Shares 0–1 in a grid (rows × columns, row by row; below 0 where nothing was open,
    left blank), each cell labelled with its percentage, so no colour bar is needed (nor
    drawn: it was a second set of axes, a fifth of the drawing's time). (Not NaN for the
    blanks: NaN equals nothing, so the same grid would never be found drawn.)"""

    def draw() -> Figure:
        import numpy

        grid = numpy.array([c if c >= 0 else numpy.nan for c in cells], dtype=float)
        grid = grid.reshape(len(rows), len(columns))
        figure = _figure(max(6.0, 0.42 * len(columns) + 2.2), 0.42 * len(rows) + 1.2)
        axes: Axes = figure.add_subplot()
        axes.imshow(grid, cmap=HEAT_SCALE, vmin=0, vmax=1, aspect="auto")
        axes.set_xticks(range(len(columns)), columns, rotation=0, fontsize=8)
        axes.set_yticks(range(len(rows)), rows)
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        for (row, column), share in numpy.ndenumerate(grid):
            if not numpy.isnan(share):
                colour = "white" if share >= 0.5 else INK
                label = f"{share:.0%}"
                axes.text(column, row, label, ha="center", va="center", fontsize=7, color=colour)
        _margins(figure, left=_label_width(rows), bottom=0.35, right=0.2)
        return figure

    return _drawn(draw)


@lru_cache(maxsize=KEPT)
def bars(
    labels: tuple[str, ...], values: tuple[float, ...], *, percent: bool, unit: str = ""
) -> str:
    """One bar per label, across the page (horizontal) so long names stay legible,
    first label at the top; each bar labelled with its value."""

    def draw() -> Figure:
        from matplotlib.ticker import MaxNLocator

        figure = _figure(7.5, 0.32 * len(labels) + 0.9)
        axes: Axes = figure.add_subplot()
        places = range(len(labels))
        drawn = axes.barh(places, values, color=BRAND, height=0.65)
        axes.set_yticks(places, [_short(label) for label in labels])
        axes.invert_yaxis()
        written = [f"{v:.0%}" if percent else f"{v:,.1f}{unit}" for v in values]
        axes.bar_label(drawn, written, padding=3, fontsize=8, color=INK)
        axes.tick_params(axis="y", length=0)
        axes.spines["left"].set_visible(False)
        top = max(values, default=0) or 1
        axes.set_xlim(0, top * 1.15)
        # a few gridlines are enough to read by (each tick is drawn as several artists)
        axes.xaxis.set_major_locator(MaxNLocator(4))
        if percent:
            axes.xaxis.set_major_formatter("{x:.0%}")
        axes.grid(axis="x", color=LINE, linewidth=0.6)
        axes.set_axisbelow(True)
        _margins(figure, left=_label_width(tuple(map(_short, labels))), bottom=0.35, right=0.6)
        return figure

    return _drawn(draw)


#: Inches a character of a tick label takes, at the charts' 10-point type.
CHARACTER = 0.075


def _label_width(labels: tuple[str, ...]) -> float:
    """Inches the longest label needs beside the axis."""
    return 0.25 + CHARACTER * max((len(label) for label in labels), default=1)


def _margins(figure: Figure, *, left: float, bottom: float, right: float) -> None:
    """Room for the labels, in inches, so the drawing is laid out once (no measuring
    pass: the labels' room is worked out from their length)."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - 0.15 / height
    )


def _short(label: str, most: int = 30) -> str:
    """A label cut to fit beside its bar (the table beside the chart has it whole)."""
    return label if len(label) <= most else label[: most - 1] + "…"
