"""Eligibility: the records, their CSV import, and the course platform's tokens."""

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import AcademyError, Conflict, Invalid
from academy.web.forms import read_text_form
from academy.web.forms import text as _text
from academy.web.manage.console import _manage, _param, _render, _values
from academy.web.rendering import redirect
from academy.web.security import academy_of, read_form, require_manager


async def _eligibility_page(
    request: Request,
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    academy = academy_of(request)
    params = dict(request.query_params)
    listing = await run_in_threadpool(academy.manage.eligibility_list, params)
    tokens = await run_in_threadpool(academy.tokens.all)
    context = {
        "listing": listing,
        "q": params.get("q", ""),
        "tokens": tokens,
        "thresholds": academy.ctx.content.program.thresholds,
        "report": None,
        "secret": None,
        **extra,
    }
    response = _render(
        request, "manage/eligibility.html", context, problem, scope, values
    )
    if extra.get("secret"):
        response.headers["Cache-Control"] = "no-store"
    return response


async def eligibility(request: Request) -> Response:
    """Eligibility records, the CSV import, and the API tokens."""
    await require_manager(request)
    return await _eligibility_page(request)


async def import_eligibility(request: Request) -> Response:
    """Import a CSV of course records; nothing changes if any row is bad."""
    manager = await require_manager(request)
    try:
        form = await read_form(request)
    except AcademyError:
        # A refused form was parsed before the refusal: close its upload now.
        await (await request.form()).close()
        raise
    upload = form.get("file")
    data, filename = b"", ""
    try:
        if isinstance(upload, UploadFile):
            data, filename = await upload.read(), upload.filename or ""
    finally:
        await form.close()  # every uploaded part, not only the one read
    dry_run = form.get("dry_run") == "yes"
    try:
        report = await run_in_threadpool(
            _manage(request).import_eligibility, data, filename, manager.id, dry_run
        )
    except Invalid as error:
        return await _eligibility_page(request, error, "import")
    response = await _eligibility_page(request, report=report, filename=filename)
    if not report.ok:
        response.status_code = 422
    return response


async def create_token(request: Request) -> Response:
    """Create an API token; its secret is shown on this response only."""
    manager = await require_manager(request)
    form = await read_text_form(request)
    try:
        token, secret = await run_in_threadpool(
            academy_of(request).tokens.create, _text(form, "name"), manager.id
        )
    except Invalid as error:
        return await _eligibility_page(request, error, "token", _values(form, "token"))
    return await _eligibility_page(request, secret=secret, new_token=token)


async def revoke_token(request: Request) -> Response:
    """Stop an API token working."""
    manager = await require_manager(request)
    await read_text_form(request)
    try:
        await run_in_threadpool(
            academy_of(request).tokens.revoke, _param(request, "token_id"), manager.id
        )
    except Conflict as error:
        # Another manager was quicker: say so on the page, with the tokens.
        response = await _eligibility_page(request, Invalid(error.message), "token")
        response.status_code = 409
        return response
    return redirect(request, "/manage/eligibility#tokens", "token-revoked")


routes = [
    Route("/manage/eligibility", eligibility),
    Route("/manage/eligibility/import", import_eligibility, methods=["POST"]),
    Route("/manage/eligibility/tokens", create_token, methods=["POST"]),
    Route(
        "/manage/eligibility/tokens/{token_id}/revoke", revoke_token, methods=["POST"]
    ),
]
