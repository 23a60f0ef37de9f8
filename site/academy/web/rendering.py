"""Templates and the helpers every view uses to answer."""

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from academy.web.security import csrf_token, set_cookies

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
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        **context,
    }
    html = ENV.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    set_cookies(request, response)
    return response


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
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}notice={notice}"
    response = RedirectResponse(url, status_code=303)
    set_cookies(request, response)
    return response
