"""The community manager's console: every page under /manage.

Each view checks the role first, reads forms through the CSRF check, and
leaves every rule to academy.services.manage. A form that breaks a rule is
shown again with its errors; other errors become pages in app.py.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import Invalid, NotFound
from academy.domain.itemstats import REVIEW_THRESHOLD_PERCENT
from academy.services.listing import SORTS, STATUS_ORDER, AuditFilter, page_number
from academy.services.manage import Manage
from academy.services.reports import (
    AUDIT_COLUMNS,
    COLUMNS,
    QUIZ_COLUMN,
    audit_csv,
    export,
)
from academy.web.forms import read_text_form
from academy.web.forms import text as _text
from academy.web.rendering import page, redirect
from academy.web.security import CSRF_FIELD, academy_of, read_form, require_manager

T = TypeVar("T")


def _manage(request: Request) -> Manage:
    return academy_of(request).manage


def _param(request: Request, name: str) -> str:
    return str(request.path_params[name])


def _values(form: FormData, scope: str) -> dict[str, str]:
    """What was typed into a form, keyed like its fields' ids, to show it again."""
    return {
        f"{scope}-{k}": v
        for k, v in form.multi_items()
        if isinstance(v, str) and k != CSRF_FIELD
    }


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    """A console page; with `problem`, a 422 whose errors point at the fields."""
    errors = {f"{scope}-{k}": v for k, v in problem.fields.items()} if problem else {}
    context = {
        "error": problem.message if problem else None,
        "errors": errors,
        "failed": scope if problem else "",
        "values": values or {},
        "statuses": STATUS_ORDER,
        **context,
    }
    return page(request, template, context, status=422 if problem else 200)


def _local_next(form: FormData, default: str) -> str:
    """Where to go after an action: console pages only, so no link leads away."""
    target = _text(form, "next")
    if target.startswith("/manage") and "//" not in target and "\\" not in target:
        return target
    return default


# -- home, cohorts, learners ----------------------------------------------------


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
        "sorts": {key: label for key, (label, _) in SORTS.items()},
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


# -- one learner ----------------------------------------------------------------


async def _learner_page(
    request: Request,
    user_id: str,
    problem: Invalid | None = None,
    scope: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    record = await run_in_threadpool(_manage(request).learner, user_id)
    context = {"r": record}
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


# -- quizzes and replies --------------------------------------------------------


async def quizzes(request: Request) -> Response:
    """Every quiz: attempts, pass rate, reliability and questions to review."""
    await require_manager(request)
    reports = await run_in_threadpool(_manage(request).quiz_reports)
    return _render(request, "manage/quizzes.html", {"reports": reports})


async def quiz(request: Request) -> Response:
    """One quiz's statistics over first attempts, question by question."""
    await require_manager(request)
    found = await run_in_threadpool(_manage(request).quiz_page, _param(request, "slug"))
    context = {
        "q": found.report,
        "chart": found.chart,
        "threshold": REVIEW_THRESHOLD_PERCENT,
    }
    return _render(request, "manage/quiz.html", context)


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


# -- certificates ---------------------------------------------------------------


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


# -- eligibility and tokens -----------------------------------------------------


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
    form = await read_form(request)
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
    await run_in_threadpool(
        academy_of(request).tokens.revoke, _param(request, "token_id"), manager.id
    )
    return redirect(request, "/manage/eligibility#tokens", "token-revoked")


# -- reports and the audit log --------------------------------------------------


def _csv(request: Request, text: str, name: str) -> Response:
    stamp = academy_of(request).ctx.now().date().isoformat()
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'},
    )


async def reports(request: Request) -> Response:
    """The CSV reports, each with its columns explained."""
    await require_manager(request)
    context = {
        "columns": COLUMNS,
        "quiz_column": QUIZ_COLUMN,
        "audit_columns": AUDIT_COLUMNS,
    }
    return _render(request, "manage/reports.html", context)


async def report_csv(request: Request) -> Response:
    """Download one report as CSV; the download is audited."""
    manager = await require_manager(request)
    kind = _param(request, "kind")
    if kind not in COLUMNS:
        raise NotFound(f"There is no report called “{kind}”.")
    academy = academy_of(request)
    text = await run_in_threadpool(export, academy, kind)
    await run_in_threadpool(academy.ctx.audit, manager.id, "report.export", kind)
    return _csv(request, text, kind)


async def audit(request: Request) -> Response:
    """The audit log, newest first, filtered by action, actor or subject."""
    await require_manager(request)
    chosen = AuditFilter.parse(dict(request.query_params))
    log = await run_in_threadpool(_manage(request).audit_page, chosen)
    return _render(request, "manage/audit.html", {"f": chosen, "log": log})


async def audit_export(request: Request) -> Response:
    """The audit log as CSV, with the filters shown on the page; audited too."""
    manager = await require_manager(request)
    manage = _manage(request)
    chosen = AuditFilter.parse(dict(request.query_params))
    entries = await run_in_threadpool(manage.audit_entries, chosen)
    text = await run_in_threadpool(audit_csv, entries)
    await run_in_threadpool(
        academy_of(request).ctx.audit, manager.id, "report.export", "audit"
    )
    return _csv(request, text, "audit")


routes = [
    Route("/manage", home),
    Route("/manage/cohorts", cohorts, methods=["GET", "POST"]),
    Route("/manage/cohorts/{cohort_id}", cohort),
    Route("/manage/cohorts/{cohort_id}/enrol", enrol, methods=["POST"]),
    Route("/manage/cohorts/{cohort_id}/enrol-course", enrol_course, methods=["POST"]),
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
    Route("/manage/quizzes", quizzes),
    Route("/manage/quizzes/{slug}", quiz),
    Route("/manage/replies", replies),
    Route("/manage/replies/review", review, methods=["POST"]),
    Route("/manage/certificates", certificates),
    Route("/manage/certificates/issue", issue, methods=["POST"]),
    Route("/manage/certificates/{cert_id}/revoke", revoke, methods=["POST"]),
    Route("/manage/certificates/{cert_id}/reissue", reissue, methods=["POST"]),
    Route("/manage/eligibility", eligibility),
    Route("/manage/eligibility/import", import_eligibility, methods=["POST"]),
    Route("/manage/eligibility/tokens", create_token, methods=["POST"]),
    Route(
        "/manage/eligibility/tokens/{token_id}/revoke", revoke_token, methods=["POST"]
    ),
    Route("/manage/reports", reports),
    Route("/manage/reports/{kind}.csv", report_csv),
    Route("/manage/audit", audit),
    Route("/manage/audit.csv", audit_export),
]
