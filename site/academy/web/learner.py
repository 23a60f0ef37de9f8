"""The learner's pages: dashboard, modules, quizzes, certificate, progress API."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from academy.domain.curriculum import Option, Question, QuestionKind, Quiz
from academy.domain.errors import Invalid, NotFound
from academy.domain.grading import option_order
from academy.domain.progress import Progress
from academy.domain.records import Attempt, User
from academy.services.academy import Academy
from academy.services.learning import QuizState
from academy.web.forms import read_text_form, text, texts
from academy.web.rendering import framed_page, page, redirect
from academy.web.security import academy_of, require_user


@dataclass(frozen=True)
class QuestionView:
    """One question as shown: options in this attempt's order, earlier answers."""

    number: int
    question: Question
    options: tuple[Option, ...]
    chosen: tuple[str, ...]
    mark: float | None
    reply_open: bool
    reply: Any

    @property
    def field(self) -> str:
        return f"q.{self.question.id}"


def _question_views(
    state: QuizState,
    user: User,
    attempt_number: int,
    chosen: dict[str, tuple[str, ...]],
    marks: dict[str, float] | None = None,
) -> list[QuestionView]:
    views = []
    for number, question in enumerate(state.quiz.questions, start=1):
        options = option_order(state.quiz, question, user.id, attempt_number)
        views.append(
            QuestionView(
                number=number,
                question=question,
                options=options,
                chosen=chosen.get(question.id, ()),
                mark=None if marks is None else marks.get(question.id),
                reply_open=state.reply_open(question.id),
                reply=state.replies.get(f"{state.quiz.slug}/{question.id}"),
            )
        )
    return views


def progress_json(progress: Progress) -> dict[str, Any]:
    """The learner's progress as plain JSON (also the shape of the export)."""
    return {
        "complete": progress.complete,
        "completed_at": progress.completed_at.isoformat()
        if progress.completed_at
        else None,
        "percent": progress.percent,
        "items_done": progress.items_done,
        "items_total": progress.items_total,
        "day": progress.day,
        "due_at": progress.due_at.isoformat(),
        "missing": list(progress.missing),
        "modules": [
            {
                "slug": m.module.slug,
                "title": m.module.title,
                "day": m.module.day,
                "opens_at": m.opens_at.isoformat(),
                "open": m.is_open,
                "completed": m.completed,
                "completed_at": m.completed_at.isoformat() if m.completed_at else None,
                "late": m.late,
            }
            for m in progress.modules
        ],
        "quizzes": [
            {
                "slug": q.slug,
                "title": q.title,
                "attempts": q.attempts_used,
                "max_attempts": q.max_attempts,
                "best_percent": q.best_percent,
                "pass_percent": q.pass_percent,
                "passed": q.passed,
                "passed_late": q.passed_late,
            }
            for q in progress.quizzes
        ],
        "practice_replies": [
            {"quiz": r.quiz_slug, "question": r.question_id, "state": r.state}
            for r in progress.replies
        ],
    }


async def dashboard(request: Request) -> Response:
    """The 14 days, progress, and the next thing to do."""
    user = await require_user(request)
    academy = academy_of(request)
    progress = await run_in_threadpool(academy.learning.progress, user)
    decision = await run_in_threadpool(academy.eligibility.decision, user.email)
    certificate = await run_in_threadpool(academy.certificates.current_of, user.id)
    schedule = academy.ctx.schedule(user)
    days = []
    for number, day in enumerate(schedule.calendar(), start=1):
        modules = [m for m in progress.modules if m.module.day == number]
        days.append({"number": number, "date": day, "modules": modules})
    return page(
        request,
        "dashboard.html",
        {
            "progress": progress,
            "days": days,
            "decision": decision,
            "certificate": certificate,
            "schedule": schedule,
            # due_at is the midnight that ends the last day; show that day.
            "due_day": progress.due_at - timedelta(seconds=1),
            "now": academy.ctx.now(),
            "status": progress.status(academy.ctx.now(), certificate is not None),
        },
    )


async def module_page(request: Request) -> Response:
    """A module's text, its objectives, and the way on."""
    user = await require_user(request)
    academy = academy_of(request)
    slug = request.path_params["slug"]
    # In-memory lookups only: no file to read, so no thread to wait for.
    module, schedule, completed = academy.learning.module(user, slug)
    is_open = schedule.is_open(module.day, academy.ctx.now())

    def context() -> dict[str, Any]:
        curriculum = academy.ctx.content.curriculum
        before, after = curriculum.neighbours(slug)
        return {
            "module": module,
            "completed": completed,
            "is_open": is_open,
            "opens_at": schedule.opens_at(module.day),
            "before": before,
            "after": after,
            "quiz": curriculum.quizzes.get(module.quiz_slug or ""),
        }

    if not is_open:
        # Names the learner's own opening time: not the same for everyone.
        return page(request, "module.html", context())
    # Everything else follows from the module and whether it was completed,
    # so the context is built only when that frame is first rendered.
    return framed_page(request, "module.html", (slug, completed), context)


async def complete_module(request: Request) -> Response:
    """Mark a module complete, then go to its quiz or the next module."""
    user = await require_user(request)
    await read_text_form(request)
    academy = academy_of(request)
    slug = request.path_params["slug"]
    await run_in_threadpool(academy.learning.complete_module, user, slug)
    module = academy.ctx.content.curriculum.module(slug)
    assert module is not None
    target = f"/quizzes/{module.quiz_slug}" if module.quiz_slug else "/dashboard"
    return redirect(request, target, "module-complete")


def _answers(form: FormData, quiz: Quiz) -> dict[str, list[str]]:
    return {q.id: texts(form, f"q.{q.id}") for q in quiz.questions}


def _blank(state: QuizState, answers: dict[str, list[str]]) -> list[Question]:
    blank = []
    for question in state.quiz.questions:
        if question.kind is QuestionKind.PRACTICE_REPLY and not state.reply_open(
            question.id
        ):
            continue
        if not any(v.strip() for v in answers.get(question.id, [])):
            blank.append(question)
    return blank


def _numbered(quiz: Quiz, errors: dict[str, str]) -> dict[str, str]:
    """Each question's message starting "Question 2", so it names its question.

    The same text is the summary's link and the message inside the fieldset,
    and a screen reader user meets either one on its own.
    """
    numbers = {f"q.{q.id}": n for n, q in enumerate(quiz.questions, start=1)}
    named = {}
    for key, message in errors.items():
        number = numbers.get(key)
        if number is None or message.startswith("Question"):
            named[key] = message
        elif message.startswith("is "):
            named[key] = f"Question {number} {message}"
        else:
            named[key] = f"Question {number}: {message}"
    return named


@dataclass(frozen=True)
class QuizForm:
    """The quiz page after a GET or a refused POST, or the attempt a POST made."""

    state: QuizState
    attempt_number: int | None = None
    chosen: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    blank: tuple[Question, ...] = ()


def _take_quiz(
    academy: Academy,
    user: User,
    slug: str,
    answers: dict[str, list[str]] | None,
    confirmed: bool,
) -> QuizForm:
    """Read the quiz state and, for a POST, check and submit: one worker hop."""
    state = academy.learning.quiz_state(user, slug)
    if answers is None:
        return QuizForm(state)
    chosen = {k: tuple(v) for k, v in answers.items()}
    blank = _blank(state, answers)
    if blank and not confirmed:
        error = (
            f"You left {len(blank)} question(s) blank. Blank questions count as "
            "wrong. Answer them, or submit anyway."
        )
        errors = {f"q.{q.id}": "is blank." for q in blank}
        return QuizForm(
            state,
            chosen=chosen,
            error=error,
            errors=_numbered(state.quiz, errors),
            blank=tuple(blank),
        )
    try:
        result = academy.learning.submit_attempt(user, slug, answers)
    except Invalid as problem:
        return QuizForm(
            state,
            chosen=chosen,
            error=problem.message,
            errors=_numbered(state.quiz, problem.fields),
        )
    return QuizForm(result.state, attempt_number=result.attempt.number)


async def quiz_page(request: Request) -> Response:
    """A quiz: take it (GET shows, POST submits), or see where you stand."""
    user = await require_user(request)
    academy = academy_of(request)
    slug = request.path_params["slug"]
    answers, confirmed = None, False
    if request.method == "POST":
        quiz = academy.ctx.content.curriculum.quizzes.get(slug)
        if quiz is None:
            raise NotFound(f"There is no quiz called “{slug}”.")
        form = await read_text_form(request)
        answers = _answers(form, quiz)
        confirmed = form.get("confirm_blank") == "yes"
    outcome = await run_in_threadpool(
        _take_quiz, academy, user, slug, answers, confirmed
    )
    if outcome.attempt_number is not None:
        return redirect(request, f"/quizzes/{slug}/attempts/{outcome.attempt_number}")
    state = outcome.state
    views = _question_views(state, user, state.next_number, outcome.chosen)
    return page(
        request,
        "quiz.html",
        {
            "state": state,
            "questions": views,
            "error": outcome.error,
            "errors": outcome.errors,
            "blank": list(outcome.blank),
            "opens_at": state.schedule.opens_at(state.module.day),
        },
        status=422 if outcome.error else 200,
    )


async def attempt_page(request: Request) -> Response:
    """One submitted attempt: the score, and the review the policy allows."""
    user = await require_user(request)
    academy = academy_of(request)
    slug = request.path_params["slug"]
    number = request.path_params["number"]
    state = await run_in_threadpool(academy.learning.quiz_state, user, slug)
    attempt: Attempt | None = next(
        (a for a in state.attempts if a.number == number), None
    )
    if attempt is None:
        raise NotFound("You have no attempt with that number at this quiz.")
    views = _question_views(state, user, attempt.number, attempt.answers, attempt.marks)
    return page(
        request,
        "attempt.html",
        {
            "state": state,
            "attempt": attempt,
            "questions": views,
            "review": state.may_review,
            "graded_count": len(state.quiz.graded_questions),
            "correct": sum(1 for m in attempt.marks.values() if m >= 1),
        },
    )


async def send_reply(request: Request) -> Response:
    """Send or revise a practice reply outside a quiz attempt."""
    user = await require_user(request)
    form = await read_text_form(request)
    academy = academy_of(request)
    slug = request.path_params["slug"]
    question_id = request.path_params["question_id"]
    reply = text(form, f"q.{question_id}")
    try:
        await run_in_threadpool(
            academy.learning.submit_reply, user, slug, question_id, reply
        )
    except Invalid as problem:
        state = await run_in_threadpool(academy.learning.quiz_state, user, slug)
        views = _question_views(state, user, state.next_number, {question_id: (reply,)})
        return page(
            request,
            "quiz.html",
            {
                "state": state,
                "questions": views,
                "error": problem.message,
                "errors": problem.fields,
                "blank": [],
                "opens_at": state.schedule.opens_at(state.module.day),
            },
            status=422,
        )
    return redirect(request, f"/quizzes/{slug}#reply-{question_id}", "reply-sent")


async def certificate_page(request: Request) -> Response:
    """The learner's own certificate, with downloads and LinkedIn buttons."""
    user = await require_user(request)
    academy = academy_of(request)
    certificate = await run_in_threadpool(academy.certificates.current_of, user.id)
    progress = await run_in_threadpool(academy.learning.progress, user)
    decision = await run_in_threadpool(academy.eligibility.decision, user.email)
    from academy.web.public import certificate_links

    return page(
        request,
        "certificate.html",
        {
            "certificate": certificate,
            "progress": progress,
            "decision": decision,
            "links": certificate_links(academy, certificate) if certificate else None,
            "status": certificate.status(academy.ctx.now()) if certificate else None,
        },
    )


async def my_progress(request: Request) -> Response:
    """GET /api/me/progress: the dashboard's facts as JSON."""
    user = await require_user(request)
    academy = academy_of(request)
    progress = await run_in_threadpool(academy.learning.progress, user)
    decision = await run_in_threadpool(academy.eligibility.decision, user.email)
    certificate = await run_in_threadpool(academy.certificates.current_of, user.id)
    body = progress_json(progress)
    body["eligibility"] = {
        "eligible": decision.eligible,
        "reasons": list(decision.reasons),
    }
    body["certificate"] = (
        {
            "id": certificate.id,
            "status": certificate.status(academy.ctx.now()).value,
            "url": academy.urls.verify(certificate.id),
        }
        if certificate
        else None
    )
    return JSONResponse(body)


routes = [
    Route("/dashboard", dashboard),
    Route("/modules/{slug}", module_page),
    Route("/modules/{slug}/complete", complete_module, methods=["POST"]),
    Route("/quizzes/{slug}", quiz_page, methods=["GET", "POST"]),
    Route("/quizzes/{slug}/attempts/{number:int}", attempt_page),
    Route("/quizzes/{slug}/replies/{question_id}", send_reply, methods=["POST"]),
    Route("/certificate", certificate_page),
    Route("/api/me/progress", my_progress),
]
