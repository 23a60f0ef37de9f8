"""Quiz results: the page shows what domain.itemstats computes, from memory."""

import html
import re

import pytest

from academy.domain.itemstats import (
    answer_distribution,
    quiz_statistics,
    score_histogram,
)

from .conftest import RIGHT, WRONG, People, register

SLUG = "mentor-role"
QUESTIONS = list(RIGHT)

# Eight learners' first attempts: each row says which questions they got right.
# The last question is answered best by the weakest learners, so it is flagged.
PATTERNS = [
    "111110",
    "111100",
    "111010",
    "110101",
    "101001",
    "100001",
    "011011",
    "000001",
]


def _answers(pattern: str) -> dict[str, list[str]]:
    return {
        q: RIGHT[q] if bit == "1" else WRONG[q]
        for q, bit in zip(QUESTIONS, pattern, strict=True)
    }


@pytest.fixture
def attempted(people: People, academy):
    """Eight learners' first attempts, and a second attempt for the weakest."""
    users = register(academy, len(PATTERNS))
    for user, pattern in zip(users, PATTERNS, strict=True):
        academy.learning.submit_attempt(user, SLUG, _answers(pattern))
    academy.learning.submit_attempt(users[-1], SLUG, RIGHT)
    return users


def _expected():
    marks = [
        {q: float(bit) for q, bit in zip(QUESTIONS, p, strict=True)} for p in PATTERNS
    ]
    return quiz_statistics(marks, QUESTIONS)


def _cell(html_text: str, question: str, stat: str) -> str:
    row = re.search(rf'data-question="{question}">(.*?)</tr>', html_text, re.S)
    assert row, question
    cell = re.search(rf'data-stat="{stat}">([^<]*)<', row.group(1))
    assert cell, (question, stat)
    return html.unescape(cell.group(1)).strip()


def _shown(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def test_quizzes_statistics_match_itemstats_over_first_attempts(attempted, academy):
    report = academy.manage.quiz_page(SLUG).report
    assert report.statistics == _expected()
    assert report.attempts == len(PATTERNS) + 1
    assert report.learners == len(PATTERNS)


def test_quizzes_page_shows_item_statistics(attempted, people: People):
    expected = _expected()
    page = people.manager_browser.get(f"/manage/quizzes/{SLUG}").text
    for item in expected.items:
        assert _cell(page, item.question_id, "facility") == _shown(item.facility_index)
        assert _cell(page, item.question_id, "discrimination") == _shown(
            item.discrimination_index
        )
        assert _cell(page, item.question_id, "efficiency") == _shown(
            item.discriminative_efficiency
        )
    alpha = re.search(r'data-stat="alpha">([^<]*)<', page).group(1)
    assert alpha == _shown(expected.coefficient_of_internal_consistency)
    error = re.search(r'data-stat="standard-error">([^<]*)<', page).group(1)
    assert error.startswith(f"{expected.standard_error:.2f} marks")


def test_quizzes_flags_questions_under_the_threshold(attempted, people: People):
    expected = _expected()
    flagged = {i.question_id for i in expected.items if i.needs_review}
    assert flagged, "the patterns are chosen so that some question is flagged"
    page = people.manager_browser.get(f"/manage/quizzes/{SLUG}").text
    for question in QUESTIONS:
        row = re.search(rf'<tr( class="flagged")? data-question="{question}"', page)
        assert row and bool(row.group(1)) == (question in flagged)


def test_quizzes_answer_distribution_counts_first_attempts(attempted, academy):
    report = academy.manage.quiz_page(SLUG).report
    question = next(q for q in report.questions if q.question.id == "which-break-code")
    firsts = [_answers(p)["which-break-code"] for p in PATTERNS]
    option_ids = [o.id for o in question.question.options]
    expected = answer_distribution(firsts, option_ids)
    assert {c.text: c.count for c in question.choices} == {
        k: v for k, v in expected.items() if k != "other"
    }
    assert question.other == expected["other"]


def test_quizzes_histogram_uses_best_scores(attempted, academy):
    report = academy.manage.quiz_page(SLUG).report
    best = [round(100 * p.count("1") / 6, 1) for p in PATTERNS[:-1]] + [100.0]
    assert list(report.histogram) == score_histogram(best)


def test_quizzes_list_shows_every_quiz(attempted, people: People, academy):
    page = people.manager_browser.get("/manage/quizzes").text
    for quiz in academy.ctx.content.curriculum.ordered_quizzes:
        assert f'href="/manage/quizzes/{quiz.slug}"' in page


def test_quizzes_cached_until_an_attempt_changes(attempted, academy, monkeypatch):
    results = academy.quiz_results
    first = results.report(SLUG)
    reads = []
    original = academy.store.learner

    def counting(user_id):
        reads.append(user_id)
        return original(user_id)

    monkeypatch.setattr(academy.store, "learner", counting)
    assert results.report(SLUG) is first
    assert reads == []

    newcomer = register_one(academy)
    academy.learning.submit_attempt(newcomer, SLUG, RIGHT)
    before = len(reads)
    second = results.report(SLUG)
    assert second is not first
    assert second.learners == first.learners + 1
    assert len(reads) == before  # recomputed from memory, not from files
    assert results.report("explaining-concepts") is results.report(
        "explaining-concepts"
    )


def register_one(academy):
    return academy.accounts.register("Late Comer", "late@example.org", "x" * 12)


def test_quizzes_results_read_no_file_after_start(people: People, academy, monkeypatch):
    users = register(academy, 3)
    for user in users:
        academy.learning.submit_attempt(user, SLUG, RIGHT)
    reads = []
    original = academy.store.learner
    monkeypatch.setattr(
        academy.store, "learner", lambda uid: reads.append(uid) or original(uid)
    )
    academy.quiz_results.reports()
    academy.quiz_results.reports()
    # Built from the start-up read and kept up to date by each submission.
    assert reads == []
