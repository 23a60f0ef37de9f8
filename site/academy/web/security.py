"""Sessions, CSRF tokens and role checks for the web layer."""

import functools
import hashlib
import hmac
import re
import secrets

from itsdangerous import BadSignature, Signer
from starlette.datastructures import FormData
from starlette.requests import Request
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


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie value, creating one for this response if absent."""
    seed = request.cookies.get(CSRF_COOKIE, "")
    if not (20 <= len(seed) <= 64 and seed.replace("-", "").replace("_", "").isalnum()):
        seed = getattr(request.state, "new_csrf_seed", None) or secrets.token_urlsafe(
            24
        )
        request.state.new_csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    """The token forms carry: an HMAC of the cookie and the session.

    Bound to the session as well as the cookie, a token taken from one
    browser's pages is worthless with another's session, and signing in or
    out makes every earlier token stale.
    """
    session = request.cookies.get(SESSION_COOKIE, "")
    return expected_csrf(
        academy_of(request).settings.secret_key, csrf_seed(request), session
    )


def expected_csrf(secret_key: str, seed: str, session_cookie: str = "") -> str:
    """The token for this CSRF cookie and session cookie (also for load tests)."""
    return _csrf_hmac(secret_key, seed, session_cookie[:200])


@functools.lru_cache(maxsize=4096)
def _csrf_hmac(secret_key: str, seed: str, session: str) -> str:
    # A browser keeps its seed and session for its whole visit: one HMAC per
    # visitor, not per page. The cache is bounded, so odd seeds cannot grow it.
    message = f"{seed}\n{session}".encode()
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
    seed = getattr(request.state, "new_csrf_seed", None)
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
        user: User | None = request.state.user
        return user
    user = None
    token = session_token(request)
    if token:
        # Sessions and accounts are indexed in memory: a lookup, not a read.
        user = academy_of(request).accounts.session_user(token)
    request.state.user = user
    return user


def session_token(request: Request) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or len(cookie) > 200:
        return None
    return _unsigned(academy_of(request).settings.secret_key, cookie)


@functools.lru_cache(maxsize=4096)
def _unsigned(secret_key: str, cookie: str) -> str | None:
    # A browser sends the same cookie with every request, so its signature is
    # checked once. Whether the session is still open is asked every time.
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
