"""Finding a learner, their record, and the changes a manager makes to it."""

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import Invalid
from academy.web.forms import read_text_form
from academy.web.forms import text as _text
from academy.web.manage.console import T, _manage, _param, _render, _values
from academy.web.rendering import redirect
from academy.web.security import require_manager


async def learners(request: Request) -> Response:
    """Find a learner in any cohort by name or email."""
    await require_manager(request)
    manage = _manage(request)
    params = dict(request.query_params)
    found = await run_in_threadpool(manage.find_learners, params)
    cohorts = {
        c.cohort.id: c.cohort.name for c in await run_in_threadpool(manage.cohort_rows)
    }
    context = {"found": found, "q": params.get("q", ""), "cohorts": cohorts}
    return _render(request, "manage/learners.html", context)


async def _learner_page(
    request: Request,
    user_id: str,
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    manage = _manage(request)
    record = await run_in_threadpool(manage.learner, user_id)
    context = {"r": record, "last_seen": manage.learners.last_seen(record.user)}
    return _render(request, "manage/learner.html", context, problem, scope, values)


async def learner(request: Request) -> Response:
    """A learner's record: schedule, attempts, replies, eligibility, certificate."""
    await require_manager(request)
    return await _learner_page(request, _param(request, "user_id"))


async def _learner_action(
    request: Request, form: FormData, scope: str, notice: str, action: Callable[[], T]
) -> Response:
    """Run an action on the learner's record; on Invalid, show the record again."""
    user_id = _param(request, "user_id")
    try:
        await run_in_threadpool(action)
    except Invalid as error:
        return await _learner_page(request, user_id, error, scope, _values(form, scope))
    return redirect(request, f"/manage/learners/{user_id}", notice)


async def extension(request: Request) -> Response:
    """Give a learner 1 to 60 extra days, with a reason."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    user_id = _param(request, "user_id")
    return await _learner_action(
        request,
        form,
        "extension",
        "extended",
        lambda: _manage(request).grant_extension(
            user_id, _text(form, "days"), _text(form, "reason"), manager.id
        ),
    )


async def reset_attempt(request: Request) -> Response:
    """Remove a learner's latest attempt at a quiz so they can try again."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    user_id, attempt_id = _param(request, "user_id"), _param(request, "attempt_id")
    return await _learner_action(
        request,
        form,
        f"reset-{attempt_id}",
        "reset",
        lambda: _manage(request).reset_attempt(
            user_id, attempt_id, _text(form, "reason"), manager.id
        ),
    )


async def move(request: Request) -> Response:
    """Move a learner onto a dated cohort's schedule."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    user_id = _param(request, "user_id")
    return await _learner_action(
        request,
        form,
        "move",
        "moved",
        lambda: _manage(request).move_to_cohort(
            user_id, _text(form, "cohort_id"), manager.id, _text(form, "reason")
        ),
    )


async def override(request: Request) -> Response:
    """Decide a learner's eligibility by hand, or clear that decision."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    user_id = _param(request, "user_id")
    return await _learner_action(
        request,
        form,
        "override",
        "override-saved",
        lambda: _manage(request).override(
            user_id, _text(form, "decision"), _text(form, "reason"), manager.id
        ),
    )


routes = [
    Route("/manage/learners", learners),
    Route("/manage/learners/{user_id}", learner),
    Route("/manage/learners/{user_id}/extension", extension, methods=["POST"]),
    Route(
        "/manage/learners/{user_id}/attempts/{attempt_id}/reset",
        reset_attempt,
        methods=["POST"],
    ),
    Route("/manage/learners/{user_id}/cohort", move, methods=["POST"]),
    Route("/manage/learners/{user_id}/eligibility", override, methods=["POST"]),
]
