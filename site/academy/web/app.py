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
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from academy.clock import Clock
from academy.domain.errors import AcademyError
from academy.services.academy import Academy
from academy.settings import Settings
from academy.store import DataError
from academy.web import api, auth, learner, manage, public
from academy.web.errors import (
    academy_error,
    data_error,
    http_error,
    login_required,
    server_error,
    too_large,
)
from academy.web.middleware import BodyLimit, SecurityHeaders
from academy.web.security import LoginRequired

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
GIL_SWITCH_INTERVAL = 0.0005  # seconds; Python's default is 0.005


async def healthz(request: Request) -> Response:
    """Liveness for load balancers and scripts."""
    return JSONResponse({"status": "ok"})


class AcademyApp(Starlette):
    """Starlette with the security headers outside every other layer.

    Starlette puts its server-error layer outside all user middleware, so a
    500 would leave without the headers; wrapping the whole stack covers it.
    """

    hsts = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), hsts=self.hsts)


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
    app = AcademyApp(
        routes=routes,
        middleware=[
            Middleware(
                BodyLimit, limit=core.settings.max_upload_bytes, refuse=too_large
            ),
        ],
        exception_handlers={
            AcademyError: academy_error,
            LoginRequired: login_required,
            HTTPException: http_error,
            DataError: data_error,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.hsts = core.settings.secure_cookies
    app.state.academy = core
    # Pages rendered once with markers for per-request values (framed_page).
    app.state.frames = {}
    return app
