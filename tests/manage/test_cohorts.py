"""The cohort overview: filters, order, pages and charts, from memory only."""

import re
from datetime import timedelta

import pytest

from academy.domain.progress import Status
from academy.services.listing import LearnerFilter, paginate
from academy.services.summaries import LearnerSummary

from .conftest import START, People


def fake(i: int, **changes) -> LearnerSummary:
    """A summary as the index holds it; learner i did i % 15 days of work."""
    values = dict(
        user_id=f"u_{i:016x}",
        name=f"Learner {i:05d}",
        email=f"l{i:05d}@example.org",
        cohort_id="open",
        modules_done=i % 14,
        quizzes_passed=i % 14,
        replies_approved=0,
        replies_pending=0,
        items_done=i % 31,
        items_total=30,
        percent=round(100 * (i % 31) / 30),
        completed_at=None,
        due_at=START + timedelta(days=14),
        behind_after=START + timedelta(days=1) if i % 3 == 0 else None,
        last_active_at=START - timedelta(minutes=i),
        eligible=i % 2 == 0,
        certified=False,
        extension_days=0,
        days_done=i % 15,
    )
    values.update(changes)
    return LearnerSummary(**values)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, LearnerFilter()),
        (
            {"status": "behind", "q": "  Ada  L ", "sort": "activity", "page": "3"},
            LearnerFilter(Status.BEHIND, "Ada L", "activity", 3),
        ),
        ({"status": "lost", "sort": "shoe size", "page": "-2"}, LearnerFilter()),
        ({"page": "many"}, LearnerFilter()),
    ],
    ids=["empty", "all-set", "unknown-values", "bad-page"],
)
def test_cohorts_filter_parses_query(query, expected):
    assert LearnerFilter.parse(query) == expected


def test_cohorts_filter_status_search_and_sort():
    now = START + timedelta(days=2)
    people = [fake(i) for i in range(30)]
    behind = LearnerFilter(status=Status.BEHIND, sort="progress").apply(people, now)
    assert {s.user_id for s, _ in behind} == {p.user_id for p in people[::3]}
    assert [s.percent for s, _ in behind] == sorted(s.percent for s, _ in behind)

    found = LearnerFilter(search="L00017@EXAMPLE").apply(people, now)
    assert [s.name for s, _ in found] == ["Learner 00017"]

    by_activity = LearnerFilter(sort="activity").apply(people, now)
    assert by_activity[0][0].name == "Learner 00029"  # longest ago first


def test_cohorts_filter_by_eligibility_and_sort_either_way():
    now = START + timedelta(days=2)
    people = [fake(i) for i in range(30)]
    eligible = LearnerFilter(eligible=True).apply(people, now)
    assert {s.user_id for s, _ in eligible} == {p.user_id for p in people[::2]}
    not_eligible = LearnerFilter(eligible=False).apply(people, now)
    assert len(not_eligible) == 15 and not any(s.eligible for s, _ in not_eligible)

    most = LearnerFilter(sort="progress-desc").apply(people, now)
    percents = [s.percent for s, _ in most]
    assert percents == sorted(percents, reverse=True)
    # Equal progress keeps names A to Z, as the other orders do.
    tied = [s.name for s, _ in most if s.percent == most[0][0].percent]
    assert tied == sorted(tied)
    recent = LearnerFilter(sort="activity-desc").apply(people, now)
    assert recent[0][0].name == "Learner 00000"
    z_to_a = LearnerFilter(sort="name-desc").apply(people, now)
    assert z_to_a[0][0].name == "Learner 00029"


def test_cohorts_filter_reads_eligibility_from_the_query():
    assert LearnerFilter.parse({"eligible": "yes"}).eligible is True
    assert LearnerFilter.parse({"eligible": "no"}).eligible is False
    assert LearnerFilter.parse({"eligible": "perhaps"}).eligible is None
    assert LearnerFilter(eligible=False).params["eligible"] == "no"


def test_cohorts_paginate_clamps_the_page():
    items = list(range(120))
    assert paginate(items, 3).items == tuple(range(100, 120))
    assert paginate(items, 99).number == 3
    assert paginate([], 5).number == 1


def test_cohorts_overview_pages_through_ten_thousand_from_memory(
    people: People, academy, monkeypatch
):
    crowd = [fake(i) for i in range(10_000)]
    monkeypatch.setattr(academy.summaries, "all", lambda: crowd)
    academy.quiz_results.reports()  # built once, before the clock starts

    def no_files(user_id):
        raise AssertionError("the overview read a learner's file")

    monkeypatch.setattr(academy.store, "learner", no_files)
    response = people.manager_browser.get("/manage/cohorts/open?sort=activity&page=3")
    assert response.status_code == 200
    assert "101 to 150 of 10000 learners" in response.text
    assert response.text.count('<a href="/manage/learners/u_') == 50
    # First and last pages, and a box to jump to any of the 200.
    assert "page=1" in response.text and "Last page (200)" in response.text
    assert 'name="page" type="number"' in response.text and 'max="200"' in response.text


def test_cohorts_overview_filters_over_http(
    people: People, academy, clock, monkeypatch
):
    crowd = [fake(i) for i in range(60)]
    monkeypatch.setattr(academy.summaries, "all", lambda: crowd)
    clock.advance(timedelta(days=2))
    page = people.manager_browser.get("/manage/cohorts/open?status=behind&q=0001").text
    names = re.findall(r'href="/manage/learners/u_\w+">([^<]+)<', page)
    assert names == ["Learner 00012", "Learner 00015", "Learner 00018"]
    assert "Behind <strong>20</strong>" in page
    narrowed = people.manager_browser.get(
        "/manage/cohorts/open?eligible=no&q=0001"
    ).text
    caption = " ".join(narrowed.split())
    assert "Learners matching “0001” who are not eligible, by name, A to Z" in caption


def test_cohorts_progress_chart_shares(people: People, academy, monkeypatch):
    crowd = [
        fake(0, days_done=0),
        fake(1, days_done=3),
        fake(2, days_done=14),
        fake(3, days_done=14),
    ]
    monkeypatch.setattr(academy.summaries, "all", lambda: crowd)
    chart = academy.manage.overview("open", {}).progress_chart
    assert [b.value for b in chart.bars] == [75.0] * 3 + [50.0] * 11
    assert chart.rows[0] == ("1", "75%")
    assert "50% their part of every day" in chart.description
    page = people.manager_browser.get("/manage/cohorts/open").text
    assert '<title id="progress-title">How far the cohort has got</title>' in page
    assert "<caption>How far the cohort has got</caption>" in page


def test_cohorts_quiz_charts_count_best_scores(people: People, academy):
    from .conftest import RIGHT, WRONG, register

    users = register(academy, 3)
    academy.learning.submit_attempt(users[0], "mentor-role", RIGHT)
    academy.learning.submit_attempt(users[1], "mentor-role", WRONG)
    academy.learning.submit_attempt(users[1], "mentor-role", RIGHT)
    academy.learning.submit_attempt(users[2], "mentor-role", WRONG)
    charts = academy.manage.overview("open", {}).quiz_charts
    first = charts[0]
    assert first.title == academy.ctx.content.curriculum.ordered_quizzes[0].title
    assert [b.value for b in first.bars] == [1.0] + [0.0] * 8 + [2.0]
    assert "2 reached the pass mark" in first.description


def test_cohorts_home_counts_by_status(people: People, academy, clock, monkeypatch):
    crowd = [fake(i) for i in range(9)]
    monkeypatch.setattr(academy.summaries, "all", lambda: crowd)
    clock.advance(timedelta(days=2))
    home = academy.manage.home()
    row = next(r for r in home.cohorts if r.cohort.id == "open")
    assert row.total == 9
    assert row.counts[Status.BEHIND] == 3
    assert home.learners == 9


@pytest.mark.parametrize(
    ("behind_after", "expected"),
    [(START + timedelta(days=3), Status.LATE), (None, Status.ON_TRACK)],
    ids=["work-owed", "replies-waiting"],
)
def test_cohorts_summary_past_due_is_late_only_for_work_owed(behind_after, expected):
    """The overview's rule is the record's: waiting replies are not the learner's debt."""
    summary = fake(1, behind_after=behind_after, replies_pending=3)
    assert summary.status(START + timedelta(days=20)) is expected
