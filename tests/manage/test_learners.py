"""A learner's record and what a manager can do to it, each action audited."""

from datetime import date

import pytest
from markupsafe import escape

from academy.domain.progress import Status

from .conftest import (
    RIGHT,
    WRONG,
    People,
    correct_answers,
    later,
    post,
    reply_text,
)


def _last(academy):
    return academy.store.audit()[-1]


def test_learners_record_shows_attempt_answers(people: People, academy):
    academy.learning.submit_attempt(people.learner, "mentor-role", WRONG)
    page = people.manager_browser.get(f"/manage/learners/{people.learner.id}").text
    assert "Answers in attempt 1" in page
    assert "ignore" in page  # the short answer typed
    assert 'class="verdict incorrect"' in page
    assert "Remove attempt 1" in page


def _day_row(page: str, title: str) -> str:
    """The schedule table's row for the module called `title`."""
    days = page.split('id="days-heading"')[1].split("</table>")[0]
    return next(row for row in days.split("<tr") if str(escape(title)) in row)


def test_learners_record_shows_each_day_and_when_it_was_done(
    people: People, academy, clock
):
    curriculum = academy.ctx.content.curriculum
    first = curriculum.modules[0]
    # The first module with a practice reply (giving feedback, on day 4).
    second = next(
        m
        for m in curriculum.modules
        if m.quiz_slug and curriculum.quizzes[m.quiz_slug].practice_questions
    )
    assert (first.day, second.day) == (1, 4)
    quiz = curriculum.quizzes[second.quiz_slug]
    answers = correct_answers(quiz)
    for question in quiz.practice_questions:
        answers[question.id] = [reply_text()]
    later(clock, 3 + 1 / 24)  # 10:00 on day 4
    academy.learning.complete_module(people.learner, second.slug)
    later(clock, 1 / 24)
    academy.learning.submit_attempt(people.learner, quiz.slug, answers)
    later(clock, 1)  # day 5: day 1's module is overdue
    academy.manage.grant_extension(
        people.learner.id, "4", "Moving house.", people.manager.id
    )

    page = people.manager_browser.get(f"/manage/learners/{people.learner.id}").text

    done = _day_row(page, second.title)
    assert "6 Mar 2025, 10:00 UTC" in done  # read
    assert "6 Mar 2025, 11:00 UTC" in done  # quiz passed, reply sent
    assert "waiting for review" in done and "overdue" not in done
    missed = _day_row(page, first.title)
    assert "overdue" in missed and "not yet" in missed
    assert "extended by 4 days" in page and "Moving house." in page
    # The overview's last activity, not the account's (never set by learning).
    assert "<dt>Last seen</dt><dd>6 Mar 2025, 11:00 UTC</dd>" in page


def test_learners_extension_saved_and_audited(people: People, academy):
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/extension",
        {"days": "7", "reason": "Family emergency."},
    )
    assert response.status_code == 303
    assert academy.store.user(people.learner.id).extension_days == 7
    assert academy.summaries.get(people.learner.id).extension_days == 7
    entry = _last(academy)
    assert (entry.actor_id, entry.action, entry.subject, entry.reason) == (
        people.manager.id,
        "learner.extension",
        people.learner.id,
        "Family emergency.",
    )


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [
        ("0", "ok", "extension-days"),
        ("61", "ok", "extension-days"),
        ("two", "ok", "extension-days"),
        ("١٠", "ok", "extension-days"),
        ("1_0", "ok", "extension-days"),
        ("5", " ", "extension-reason"),
    ],
    ids=[
        "zero",
        "too-many",
        "not-a-number",
        "arabic-digits",
        "underscore",
        "no-reason",
    ],
)
def test_learners_extension_refused(people: People, academy, days, reason, field):
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/extension",
        {"days": days, "reason": reason},
    )
    assert response.status_code == 422
    assert f'href="#{field}"' in response.text
    assert f'id="{field}"' in response.text
    assert academy.store.user(people.learner.id).extension_days == 0


def test_learners_extension_names_every_problem(people: People, academy):
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/extension",
        {"days": "0", "reason": ""},
    )
    assert response.status_code == 422
    assert 'href="#extension-days"' in response.text
    assert 'href="#extension-reason"' in response.text


def test_learners_reset_attempt_lets_them_try_again(people: People, academy):
    for _ in range(3):
        academy.learning.submit_attempt(people.learner, "mentor-role", WRONG)
    attempts = academy.store.learner(people.learner.id).attempts
    latest = max(attempts, key=lambda a: a.number)
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/attempts/{latest.id}/reset",
        {"reason": "Browser crashed during attempt 3."},
    )
    assert response.status_code == 303
    assert len(academy.store.learner(people.learner.id).attempts) == 2
    entry = _last(academy)
    assert (entry.actor_id, entry.action, entry.subject) == (
        people.manager.id,
        "attempt.reset",
        people.learner.id,
    )
    assert entry.detail.startswith("mentor-role attempt 3")
    result = academy.learning.submit_attempt(people.learner, "mentor-role", RIGHT)
    assert result.attempt.number == 3 and result.attempt.passed
    assert academy.quiz_results.report("mentor-role").attempts == 3


def test_learners_reset_only_the_latest_attempt(people: People, academy):
    academy.learning.submit_attempt(people.learner, "mentor-role", WRONG)
    academy.learning.submit_attempt(people.learner, "mentor-role", WRONG)
    first = min(
        academy.store.learner(people.learner.id).attempts, key=lambda a: a.number
    )
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/attempts/{first.id}/reset",
        {"reason": "Why not."},
    )
    assert response.status_code == 409
    assert len(academy.store.learner(people.learner.id).attempts) == 2


def test_learners_reset_refuses_a_passed_attempt(people: People, academy):
    academy.learning.submit_attempt(people.learner, "mentor-role", RIGHT)
    [passed] = academy.store.learner(people.learner.id).attempts
    entries = len(academy.store.audit())
    # The record hides the button; a form posted by hand must be refused too.
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/attempts/{passed.id}/reset",
        {"reason": "Let them try for a better score."},
    )
    assert response.status_code == 409
    assert "a passed attempt is not removed" in response.text
    assert academy.store.learner(people.learner.id).attempts == [passed]
    assert len(academy.store.audit()) == entries


def test_learners_reset_needs_a_reason(people: People, academy):
    academy.learning.submit_attempt(people.learner, "mentor-role", WRONG)
    attempt = academy.store.learner(people.learner.id).attempts[0]
    response = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/attempts/{attempt.id}/reset",
        {"reason": ""},
    )
    assert response.status_code == 422
    assert f'id="reset-{attempt.id}-reason"' in response.text
    assert len(academy.store.learner(people.learner.id).attempts) == 1


def test_learners_create_cohort_checks_the_time_zone(people: People, academy):
    response = post(
        people.manager_browser,
        "/manage/cohorts",
        {"name": "April", "start_date": "2025-04-07", "timezone": "Mars/Olympus_Mons"},
    )
    assert response.status_code == 422
    assert 'href="#cohort-timezone"' in response.text
    assert 'value="Mars/Olympus_Mons"' in response.text  # kept for correcting
    assert len(academy.store.cohorts()) == 1


@pytest.mark.parametrize(
    ("start_date", "timezone", "field", "message"),
    [
        (
            "9999-12-31",
            "UTC",
            "start_date",
            "Choose a start date from 2024-03-02 to 2027-03-04.",
        ),
        (
            "0001-01-01",
            "Asia/Tokyo",
            "start_date",
            "Choose a start date from 2024-03-02",
        ),
        ("2062-03-02", "UTC", "start_date", "Choose a start date"),
        ("2026-13-01", "UTC", "start_date", "YYYY-MM-DD"),
        ("2026-03-09", "a/" * 3000 + "b", "timezone", "IANA time zone"),
        ("2026-03-09", "../../etc/passwd", "timezone", "IANA time zone"),
        ("2026-03-09", "", "timezone", "IANA time zone"),
    ],
    ids=[
        "year-9999",
        "year-1",
        "typo-decades-ahead",
        "no-such-month",
        "deep-zone-path",
        "zone-traversal",
        "no-zone",
    ],
)
def test_learners_create_cohort_refuses(
    people: People, academy, start_date, timezone, field, message
):
    response = post(
        people.manager_browser,
        "/manage/cohorts",
        {"name": "Odd", "start_date": start_date, "timezone": timezone},
    )
    assert response.status_code == 422
    assert f'href="#cohort-{field}"' in response.text
    assert message in response.text
    assert len(academy.store.cohorts()) == 1


def test_learners_create_cohort_and_move_a_learner(people: People, academy):
    response = post(
        people.manager_browser,
        "/manage/cohorts",
        {"name": "April", "start_date": "2025-04-07", "timezone": "Asia/Kolkata"},
    )
    assert response.status_code == 303
    cohort = next(c for c in academy.store.cohorts() if c.name == "April")
    assert (
        response.headers["location"]
        == f"/manage/cohorts/{cohort.id}?notice=cohort-created"
    )
    created = _last(academy)
    assert (created.actor_id, created.action, created.subject) == (
        people.manager.id,
        "cohort.create",
        cohort.id,
    )

    moved = post(
        people.manager_browser,
        f"/manage/learners/{people.learner.id}/cohort",
        {"cohort_id": cohort.id, "reason": "Asked to join colleagues."},
    )
    assert moved.status_code == 303
    user = academy.store.user(people.learner.id)
    assert (user.cohort_id, user.start_date) == (cohort.id, date(2025, 4, 7))
    assert academy.ctx.schedule(user).timezone == "Asia/Kolkata"
    entry = _last(academy)
    assert (entry.action, entry.subject, entry.detail) == (
        "learner.move",
        people.learner.id,
        "Open enrolment → April",
    )
    assert academy.summaries.get(user.id).status(academy.ctx.now()) is Status.ON_TRACK


def test_learners_enrol_by_email(people: People, academy):
    cohort = academy.manage.create_cohort("May", "2025-05-05", "UTC", people.manager.id)
    path = f"/manage/cohorts/{cohort.id}/enrol"
    unknown = post(people.manager_browser, path, {"email": "nobody@example.org"})
    assert unknown.status_code == 422
    assert 'href="#enrol-email"' in unknown.text

    response = post(people.manager_browser, path, {"email": "LEE@example.org "})
    assert response.status_code == 303
    assert academy.store.user(people.learner.id).cohort_id == cohort.id
    assert _last(academy).action == "learner.move"

    again = post(people.manager_browser, path, {"email": "lee@example.org"})
    assert again.status_code == 422
    assert "already in this cohort" in again.text


def test_learners_enrol_everyone_from_a_course(people: People, academy):
    from .conftest import eligible_csv

    academy.eligibility.import_csv(
        eligible_csv(people.learner.email, "x@example.org"), "t"
    )
    cohort = academy.manage.create_cohort(
        "June", "2025-06-02", "UTC", people.manager.id
    )
    response = post(
        people.manager_browser,
        f"/manage/cohorts/{cohort.id}/enrol-course",
        {"course_id": "py101"},
    )
    assert response.status_code == 303
    assert academy.store.user(people.learner.id).cohort_id == cohort.id
    entry = _last(academy)
    assert (entry.action, entry.detail) == ("cohort.enrol-course", "py101: 1 moved")

    again = post(
        people.manager_browser,
        f"/manage/cohorts/{cohort.id}/enrol-course",
        {"course_id": "py101"},
    )
    assert again.status_code == 422
    assert "already in the cohort or have not registered yet" in again.text


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("enrol", {"email": "lee@example.org"}, "join the open cohort by registering"),
        ("enrol-course", {"course_id": "py101"}, "the open cohort takes no enrolments"),
    ],
    ids=["one-learner", "whole-course"],
)
def test_learners_enrol_into_the_open_cohort_says_why_not(
    people: People, academy, path, data, message
):
    response = post(people.manager_browser, f"/manage/cohorts/open/{path}", data)
    assert response.status_code == 422
    assert message in response.text


def test_learners_enrol_from_an_unknown_course_says_so(people: People, academy):
    cohort = academy.manage.create_cohort(
        "June", "2025-06-02", "UTC", people.manager.id
    )
    response = post(
        people.manager_browser,
        f"/manage/cohorts/{cohort.id}/enrol-course",
        {"course_id": "no-such-course"},
    )
    assert response.status_code == 422
    assert "No eligibility record names the course" in response.text
    assert _last(academy).action == "cohort.create"


def test_learners_history_lists_what_was_done(people: People, academy):
    academy.manage.grant_extension(
        people.learner.id, "3", "Ill for a week.", people.manager.id
    )
    academy.eligibility.override(
        people.learner.email, False, "Plagiarism case.", people.manager.id
    )
    academy.ctx.audit(people.manager.id, "other.thing", "someone-else", "hidden")
    page = people.manager_browser.get(f"/manage/learners/{people.learner.id}").text
    history = page.split('id="history-heading"')[1]
    assert "Ill for a week." in history
    assert "Plagiarism case." in history
    assert "hidden" not in history
    assert "Morgan Manager" in history


def test_learners_search_across_cohorts(people: People):
    page = people.manager_browser.get("/manage/learners?q=LEE@EX").text
    assert f'href="/manage/learners/{people.learner.id}"' in page
    none = people.manager_browser.get("/manage/learners?q=zzz").text
    assert "No learner’s name or email address contains “zzz”" in none
