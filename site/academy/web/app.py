"""The application factory: settings in, Starlette app out."""

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from academy.clock import Clock
from academy.domain.errors import AcademyError, TooManyRequests
from academy.services.academy import Academy
from academy.settings import Settings
from academy.web import api, auth, learner, manage, public
from academy.web.middleware import BodyLimit, SecurityHeaders
from academy.web.rendering import page, redirect
from academy.web.security import LoginRequired, current_user

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
GIL_SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


async def healthz(request: Request) -> Response:
    """Liveness for load balancers and scripts."""
    return JSONResponse({"status": "ok"})


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json")


async def _error_page(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    try:
        await current_user(request)
    except Exception:  # noqa: BLE001 - an error page must render whatever failed
        request.state.user = None
    return page(
        request, "error.html", {"status": status, "message": message}, status=status
    )


async def academy_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AcademyError)
    response = await _error_page(request, exc.status, exc.message)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    if _wants_json(request):
        return JSONResponse({"error": "Sign in first."}, status_code=401)
    return redirect(request, f"/login?next={exc.next_path}")


MESSAGES = {
    404: "There is nothing at this address. Check the link, or start from your "
    "dashboard.",
    405: "This address does not accept that kind of request.",
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = MESSAGES.get(exc.status_code, str(exc.detail))
    return await _error_page(request, exc.status_code, message)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s", request.url.path)
    return PlainTextResponse(
        "Something went wrong on our side. The error was logged; please try again.",
        status_code=500,
    )


def create_app(
    settings: Settings, clock: Clock | None = None, academy: Academy | None = None
) -> Starlette:
    """Build the app; the academy opens its store when the app starts."""
    core = academy or Academy(settings, clock)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not core._opened:
            core.open()
        # The event loop shares the GIL with the threads that read files and
        # grade attempts. By default a thread waiting for the GIL waits 5 ms
        # before asking for it; every page would queue that long behind any
        # other request's work. A short interval lets the loop back in soon.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        try:
            yield
        finally:
            sys.setswitchinterval(switch_interval)
            core.close()

    routes = [
        Route("/healthz", healthz),
        *auth.routes,
        *learner.routes,
        *public.routes,
        *api.routes,
        *manage.routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders, hsts=core.settings.secure_cookies),
            Middleware(BodyLimit, limit=core.settings.max_upload_bytes),
        ],
        exception_handlers={
            AcademyError: academy_error,
            LoginRequired: login_required,
            HTTPException: http_error,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.academy = core
    # Pages rendered once with markers for per-request values (framed_page).
    app.state.frames = {}
    return app
