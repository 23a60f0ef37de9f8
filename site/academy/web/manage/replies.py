"""The review queue of practice replies, and the manager's verdict on one."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import Invalid
from academy.services.listing import page_number
from academy.web.forms import read_text_form
from academy.web.forms import text as _text
from academy.web.manage.console import _manage, _render, _values
from academy.web.rendering import redirect
from academy.web.security import require_manager


async def _replies_page(
    request: Request,
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    number = page_number(request.query_params.get("page"))
    queue = await run_in_threadpool(_manage(request).review_queue, number)
    return _render(
        request, "manage/replies.html", {"queue": queue}, problem, scope, values
    )


async def replies(request: Request) -> Response:
    """Practice replies waiting for review, oldest first."""
    await require_manager(request)
    return await _replies_page(request)


async def review(request: Request) -> Response:
    """Approve a reply, or return it with a comment the learner will read."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    decision = _text(form, "decision")
    user_id, key = _text(form, "user_id"), _text(form, "key")
    try:
        if decision not in ("approve", "return"):
            raise Invalid(
                "The review was not saved.", {"decision": "Choose Approve or Return."}
            )
        await run_in_threadpool(
            _manage(request).review,
            user_id,
            key,
            _text(form, "version"),
            decision == "approve",
            _text(form, "comment"),
            manager.id,
        )
    except Invalid as error:
        scope = _text(form, "anchor")
        return await _replies_page(request, error, scope, _values(form, scope))
    return redirect(
        request, "/manage/replies", "approved" if decision == "approve" else "returned"
    )


routes = [
    Route("/manage/replies", replies),
    Route("/manage/replies/review", review, methods=["POST"]),
]
