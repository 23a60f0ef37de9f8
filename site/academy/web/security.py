"""Sessions, CSRF tokens and role checks for the web layer."""

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from starlette.datastructures import FormData
from starlette.requests import Request, cookie_parser
from starlette.responses import Response

from academy.domain.errors import Forbidden, Invalid
from academy.domain.records import User
from academy.services.academy import Academy
from academy.services.accounts import SESSION_DAYS

SESSION_COOKIE = "academy_session"
CSRF_COOKIE = "academy_csrf"
CSRF_FIELD = "csrf_token"
# C0 and C1 control characters and DEL; tab and line breaks are text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class LoginRequired(Exception):
    """The page needs a signed-in user; the handler redirects to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def academy_of(request: Request) -> Academy:
    academy: Academy = request.app.state.academy
    return academy


@functools.lru_cache(maxsize=8)
def _signer_for(secret_key: str) -> Signer:
    return Signer(secret_key, salt="session")


def _signer(request: Request) -> Signer:
    return _signer_for(academy_of(request).settings.secret_key)


@dataclass(frozen=True)
class Visit:
    """What a browser's Cookie header says, parsed and checked once per browser."""

    session_cookie: str  # the signed session cookie as sent, "" without one
    session: str | None  # its token, if the signature holds
    csrf_seed: str | None  # the CSRF cookie, if it is well formed
    csrf_token: str | None  # the token forms carry, when there is a seed


# Longer Cookie headers are parsed every time rather than kept: this bounds
# the cache at a few megabytes, however many odd headers arrive.
_CACHED_COOKIES = 1024
# Where a request keeps its Visit: asked for by the session and the CSRF token.
_VISIT = "academy.visit"


def visit(request: Request) -> Visit:
    """The browser's session and CSRF cookies, as this request sent them."""
    seen: Visit | None = request.scope.get(_VISIT)
    if seen is None:
        seen = request.scope[_VISIT] = _visit(request)
    return seen


def _visit(request: Request) -> Visit:
    sent = [value for name, value in request.scope["headers"] if name == b"cookie"]
    # Several Cookie headers read as one, later names winning, as Starlette's
    # request.cookies reads them.
    raw = sent[0] if len(sent) == 1 else b";".join(sent)
    secret_key = academy_of(request).settings.secret_key
    if len(raw) > _CACHED_COOKIES:
        return _read_visit(secret_key, raw)
    return _cached_visit(secret_key, raw)


def _read_visit(secret_key: str, raw: bytes) -> Visit:
    cookies = cookie_parser(raw.decode("latin-1"))
    session_cookie = cookies.get(SESSION_COOKIE, "")
    session = None
    if session_cookie and len(session_cookie) <= 200:
        session = _unsigned(secret_key, session_cookie)
    seed: str | None = cookies.get(CSRF_COOKIE, "")
    if not (seed and _well_formed(seed)):
        seed = None
    token = None if seed is None else expected_csrf(secret_key, seed, session_cookie)
    return Visit(session_cookie, session, seed, token)


# A browser sends the same Cookie header with every request: its signature
# and CSRF token are worked out once, not on every page. Whether the session
# is still open is asked every time (current_user).
_cached_visit = functools.lru_cache(maxsize=4096)(_read_visit)


def _well_formed(seed: str) -> bool:
    return 20 <= len(seed) <= 64 and seed.replace("-", "").replace("_", "").isalnum()


def _new_seed(request: Request) -> str:
    """A CSRF seed for a browser without one, made once per request."""
    seed = new_csrf_seed(request)
    if seed is None:
        seed = request.state.new_csrf_seed = secrets.token_urlsafe(24)
    return seed


def new_csrf_seed(request: Request) -> str | None:
    """The seed this request created, which its response must set as a cookie."""
    # Asked first: a missing attribute on request.state costs an exception.
    if "new_csrf_seed" not in request.state:
        return None
    seed: str = request.state.new_csrf_seed
    return seed


def csrf_token(request: Request) -> str:
    """The token forms carry: an HMAC of the cookie and the session.

    Bound to the session as well as the cookie, a token taken from one
    browser's pages is worthless with another's session, and signing in or
    out makes every earlier token stale.
    """
    seen = visit(request)
    if seen.csrf_token is not None:
        return seen.csrf_token
    secret_key = academy_of(request).settings.secret_key
    return expected_csrf(secret_key, _new_seed(request), seen.session_cookie)


def expected_csrf(secret_key: str, seed: str, session_cookie: str = "") -> str:
    """The token for this CSRF cookie and session cookie (also for load tests)."""
    message = f"{seed}\n{session_cookie[:200]}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


async def read_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token (403 if it is wrong)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = csrf_token(request)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise Forbidden(
            "This form has expired or did not come from this site. Go back, reload "
            "the page and try again."
        )
    for name, value in form.multi_items():
        if isinstance(value, str) and CONTROL.search(value):
            # Nothing a person types has them; kept, they would travel into
            # the CSV reports and the certificates.
            raise Invalid(
                "The form contains control characters (such as NUL), which cannot "
                "be saved. Remove them and send it again.",
                {name: "Remove the control characters."},
            )
    return form


def set_cookies(request: Request, response: Response) -> None:
    """Write the CSRF cookie when this request created one."""
    seed = new_csrf_seed(request)
    if seed:
        response.set_cookie(
            CSRF_COOKIE,
            seed,
            httponly=True,
            samesite="lax",
            secure=academy_of(request).settings.secure_cookies,
            path="/",
        )


async def current_user(request: Request) -> User | None:
    """The signed-in user, or None; looked up once per request."""
    if "user" in request.state:
        return looked_up_user(request)
    user = None
    token = session_token(request)
    if token:
        # Sessions and accounts are indexed in memory: a lookup, not a read.
        user = academy_of(request).accounts.session_user(token)
    request.state.user = user
    return user


def looked_up_user(request: Request) -> User | None:
    """The user current_user() found for this request; None if it has not run."""
    # Asked first: a missing attribute on request.state costs an exception.
    user: User | None = request.state.user if "user" in request.state else None
    return user


def session_token(request: Request) -> str | None:
    """The session token the browser holds, if its signature is ours."""
    return visit(request).session


def _unsigned(secret_key: str, cookie: str) -> str | None:
    try:
        return _signer_for(secret_key).unsign(cookie).decode()
    except BadSignature:
        return None


def start_session(request: Request, response: Response, token: str) -> None:
    signed = _signer(request).sign(token).decode()
    response.set_cookie(
        SESSION_COOKIE,
        signed,
        httponly=True,
        samesite="lax",
        secure=academy_of(request).settings.secure_cookies,
        path="/",
        max_age=60 * 60 * 24 * SESSION_DAYS,
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


async def require_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise LoginRequired(request.url.path)
    return user


async def require_manager(request: Request) -> User:
    user = await require_user(request)
    if not user.is_manager:
        raise Forbidden("This page is for community managers.")
    return user
