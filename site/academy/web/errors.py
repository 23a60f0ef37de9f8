"""How failures become answers: error pages, JSON errors, and the way to sign in."""

import logging
import re
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Match, Router
from starlette.types import Receive, Scope, Send

from academy.domain.errors import AcademyError, TooManyRequests
from academy.domain.records import User
from academy.web.auth import is_local
from academy.web.middleware import size_in_words
from academy.web.rendering import page, redirect
from academy.web.security import LoginRequired, academy_of, current_user

logger = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json")


async def _viewer(request: Request) -> User | None:
    try:
        return await current_user(request)
    except Exception:  # noqa: BLE001 - an error page must render whatever failed
        request.state.user = None
        return None


def _start(user: User | None) -> tuple[str, str]:
    """Where someone lost on the site starts again: its address, and its name."""
    if user is None:
        return "/", "the home page"
    if user.is_manager:
        return "/manage", "the manager console"
    return "/dashboard", "your dashboard"


# The error page's <title>, before " · Mentor Academy".
TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Too large",
    422: "Check the form",
    429: "Too many attempts",
    503: "Unavailable",
}


async def _error_page(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    start, start_name = _start(await _viewer(request))
    context = {
        "status": status,
        "message": message,
        "title": TITLES.get(status, "Something went wrong"),
        "start": start,
        "start_name": start_name,
    }
    return page(request, "error.html", context, status=status)


async def academy_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AcademyError)
    response = await _error_page(request, exc.status, exc.message)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def too_large(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    """BodyLimit's answer: the error page, or JSON for the API."""
    response = await _error_page(Request(scope, receive), 413, message)
    await response(scope, receive, send)


# Where a sign-in never sends people back to.
NOT_BACK = frozenset({"/login", "/logout", "/register"})


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if _wants_json(request):
        return JSONResponse({"error": "Sign in first."}, status_code=401)
    target = _return_to(request, exc.next_path)
    return redirect(request, f"/login?next={quote(target, safe='/')}")


def _return_to(request: Request, next_path: str) -> str:
    """The page to show after signing in.

    The browser GETs it, so a POST's own address would answer 405 and the form
    is gone anyway: after a POST, go back to the page the form was on.
    """
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        if query and next_path == request.url.path:
            return f"{next_path}?{query}"
        return next_path
    return (
        _referring_page(request)
        or _page_at_or_above(request, request.url.path)
        or "/dashboard"
    )


def _referring_page(request: Request) -> str | None:
    """The same-origin Referer as a local address, if it is a page to return to."""
    try:
        referer = urlsplit(request.headers.get("referer", ""))
        origins = {
            (request.url.scheme, request.url.netloc),
            urlsplit(academy_of(request).settings.base_url)[:2],
        }
    except ValueError:
        return None
    if (
        referer[:2] not in origins
        or not is_local(referer.path)
        or referer.path in NOT_BACK
    ):
        return None
    found = _page_at_or_above(request, referer.path)
    if found is None:
        return None
    target = found
    if found == referer.path and referer.query:
        # Its query belongs to that page only, not to one above it.
        target = f"{found}?{referer.query}"
    return target if is_local(target) else None


def _page_at_or_above(request: Request, path: str) -> str | None:
    """`path`, or the nearest address above it, that a GET shows; never "/".

    "/" sends everyone on to their start page, which the caller's fallback
    names better.
    """
    router: Router = request.app.router
    segments = path.split("/")
    while len(segments) > 1:
        candidate = "/".join(segments)
        scope = {"type": "http", "method": "GET", "path": candidate}
        if candidate.strip("/") and any(
            route.matches(scope)[0] is Match.FULL for route in router.routes
        ):
            return candidate
        segments.pop()
    return None


NOT_FOUND = "There is nothing at this address."
MESSAGES = {
    404: f"{NOT_FOUND} Check the link.",
    405: "This address does not accept that kind of request.",
}
# Starlette's own 400s come from reading a form (Request.form); their words
# are written for programmers.
UNREADABLE_FORM = "The form could not be read. Reload the page and try again."
_PART_TOO_LARGE = re.compile(r"(?:Part|Field) exceeded maximum size of (\d+)KB\.")
_TOO_MANY = re.compile(r"Too many (fields|files)\. Maximum number of \w+ is (\d+)\.")


def _plain(status: int, detail: str) -> str:
    """Starlette's text for an HTTP error, in the site's words."""
    if status in MESSAGES:
        return MESSAGES[status]
    if status != 400:
        return "That request could not be answered. Go back and try again."
    if found := _PART_TOO_LARGE.fullmatch(detail):
        limit = size_in_words(int(found[1]) * 1024)
        return f"A field of the form is too long: each field may hold {limit}."
    if found := _TOO_MANY.fullmatch(detail):
        what = "fields" if found[1] == "fields" else "files attached"
        return f"The form has too many {what}: the limit is {int(found[2]):,}."
    return UNREADABLE_FORM


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    message = _plain(status, str(exc.detail))
    if status == 404 and not _wants_json(request):
        _, start_name = _start(await _viewer(request))
        message = f"{NOT_FOUND} Check the link, or start from {start_name}."
    response = await _error_page(request, status, message)
    # Starlette's headers are part of the answer: a 405 names what is Allowed.
    response.headers.update(exc.headers or {})
    return response


async def data_error(request: Request, exc: Exception) -> Response:
    """A data file went bad under the running site: the operator must look."""
    logger.error("data damaged, answering 503 on %s: %s", request.url.path, exc)
    message = (
        "Part of the site's data cannot be read just now, so this page cannot be "
        "shown. Nothing was changed; the problem was logged for the site's operator."
    )
    return await _error_page(request, 503, message)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s", request.url.path)
    return PlainTextResponse(
        "Something went wrong on our side. The error was logged; please try again.",
        status_code=500,
    )
