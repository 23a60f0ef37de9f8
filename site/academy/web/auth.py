"""Registering, signing in and signing out."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.errors import Invalid, TooManyRequests
from academy.web.forms import read_text_form, text
from academy.web.rendering import page, redirect
from academy.web.security import (
    academy_of,
    current_user,
    end_session,
    session_token,
    start_session,
)


def is_local(target: str) -> bool:
    """A path on this site, which no browser could read as another host."""
    return target.startswith("/") and not target.startswith("//") and "\\" not in target


def _safe_next(target: str | None) -> str:
    """Only local paths, so a crafted link cannot send people elsewhere."""
    if target and is_local(target):
        return target
    return "/dashboard"


async def home(request: Request) -> Response:
    """The front page: what the training is, and where to begin."""
    user = await current_user(request)
    if user is not None:
        return redirect(request, "/manage" if user.is_manager else "/dashboard")
    curriculum = academy_of(request).ctx.content.curriculum
    return page(request, "home.html", {"modules": curriculum.modules})


async def register(request: Request) -> Response:
    """Create an account in the open cohort."""
    values = {"name": "", "email": ""}
    if request.method == "POST":
        form = await read_text_form(request)
        values = {k: text(form, k) for k in ("name", "email")}
        password = text(form, "password")
        academy = academy_of(request)
        try:
            user = await run_in_threadpool(
                academy.accounts.register, values["name"], values["email"], password
            )
        except Invalid as error:
            return page(
                request,
                "register.html",
                {"values": values, "error": error.message, "errors": error.fields},
                status=422,
            )
        token = await run_in_threadpool(academy.accounts.start_session, user)
        response = redirect(request, "/dashboard", "registered")
        start_session(request, response, token)
        return response
    return page(request, "register.html", {"values": values, "errors": {}})


async def login(request: Request) -> Response:
    """Sign in with email and password; failures are throttled."""
    next_path = _safe_next(request.query_params.get("next"))
    values = {"email": ""}
    if request.method == "POST":
        form = await read_text_form(request)
        values["email"] = text(form, "email")
        next_path = _safe_next(text(form, "next") or None)
        academy = academy_of(request)
        client = request.client.host if request.client else "unknown"
        try:
            user = await run_in_threadpool(
                academy.accounts.authenticate,
                values["email"],
                text(form, "password"),
                client,
            )
        except (Invalid, TooManyRequests) as error:
            status = error.status if isinstance(error, TooManyRequests) else 401
            response = page(
                request,
                "login.html",
                {"values": values, "error": error.message, "next": next_path},
                status=status,
            )
            if isinstance(error, TooManyRequests):
                response.headers["Retry-After"] = str(error.retry_after)
            return response
        # A fresh session on every sign-in: a token planted before cannot be reused.
        old = session_token(request)
        previous = await current_user(request)
        if old and previous:
            await run_in_threadpool(academy.accounts.end_session, previous.id, old)
        token = await run_in_threadpool(academy.accounts.start_session, user)
        if next_path == "/dashboard" and user.is_manager:
            next_path = "/manage"
        done = redirect(request, next_path)
        start_session(request, done, token)
        return done
    return page(request, "login.html", {"values": values, "next": next_path})


async def logout(request: Request) -> Response:
    """Sign out: the session ends on the server, not just in this browser."""
    if request.method == "POST":
        await read_text_form(request)
        user = await current_user(request)
        token = session_token(request)
        if user is not None and token:
            await run_in_threadpool(
                academy_of(request).accounts.end_session, user.id, token
            )
        response = redirect(request, "/login", "signed-out")
        end_session(response)
        return response
    return page(request, "logout.html", {})


routes = [
    Route("/", home),
    Route("/register", register, methods=["GET", "POST"]),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["GET", "POST"]),
]
