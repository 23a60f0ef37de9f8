"""The CSV reports and the audit log, on the page and as downloads."""

from collections.abc import AsyncIterator

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from academy.domain.errors import NotFound
from academy.services.listing import AuditFilter
from academy.services.reports import (
    AUDIT_COLUMNS,
    COLUMNS,
    QUIZ_COLUMN,
    export_chunks,
)
from academy.web.manage.console import _manage, _param, _render
from academy.web.security import academy_of, require_manager


def _csv(request: Request, content: str | AsyncIterator[str], name: str) -> Response:
    """A CSV download: whole text, or pieces streamed as they are made."""
    stamp = academy_of(request).ctx.now().date().isoformat()
    kind = Response if isinstance(content, str) else StreamingResponse
    return kind(
        content,
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
    """Download one report as CSV, streamed; the download is audited as it starts.

    The rows are read in a worker thread, piece by piece, so a report over
    thousands of learners neither blocks the event loop nor sits in memory.
    """
    manager = await require_manager(request)
    kind = _param(request, "kind")
    if kind not in COLUMNS:
        raise NotFound(f"There is no report called “{kind}”.")
    academy = academy_of(request)
    chunks = export_chunks(academy, kind)
    await run_in_threadpool(academy.ctx.audit, manager.id, "report.export", kind)
    return _csv(request, iterate_in_threadpool(chunks), kind)


async def audit(request: Request) -> Response:
    """The audit log, newest first, filtered by action, actor or subject."""
    await require_manager(request)
    chosen = AuditFilter.parse(dict(request.query_params))
    log = await run_in_threadpool(_manage(request).audit_page, chosen)
    return _render(request, "manage/audit.html", {"f": chosen, "log": log})


async def audit_export(request: Request) -> Response:
    """The audit log as CSV, with the filters shown on the page; audited too."""
    manager = await require_manager(request)
    chosen = AuditFilter.parse(dict(request.query_params))
    text = await run_in_threadpool(_manage(request).audit_log.audit_export, chosen)
    await run_in_threadpool(
        academy_of(request).ctx.audit, manager.id, "report.export", "audit"
    )
    return _csv(request, text, "audit")


routes = [
    Route("/manage/reports", reports),
    Route("/manage/reports/{kind}.csv", report_csv),
    Route("/manage/audit", audit),
    Route("/manage/audit.csv", audit_export),
]
