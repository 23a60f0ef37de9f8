"""The certificates: the list, issuing what is due, revoking and reissuing."""

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import Invalid
from academy.web.forms import read_text_form
from academy.web.forms import text as _text
from academy.web.manage.console import (
    T,
    _local_next,
    _manage,
    _param,
    _render,
    _values,
)
from academy.web.manage.learners import _learner_page
from academy.web.rendering import redirect
from academy.web.security import academy_of, require_manager


async def _certificates_page(
    request: Request,
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    manage = _manage(request)
    params = dict(request.query_params)
    listing = await run_in_threadpool(manage.certificate_list, params)
    due = await run_in_threadpool(manage.certificates_due)
    context = {"listing": listing, "due": due, "q": params.get("q", "")}
    return _render(request, "manage/certificates.html", context, problem, scope, values)


async def certificates(request: Request) -> Response:
    """Every certificate, and the learners whose certificate is due now."""
    await require_manager(request)
    return await _certificates_page(request)


async def issue(request: Request) -> Response:
    """Issue the certificate of one learner who is due, or of everyone due."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    user_id = _text(form, "user_id")
    targets = [user_id] if user_id else None
    await run_in_threadpool(_manage(request).issue, targets, manager.id)
    target = _local_next(form, "/manage/certificates")
    return redirect(request, target, "issued" if user_id else "issued-all")


async def _certificate_action(
    request: Request, form: FormData, scope: str, notice: str, action: Callable[[], T]
) -> Response:
    """Run a revoke or reissue; on Invalid show the page the form was on again."""
    try:
        await run_in_threadpool(action)
    except Invalid as error:
        values = _values(form, scope)
        target = _local_next(form, "/manage/certificates")
        if target.startswith("/manage/learners/"):
            user_id = target.removeprefix("/manage/learners/")
            return await _learner_page(request, user_id, error, scope, values)
        return await _certificates_page(request, error, scope, values)
    return redirect(request, _local_next(form, "/manage/certificates"), notice)


async def revoke(request: Request) -> Response:
    """Revoke a certificate, with the reason shown on its verification page."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    cert_id = _param(request, "cert_id")
    return await _certificate_action(
        request,
        form,
        f"revoke-{cert_id}",
        "revoked",
        lambda: academy_of(request).certificates.revoke(
            cert_id, _text(form, "reason"), manager.id
        ),
    )


async def reissue(request: Request) -> Response:
    """Replace a certificate with a new one, optionally under a corrected name."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    cert_id = _param(request, "cert_id")
    name = _text(form, "name").strip() or None
    return await _certificate_action(
        request,
        form,
        f"reissue-{cert_id}",
        "reissued",
        lambda: academy_of(request).certificates.reissue(
            cert_id, _text(form, "reason"), manager.id, name
        ),
    )


routes = [
    Route("/manage/certificates", certificates),
    Route("/manage/certificates/issue", issue, methods=["POST"]),
    Route("/manage/certificates/{cert_id}/revoke", revoke, methods=["POST"]),
    Route("/manage/certificates/{cert_id}/reissue", reissue, methods=["POST"]),
]
