"""The console's quiz pages: every quiz's results, one quiz's score chart."""

from collections.abc import Sequence

from academy.services.charts import (
    BarChart,
    bar_chart,
    histogram_edges,
    histogram_labels,
)
from academy.services.console_views import QuizPage
from academy.services.quiz_results import QuizReport, QuizResults


class QuizStatistics:
    """Quiz results as the manager reads them, drawn where a chart helps."""

    def __init__(self, quiz_results: QuizResults) -> None:
        self.quiz_results = quiz_results

    def quiz_reports(self) -> list[QuizReport]:
        """Every quiz's results, in schedule order."""
        return self.quiz_results.reports()

    def quiz_page(self, slug: str) -> QuizPage:
        """One quiz's statistics, with its score distribution drawn."""
        report = self.quiz_results.report(slug)
        passed = report.passed
        description = (
            f"Best scores of the {report.learners} learners who attempted it; "
            f"{passed} passed (pass mark {report.quiz.pass_percent}%)."
            if report.learners
            else "Nobody has attempted this quiz yet."
        )
        chart = score_chart(
            "scores", "Best scores", description, list(report.histogram), 1080.0, 260.0
        )
        return QuizPage(report, chart)


def score_chart(
    chart_id: str,
    title: str,
    description: str,
    counts: Sequence[int],
    width: float = 540.0,
    height: float = 220.0,
) -> BarChart:
    """A histogram of best scores in equal bins from 0 to 100%."""
    return bar_chart(
        id=chart_id,
        title=title,
        description=description,
        labels=histogram_labels(len(counts)),
        edge_labels=histogram_edges(len(counts)),
        values=[float(c) for c in counts],
        value_labels=[str(c) for c in counts],
        x_title="Best score, %",
        y_title="Learners",
        headers=("Best score, %", "Learners"),
        width=width,
        height=height,
    )
