"""Templates and the helpers every view uses to answer."""

import functools
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from academy.web.security import csrf_token, looked_up_user, set_cookies

TEMPLATES = Path(__file__).parent / "templates"


def _date(moment: datetime | None, timezone: str = "UTC") -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%B %Y}"


def _datetime(moment: datetime | None, timezone: str = "UTC") -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        # Templates change only with a new release, which restarts the server;
        # checking each one's modification time on every page costs a stat().
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["datetime"] = _datetime
    env.filters["percent"] = _percent
    return env


ENV = build_environment()


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render a page with what every template needs: user, CSRF token, path."""
    values = {
        "request": request,
        "user": looked_up_user(request),
        "csrf_token": csrf_token(request),
        # The path as routed; cheaper than request.url, which builds a whole URL.
        "path": request.scope["path"],
        "notice": _notice(request),
        **context,
    }
    html = ENV.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    set_cookies(request, response)
    return response


def _notice(request: Request) -> str | None:
    if not request.scope.get("query_string"):
        return None
    return NOTICES.get(request.query_params.get("notice", ""))


# A framed page holds these markers where per-request values go. Rendered
# content never contains NUL (CommonMark turns it into U+FFFD, and forms
# refuse control characters), so no text can pass for a marker.
_MARKER = re.compile("\x00([a-z_]+)\x00")


@dataclass(frozen=True)
class _Viewer:
    """The signed-in user as a frame shows them: their role, a marker for the name."""

    is_manager: bool
    name: Markup = Markup("\x00user_name\x00")


def framed_page(
    request: Request,
    template: str,
    key: Hashable,
    context: Callable[[], dict[str, Any]],
) -> HTMLResponse:
    """page() for a page that is the same for every viewer but two values.

    Those are the CSRF token and the viewer's name. The template is rendered
    once per `key` (plus the viewer's role and the notice), with markers for
    the two, and each request fills them in: a page as cheap as a static
    one. `key` must decide everything else the page shows; `context` is
    called only to render a frame. Templates see a user with only
    `is_manager` and `name`, and no request.
    """
    user = looked_up_user(request)
    notice = _notice(request)
    role = None if user is None else user.is_manager
    frames: dict[Hashable, tuple[bytes, ...]] = request.app.state.frames
    parts = frames.get((template, key, role, notice))
    if parts is None:
        parts = _frame(request, template, role, notice, context())
        frames[(template, key, role, notice)] = parts

    fills = {
        _TOKEN: csrf_token(request).encode(),
        _NAME: _escaped_name(user.name) if user else b"",
    }
    response = HTMLResponse(b"".join([fills.get(p, p) for p in parts]))
    set_cookies(request, response)
    return response


# The markers as a frame keeps them, between its pieces of text.
_TOKEN = b"\x00csrf_token\x00"
_NAME = b"\x00user_name\x00"
_FILLS = {"csrf_token": _TOKEN, "user_name": _NAME}


def _frame(
    request: Request,
    template: str,
    role: bool | None,
    notice: str | None,
    context: dict[str, Any],
) -> tuple[bytes, ...]:
    """The page rendered with markers, as pieces of UTF-8 and the markers between.

    Encoded once here, the page costs a join of bytes per request instead of
    encoding the whole text again, which is slow for text with any accent.
    """
    values = {
        "request": None,
        "user": None if role is None else _Viewer(role),
        "csrf_token": Markup("\x00csrf_token\x00"),
        "path": request.scope["path"],
        "notice": notice,
        **context,
    }
    pieces = _MARKER.split(ENV.get_template(template).render(values))
    # split() alternates text and marker names: names sit at the odd places.
    return tuple(_FILLS[p] if i % 2 else p.encode() for i, p in enumerate(pieces))


@functools.lru_cache(maxsize=4096)
def _escaped_name(name: str) -> bytes:
    # The same few names come back on every page their owners open.
    return str(escape(name)).encode()


# Notices after a redirect are named by a code, so a link cannot put words
# of its own on our pages.
NOTICES = {
    "registered": "Welcome! Your two-week schedule starts today.",
    "signed-in": "You are signed in.",
    "signed-out": "You are signed out.",
    "module-complete": "Module marked complete.",
    "reply-sent": "Your reply was sent for review.",
    "imported": "Eligibility imported.",
    "reviewed": "Review saved.",
    "saved": "Saved.",
    "revoked": "Certificate revoked.",
    "reissued": "Certificate reissued.",
    "issued": "Certificate issued.",
    "reset": "Attempt removed; the learner can try again.",
    "token-created": "Token created.",
    "token-revoked": "Token revoked.",
    "cohort-created": "Cohort created.",
    "enrolled": "Learner enrolled in the cohort.",
    "enrolled-course": "Learners with a record of that course are enrolled.",
    "moved": "Learner moved to the cohort.",
    "extended": "Extension saved.",
    "override-saved": "Eligibility decision saved.",
    "approved": "Reply approved.",
    "returned": "Reply returned to the learner with your comment.",
    "issued-all": "Every certificate that was due is issued.",
}


def redirect(request: Request, url: str, notice: str | None = None) -> Response:
    """A 303 after a POST, naming an optional notice to show on the next page."""
    if notice:
        assert notice in NOTICES, notice
        url = _with_notice(url, notice)
    response = RedirectResponse(url, status_code=303)
    set_cookies(request, response)
    return response


def _with_notice(url: str, notice: str) -> str:
    """`url` with notice=<code> in its query, which must come before any #fragment."""
    parts = urlsplit(url)
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name != "notice"
    ]
    query.append(("notice", notice))
    return urlunsplit(parts._replace(query=urlencode(query, safe="/")))
