"""The console's home page, the cohorts, and enrolment into a cohort."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import Invalid
from academy.services.listing import SORTS
from academy.web.forms import read_text_form
from academy.web.forms import text as _text
from academy.web.manage.console import _manage, _param, _render, _values
from academy.web.rendering import redirect
from academy.web.security import academy_of, require_manager


async def home(request: Request) -> Response:
    """Cohorts at a glance, the review queue and the certificates due."""
    await require_manager(request)
    home = await run_in_threadpool(_manage(request).home)
    return _render(request, "manage/home.html", {"home": home})


async def cohorts(request: Request) -> Response:
    """Every cohort with its counts; POST creates a dated cohort."""
    manager = await require_manager(request)
    manage = _manage(request)
    problem, values = None, {}
    if request.method == "POST":
        form = await read_text_form(request)
        try:
            cohort = await run_in_threadpool(
                manage.create_cohort,
                _text(form, "name"),
                _text(form, "start_date"),
                _text(form, "timezone"),
                manager.id,
            )
        except Invalid as error:
            problem, values = error, _values(form, "cohort")
        else:
            return redirect(request, f"/manage/cohorts/{cohort.id}", "cohort-created")
    rows = await run_in_threadpool(manage.cohort_rows)
    context = {
        "rows": rows,
        "default_timezone": academy_of(request).settings.timezone,
        "today": academy_of(request).ctx.now().date(),
    }
    return _render(request, "manage/cohorts.html", context, problem, "cohort", values)


async def _cohort_page(
    request: Request,
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    manage = _manage(request)
    cohort_id = _param(request, "cohort_id")
    overview = await run_in_threadpool(
        manage.overview, cohort_id, dict(request.query_params)
    )
    curriculum = academy_of(request).ctx.content.curriculum
    context = {
        "o": overview,
        "sorts": {key: label for key, (label, _, _) in SORTS.items()},
        "totals": {
            "modules": len(curriculum.modules),
            "quizzes": len(curriculum.quizzes),
            "replies": curriculum.practice_count,
        },
    }
    return _render(request, "manage/cohort.html", context, problem, scope, values)


async def cohort(request: Request) -> Response:
    """A cohort's overview: each learner's progress, filtered and sorted; charts."""
    await require_manager(request)
    return await _cohort_page(request)


async def enrol(request: Request) -> Response:
    """Move the account with an email address into this cohort."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    cohort_id = _param(request, "cohort_id")
    try:
        await run_in_threadpool(
            _manage(request).enrol, cohort_id, _text(form, "email"), manager.id
        )
    except Invalid as error:
        return await _cohort_page(request, error, "enrol", _values(form, "enrol"))
    return redirect(request, f"/manage/cohorts/{cohort_id}", "enrolled")


async def enrol_course(request: Request) -> Response:
    """Move everyone with an eligibility record of one course into this cohort."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    cohort_id = _param(request, "cohort_id")
    try:
        await run_in_threadpool(
            _manage(request).enrol_course,
            cohort_id,
            _text(form, "course_id"),
            manager.id,
        )
    except Invalid as error:
        return await _cohort_page(request, error, "course", _values(form, "course"))
    return redirect(request, f"/manage/cohorts/{cohort_id}", "enrolled-course")


routes = [
    Route("/manage", home),
    Route("/manage/cohorts", cohorts, methods=["GET", "POST"]),
    Route("/manage/cohorts/{cohort_id}", cohort),
    Route("/manage/cohorts/{cohort_id}/enrol", enrol, methods=["POST"]),
    Route("/manage/cohorts/{cohort_id}/enrol-course", enrol_course, methods=["POST"]),
]
