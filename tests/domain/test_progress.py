from datetime import UTC, date, datetime, timedelta

import pytest

from academy.domain.curriculum import (
    Curriculum,
    Module,
    Option,
    Question,
    QuestionKind,
    Quiz,
    ReviewPolicy,
)
from academy.domain.progress import (
    Status,
    all_modules_read,
    compute_progress,
    judge_status,
)
from academy.domain.records import (
    Attempt,
    ModuleCompletion,
    PracticeReply,
    ReplyState,
    ReplyVersion,
)
from academy.domain.schedule import Schedule

START = datetime(2026, 3, 2, tzinfo=UTC)
SCHEDULE = Schedule(date(2026, 3, 2), "UTC")
GRADED = Question(
    "g",
    QuestionKind.SINGLE,
    "p",
    options=(Option("a", "A", True), Option("b", "B", False)),
)
REPLY = Question("r", QuestionKind.PRACTICE_REPLY, "p")
QUIZ = Quiz("q1", "Quiz one", 80, 3, True, ReviewPolicy.AFTER_SUBMIT, (GRADED, REPLY))
CURRICULUM = Curriculum(
    modules=(
        Module("m1", "One", 1, 10, "", ("x",), "<p>1</p>", 900, "q1"),
        Module("m2", "Two", 3, 10, "", ("x",), "<p>2</p>", 900),
    ),
    quizzes={"q1": QUIZ},
)


def attempt(n: int, passed: bool, at: datetime) -> Attempt:
    return Attempt(
        f"a{n}",
        "u",
        "q1",
        n,
        at,
        {},
        {"g": float(passed)},
        100.0 if passed else 0.0,
        passed,
        SCHEDULE.is_late(at),
    )


def reply(state: ReplyState, at: datetime) -> dict[str, PracticeReply]:
    version = ReplyVersion(
        "text", at, False, state, "m", at if state is not ReplyState.PENDING else None
    )
    return {"q1/r": PracticeReply("u", "q1", "r", (version,))}


def test_progress_new_learner_has_nothing_done() -> None:
    progress = compute_progress(CURRICULUM, SCHEDULE, {}, [], {}, START)
    assert progress.items_total == 4 and progress.items_done == 0
    assert not progress.complete
    assert progress.next_step is not None and progress.next_step.url == "/modules/m1"
    assert progress.status(START, certified=False) is Status.ON_TRACK


@pytest.mark.parametrize(
    ("read", "expected"),
    [((), False), (("m1",), False), (("m2",), False), (("m1", "m2"), True)],
)
def test_all_modules_read_is_a_condition_of_complete(
    read: tuple[str, ...], expected: bool
) -> None:
    t = START + timedelta(days=3)
    completions = {s: ModuleCompletion(s, t, False) for s in read}
    assert all_modules_read(CURRICULUM, completions) is expected
    progress = compute_progress(
        CURRICULUM,
        SCHEDULE,
        completions,
        [attempt(1, True, t)],
        reply(ReplyState.APPROVED, t),
        t,
    )
    # Everything else is done, so complete follows the modules alone.
    assert progress.complete is expected


def test_progress_complete_needs_module_quiz_and_approved_reply() -> None:
    t = START + timedelta(days=3)
    completions = {s: ModuleCompletion(s, t, False) for s in ("m1", "m2")}
    attempts = [attempt(1, False, t), attempt(2, True, t + timedelta(hours=1))]
    pending = compute_progress(
        CURRICULUM, SCHEDULE, completions, attempts, reply(ReplyState.PENDING, t), t
    )
    assert not pending.complete
    assert any("Wait for a community manager" in line for line in pending.missing)

    approved_at = t + timedelta(days=1)
    done = compute_progress(
        CURRICULUM,
        SCHEDULE,
        completions,
        attempts,
        reply(ReplyState.APPROVED, approved_at),
        approved_at,
    )
    assert done.complete and done.completed_at == approved_at
    assert done.percent == 100 and done.missing == ()


def test_progress_returned_reply_is_next_step() -> None:
    t = START + timedelta(hours=5)
    completions = {"m1": ModuleCompletion("m1", t, False)}
    progress = compute_progress(
        CURRICULUM,
        SCHEDULE,
        completions,
        [attempt(1, True, t)],
        reply(ReplyState.RETURNED, t),
        t,
    )
    assert progress.next_step is not None and "Revise" in progress.next_step.label


def test_progress_behind_when_yesterdays_module_is_undone() -> None:
    day_two = START + timedelta(days=1, hours=1)
    progress = compute_progress(CURRICULUM, SCHEDULE, {}, [], {}, day_two)
    assert progress.status(day_two, certified=False) is Status.BEHIND


def test_progress_late_after_due_date_and_late_work_counts() -> None:
    late = SCHEDULE.due_at + timedelta(days=2)
    completions = {"m1": ModuleCompletion("m1", late, True)}
    progress = compute_progress(
        CURRICULUM, SCHEDULE, completions, [attempt(1, True, late)], {}, late
    )
    assert progress.status(late, certified=False) is Status.LATE
    assert progress.modules[0].late and progress.quizzes[0].passed_late
    assert progress.items_done == 2


def test_progress_quiz_best_score_and_attempts_left() -> None:
    t = START + timedelta(hours=2)
    progress = compute_progress(
        CURRICULUM, SCHEDULE, {}, [attempt(1, False, t), attempt(2, False, t)], {}, t
    )
    quiz = progress.quizzes[0]
    assert (
        quiz.attempts_used == 2 and quiz.attempts_left == 1 and quiz.best_percent == 0.0
    )
    assert not quiz.failed_out


# The status rule, worked by hand on CURRICULUM: m1 opens on day 1 (2 March)
# with quiz q1 and its practice reply r; m2 opens on day 3 (4 March) and has no
# quiz. The training is due at the end of day 14, 16 March 00:00 UTC.
DAY_2 = START + timedelta(days=1, hours=9)  # m1 opened more than a day ago
DAY_3 = START + timedelta(days=2, hours=9)  # m2 open since this morning
PAST_DUE = SCHEDULE.due_at + timedelta(days=1)


def _status_case(
    now: datetime, state: ReplyState | None, read_m2: bool
) -> tuple[Status, int]:
    """Status and steps done for a learner who read m1 and passed q1 on day 1."""
    t = START + timedelta(hours=10)
    completions = {"m1": ModuleCompletion("m1", t, False)}
    if read_m2:
        completions["m2"] = ModuleCompletion("m2", DAY_3, False)
    replies = reply(state, t + timedelta(hours=1)) if state else {}
    progress = compute_progress(
        CURRICULUM, SCHEDULE, completions, [attempt(1, True, t)], replies, now
    )
    return progress.status(now, certified=False), progress.items_done


@pytest.mark.parametrize(
    ("now", "state", "read_m2", "expected", "steps"),
    [
        # Day 2, reply waiting: m1 is the learner's work done, m2 not yet open.
        pytest.param(
            DAY_2, ReplyState.PENDING, False, Status.ON_TRACK, 2, id="on-time"
        ),
        # Day 2, no reply sent: m1 opened yesterday and is unfinished.
        pytest.param(DAY_2, None, False, Status.BEHIND, 2, id="reply-unsent"),
        # A returned reply is the learner's to answer again.
        pytest.param(
            DAY_2, ReplyState.RETURNED, False, Status.BEHIND, 2, id="returned"
        ),
        # Day 3, m2 opened today: not behind until tomorrow.
        pytest.param(DAY_3, ReplyState.PENDING, False, Status.ON_TRACK, 2, id="today"),
        # Past due, everything sent, the reply still waits: the backlog is ours.
        pytest.param(
            PAST_DUE, ReplyState.PENDING, True, Status.ON_TRACK, 3, id="waiting"
        ),
        # Past due with m2 unread: late, whatever the reply's state.
        pytest.param(PAST_DUE, ReplyState.PENDING, False, Status.LATE, 2, id="late"),
        pytest.param(
            PAST_DUE, ReplyState.RETURNED, True, Status.LATE, 3, id="late-ret"
        ),
        # All four steps done, the reply approved: complete, even past due.
        pytest.param(
            PAST_DUE, ReplyState.APPROVED, True, Status.COMPLETE, 4, id="approved"
        ),
    ],
)
def test_progress_status_counts_a_waiting_reply_as_the_learners_part_done(
    now: datetime,
    state: ReplyState | None,
    read_m2: bool,
    expected: Status,
    steps: int,
) -> None:
    assert _status_case(now, state, read_m2) == (expected, steps)


def test_progress_waiting_reply_is_not_complete_and_keeps_its_times() -> None:
    t = START + timedelta(hours=10)
    completions = {s: ModuleCompletion(s, DAY_3, False) for s in ("m1", "m2")}
    progress = compute_progress(
        CURRICULUM,
        SCHEDULE,
        completions,
        [attempt(1, True, t)],
        reply(ReplyState.PENDING, t),
        PAST_DUE,
    )
    assert not progress.complete and progress.percent == 75
    assert all(m.done for m in progress.modules)
    [waiting] = progress.replies
    assert waiting.submitted_at == t and waiting.approved_at is None
    assert not waiting.late


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (dict(certified=True, complete=True, owes_work=False), Status.CERTIFIED),
        (dict(complete=True, owes_work=False, past_due=True), Status.COMPLETE),
        (dict(owes_work=True, overdue=True, past_due=True), Status.LATE),
        # Replies waiting for review past the due date: nothing is theirs to do.
        (dict(owes_work=False, past_due=True), Status.ON_TRACK),
        (dict(owes_work=True, overdue=True), Status.BEHIND),
        (dict(owes_work=True), Status.ON_TRACK),
    ],
    ids=["certified", "complete", "late", "waiting-past-due", "behind", "on-track"],
)
def test_judge_status_orders_the_facts(
    facts: dict[str, bool], expected: Status
) -> None:
    base = dict(
        certified=False, complete=False, owes_work=False, overdue=False, past_due=False
    )
    assert judge_status(**{**base, **facts}) is expected
