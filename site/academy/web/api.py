"""The JSON API for the course platform: eligibility pushed with a bearer token."""

import json
import sys

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from academy.web.security import academy_of


def _bad_body(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


async def push_eligibility(request: Request) -> Response:
    """POST /api/eligibility: a JSON list of records, or {"records": [...]}.

    All records are checked first; one bad record means nothing is written.
    """
    academy = academy_of(request)
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    token = None
    if scheme.lower() == "bearer" and secret:
        token = await run_in_threadpool(academy.tokens.check, secret.strip())
    if token is None:
        return JSONResponse(
            {"error": "A valid bearer token is required."},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="academy"'},
        )
    try:
        body = json.loads(await request.body())
    except RecursionError:
        return _bad_body("The body nests arrays or objects too deeply to read.")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_body("The body is not valid JSON.")
    except ValueError:
        # What is left is int() refusing a number of thousands of digits.
        limit = sys.get_int_max_str_digits()
        return _bad_body(f"A number in the body has more than {limit:,} digits.")
    records = body.get("records") if isinstance(body, dict) else body
    if not isinstance(records, list):
        return JSONResponse(
            {
                "error": "Send a JSON array of records, or an object with a "
                "'records' array."
            },
            status_code=422,
        )
    dry_run = request.query_params.get("dry_run") in ("1", "true", "yes")
    report = await run_in_threadpool(
        academy.eligibility.import_rows, records, f"token:{token.id}", dry_run, "api"
    )
    result = {
        "ok": report.ok,
        "summary": report.summary(),
        "rows": report.rows,
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": [{"row": e.row, "message": e.message} for e in report.errors],
    }
    return JSONResponse(result, status_code=200 if report.ok else 422)


routes = [Route("/api/eligibility", push_eligibility, methods=["POST"])]
