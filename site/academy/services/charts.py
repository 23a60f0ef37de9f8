"""Bar charts laid out on the server, so pages can draw them as inline SVG.

A chart here is geometry plus words: where each bar goes, what the axis says,
and the same numbers as table rows for people who cannot see the drawing. The
template turns it into SVG; nothing here writes markup.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

WIDTH = 640.0
HEIGHT = 240.0
LEFT = 48.0  # room for the value axis labels
RIGHT = 16.0
TOP = 16.0
BOTTOM = 40.0  # room for the category labels and the axis title
# Phones draw a second layout of each chart, this wide, so that its 12 px
# labels stay about 12 px on a 375 px screen instead of shrinking by half.
NARROW_WIDTH = 320.0
CHAR_WIDTH = 8.5  # a bold 12 px label's widest average character ("%"), with room


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    value_label: str
    x: float
    y: float
    width: float
    height: float
    highlight: bool = False
    # Whether its category label and its value are drawn (see drawn()).
    labelled: bool = True
    valued: bool = True

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis: a y for the value axis, an x for categories."""

    at: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """Everything needed to draw one chart and to say what it shows in words."""

    id: str
    title: str
    description: str
    x_title: str
    y_title: str
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    headers: tuple[str, str]
    # Labels under the bars' edges (a histogram) instead of under their middles.
    edges: tuple[Tick, ...] = ()
    # Every how many bars a category (or edge) label and a value label is
    # drawn, so that neighbours never overlap; the table holds every number.
    label_step: int = 1
    value_step: int = 1
    # The same chart laid out for a phone, when this one is wider than that.
    narrow: "BarChart | None" = None

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        """The chart's numbers, for the table that accompanies it."""
        return tuple((bar.label, bar.value_label) for bar in self.bars)

    @property
    def empty(self) -> bool:
        return all(bar.value == 0 for bar in self.bars)


def intervals(top: float) -> int:
    """How many gridline steps divide 0..top into round numbers (4, 5, 2 or 1)."""
    return next((n for n in (4, 5, 2) if (top / n).is_integer()), 1)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= value:
            return step * power
    return 10.0 * power  # unreachable: 10 * power >= value always


def label_step(labels: Sequence[str], room: float) -> int:
    """Draw every n-th of `labels` so that each has `room` px times n to itself."""
    longest = max((len(label) for label in labels), default=0)
    return max(1, math.ceil((longest * CHAR_WIDTH + 4) / max(room, 1.0)))


def drawn(count: int, step: int, highlight: int | None) -> frozenset[int]:
    """Which of `count` labels to draw: every `step`-th, and the highlighted one
    with its neighbours closer than `step` left out so that nothing overlaps."""
    shown = {i for i in range(count) if i % step == 0}
    if highlight is not None and 0 <= highlight < count:
        shown = {i for i in shown if abs(i - highlight) >= step} | {highlight}
    return frozenset(shown)


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_labels: Sequence[str],
    x_title: str,
    y_title: str,
    headers: tuple[str, str],
    maximum: float | None = None,
    tick_format: str = "{:g}",
    highlight: int | None = None,
    edge_labels: Sequence[str] = (),
    width: float = WIDTH,
    height: float = HEIGHT,
) -> BarChart:
    """Lay out one bar per value on a scale from 0 to `maximum` (or a round top).

    `highlight` is the index of a bar to mark, such as today's day. With
    `edge_labels` (one more than the values) the category axis is labelled at
    the bars' edges, as a histogram's bin boundaries are. A chart wider than
    NARROW_WIDTH carries a `narrow` layout of itself for small screens.
    """
    if not len(labels) == len(values) == len(value_labels):
        raise ValueError("labels, values and value labels must have equal lengths")
    if edge_labels and len(edge_labels) != len(values) + 1:
        raise ValueError("a histogram needs one more edge label than values")
    top = maximum if maximum is not None else nice_ceiling(max(values, default=0))
    words = Words(id, title, description, x_title, y_title, headers, tick_format)
    bars = Bars(labels, values, value_labels, highlight, edge_labels, top)
    narrow = None
    if width > NARROW_WIDTH:
        narrow = _layout(
            replace(words, id=f"{id}-narrow"), bars, NARROW_WIDTH, height, None
        )
    return _layout(words, bars, width, height, narrow)


@dataclass(frozen=True)
class Words:
    """What a chart says, the same in every layout."""

    id: str
    title: str
    description: str
    x_title: str
    y_title: str
    headers: tuple[str, str]
    tick_format: str


@dataclass(frozen=True)
class Bars:
    """What a chart counts, the same in every layout."""

    labels: Sequence[str]
    values: Sequence[float]
    value_labels: Sequence[str]
    highlight: int | None
    edge_labels: Sequence[str]
    top: float


def _layout(
    words: Words, data: Bars, width: float, height: float, narrow: BarChart | None
) -> BarChart:
    labels, values, value_labels = data.labels, data.values, data.value_labels
    top, highlight, edge_labels = data.top, data.highlight, data.edge_labels
    plot_left, plot_right = LEFT, width - RIGHT
    plot_top, plot_bottom = TOP, height - BOTTOM
    span = plot_bottom - plot_top
    slot = (plot_right - plot_left) / max(len(values), 1)
    gap = min(slot * 0.2, 12.0)

    label_every = label_step(edge_labels or labels, slot)
    value_every = label_step(value_labels, slot)
    labelled = drawn(len(values), label_every, None if edge_labels else highlight)
    valued = drawn(len(values), value_every, highlight)

    bars = []
    for index, (label, value, shown) in enumerate(
        zip(labels, values, value_labels, strict=True)
    ):
        bar_height = span * min(max(value, 0.0), top) / top
        bars.append(
            Bar(
                label=label,
                value=value,
                value_label=shown,
                x=round(plot_left + index * slot + gap / 2, 2),
                y=round(plot_bottom - bar_height, 2),
                width=round(slot - gap, 2),
                height=round(bar_height, 2),
                highlight=index == highlight,
                labelled=index in labelled,
                valued=index in valued,
            )
        )
    steps = intervals(top)
    ticks = tuple(
        Tick(
            round(plot_bottom - span * i / steps, 2),
            words.tick_format.format(top * i / steps),
        )
        for i in range(steps + 1)
    )
    edges = tuple(
        Tick(round(plot_left + i * slot, 2), label)
        for i, label in enumerate(edge_labels)
    )
    return BarChart(
        id=words.id,
        title=words.title,
        description=words.description,
        x_title=words.x_title,
        y_title=words.y_title,
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        bars=tuple(bars),
        ticks=ticks,
        headers=words.headers,
        edges=edges,
        label_step=label_every,
        value_step=value_every,
        narrow=narrow,
    )


def histogram_edges(bins: int) -> list[str]:
    """The boundaries of equal-width percentage bins: '0', '10', ..., '100'."""
    return [f"{i * 100 // bins}" for i in range(bins + 1)]


def histogram_labels(bins: int) -> list[str]:
    """Labels for equal-width percentage bins: '0–9.9', ..., '90–100'.

    Scores carry one decimal, so a bin's upper label ends in .9.
    """
    width = 100 // bins
    labels = [f"{i * width}–{(i + 1) * width - 1}.9" for i in range(bins)]
    labels[-1] = f"{(bins - 1) * width}–100"
    return labels
