"""Chart geometry: round scales, bars inside the plot, words for every bar."""

import pytest

from academy.services.charts import (
    bar_chart,
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
