"""Bar charts laid out on the server, so pages can draw them as inline SVG.

A chart here is geometry plus words: where each bar goes, what the axis says,
and the same numbers as table rows for people who cannot see the drawing. The
template turns it into SVG; nothing here writes markup.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640.0
HEIGHT = 240.0
LEFT = 48.0  # room for the value axis labels
RIGHT = 16.0
TOP = 16.0
BOTTOM = 40.0  # room for the category labels and the axis title


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
    the bars' edges, as a histogram's bin boundaries are.
    """
    if not len(labels) == len(values) == len(value_labels):
        raise ValueError("labels, values and value labels must have equal lengths")
    if edge_labels and len(edge_labels) != len(values) + 1:
        raise ValueError("a histogram needs one more edge label than values")
    top = maximum if maximum is not None else nice_ceiling(max(values, default=0))
    plot_left, plot_right = LEFT, width - RIGHT
    plot_top, plot_bottom = TOP, height - BOTTOM
    span = plot_bottom - plot_top
    slot = (plot_right - plot_left) / max(len(values), 1)
    gap = min(slot * 0.2, 12.0)

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
            )
        )
    steps = intervals(top)
    ticks = tuple(
        Tick(
            round(plot_bottom - span * i / steps, 2),
            tick_format.format(top * i / steps),
        )
        for i in range(steps + 1)
    )
    edges = tuple(
        Tick(round(plot_left + i * slot, 2), label)
        for i, label in enumerate(edge_labels)
    )
    return BarChart(
        id=id,
        title=title,
        description=description,
        x_title=x_title,
        y_title=y_title,
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        bars=tuple(bars),
        ticks=ticks,
        headers=headers,
        edges=edges,
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
