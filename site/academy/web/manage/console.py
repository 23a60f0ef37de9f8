"""What every console view shares: the service, path values, pages, redirects.

The names keep their underscore: they serve this package's views only.
"""

from typing import Any, TypeVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from academy.domain.errors import Invalid
from academy.services.listing import STATUS_ORDER
from academy.services.manage import Manage
from academy.web.forms import text as _text
from academy.web.rendering import page
from academy.web.security import CSRF_FIELD, academy_of

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
