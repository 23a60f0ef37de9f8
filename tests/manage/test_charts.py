"""Chart geometry: round scales, bars inside the plot, words for every bar."""

import pytest

from academy.services.charts import (
    CHAR_WIDTH,
    NARROW_WIDTH,
    bar_chart,
    drawn,
    histogram_edges,
    histogram_labels,
    intervals,
    nice_ceiling,
)


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 1), (0.3, 0.5), (1, 1), (3, 5), (7, 10), (12, 20), (55, 100), (100, 100)],
)
def test_charts_nice_ceiling(value, top):
    assert nice_ceiling(value) == pytest.approx(top)


@pytest.mark.parametrize(
    ("top", "steps"), [(1, 1), (2, 2), (5, 5), (10, 5), (20, 4), (100, 4)]
)
def test_charts_intervals_give_round_ticks(top, steps):
    assert intervals(top) == steps


def test_charts_bars_stay_in_the_plot():
    chart = bar_chart(
        id="c",
        title="T",
        description="D",
        labels=["a", "b", "c"],
        values=[0.0, 5.0, 12.0],
        value_labels=["0", "5", "12"],
        x_title="x",
        y_title="y",
        headers=("x", "y"),
    )
    tallest = chart.bars[2]
    assert (
        tallest.y >= chart.plot_top and tallest.y + tallest.height == chart.plot_bottom
    )
    assert chart.bars[0].height == 0
    assert [t.label for t in chart.ticks] == ["0", "5", "10", "15", "20"]
    assert chart.rows == (("a", "0"), ("b", "5"), ("c", "12"))
    assert all(
        chart.plot_left <= b.x and b.x + b.width <= chart.plot_right for b in chart.bars
    )


def test_charts_histogram_labels():
    assert histogram_labels(10)[0] == "0–9.9"
    assert histogram_labels(10)[-1] == "90–100"
    assert histogram_edges(10) == [str(i) for i in range(0, 101, 10)]


def test_charts_refuse_mismatched_lengths():
    with pytest.raises(ValueError):
        bar_chart(
            id="c",
            title="T",
            description="D",
            labels=["a"],
            values=[1.0, 2.0],
            value_labels=["1"],
            x_title="x",
            y_title="y",
            headers=("x", "y"),
        )


def _days_chart(width: float = 1080.0):
    return bar_chart(
        id="progress",
        title="T",
        description="D",
        labels=[str(d) for d in range(1, 15)],
        values=[float(d * 7) for d in range(1, 15)],
        value_labels=[f"{d * 7}%" for d in range(1, 15)],
        x_title="Day",
        y_title="Share",
        headers=("Day", "Share"),
        maximum=100.0,
        width=width,
    )


def test_charts_wide_chart_carries_a_narrow_layout_for_phones():
    chart = _days_chart()
    narrow = chart.narrow
    assert narrow is not None and narrow.width == NARROW_WIDTH
    assert narrow.id == "progress-narrow" and narrow.narrow is None
    assert narrow.rows == chart.rows
    assert all(
        narrow.plot_left <= b.x and b.x + b.width <= narrow.plot_right
        for b in narrow.bars
    )
    assert _days_chart(width=NARROW_WIDTH).narrow is None


def test_charts_labels_drawn_never_overlap():
    for chart in (_days_chart(), _days_chart().narrow):
        assert chart is not None
        slot = (chart.plot_right - chart.plot_left) / len(chart.bars)
        for step, labels in [
            (chart.label_step, [b.label for b in chart.bars]),
            (chart.value_step, [b.value_label for b in chart.bars]),
        ]:
            widest = max(len(label) for label in labels) * CHAR_WIDTH
            assert step * slot >= widest
    assert _days_chart().label_step == 1
    assert _days_chart().narrow.value_step > 1  # "98%" needs more than one slot


@pytest.mark.parametrize(
    ("count", "step", "highlight", "shown"),
    [
        (6, 1, None, {0, 1, 2, 3, 4, 5}),
        (6, 2, None, {0, 2, 4}),
        (6, 2, 3, {0, 3}),
        (14, 2, 9, {0, 2, 4, 6, 9, 12}),
        (5, 3, 0, {0, 3}),
    ],
    ids=["every", "every-other", "today-odd", "today-day-10", "today-first"],
)
def test_charts_drawn_labels_keep_today_and_its_room(count, step, highlight, shown):
    labels = drawn(count, step, highlight)
    assert labels == shown
    ordered = sorted(labels)
    assert all(b - a >= step for a, b in zip(ordered, ordered[1:]))
