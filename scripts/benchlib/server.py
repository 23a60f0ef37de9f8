"""The server under test: the real app, as `academy serve` runs it, plus baselines.

Run as `python -m benchlib.server --data DIR --port N`. It opens the academy
and serves `create_app(...)` with uvicorn in one process, exactly like the
`serve` command, and appends two routes that exist only here:

- `/bench/plain`: a plain-text answer, the fastest thing the app can serve;
- `/bench/static`: a static Jinja page (no variables, no data), rendered per
  request through the same middleware as every page. The harness PUTs the
  HTML of the module page it compares with, so both are the same size and
  the same characters.
"""

import argparse
from pathlib import Path

import uvicorn
from jinja2 import Environment, Template
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from academy.services.academy import Academy
from academy.settings import Settings
from academy.web.app import create_app
from benchlib.paths import ROOT


def static_template(html: str) -> Template:
    """A Jinja page without a single variable whose output is exactly `html`."""
    return Environment(autoescape=True).from_string("{% raw %}" + html + "{% endraw %}")


class Baselines:
    def __init__(self) -> None:
        self.template = static_template("<!doctype html><p>Not set yet.</p>")

    async def plain(self, request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def static(self, request: Request) -> Response:
        if request.method == "PUT":
            self.template = static_template((await request.body()).decode())
            return PlainTextResponse("set\n")
        return HTMLResponse(self.template.render())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()

    url = f"http://127.0.0.1:{args.port}"
    settings = Settings(
        data_dir=args.data,
        content_dir=ROOT,
        base_url=url,
        secret_key=args.secret,
        host="127.0.0.1",
        port=args.port,
        log_level="WARNING",
    )
    academy = Academy(settings)
    academy.open()
    app = create_app(settings, academy=academy)
    baselines = Baselines()
    app.router.routes.append(Route("/bench/plain", baselines.plain))
    app.router.routes.append(
        Route("/bench/static", baselines.static, methods=["GET", "PUT"])
    )
    print(f"bench server at {url}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", workers=1)


if __name__ == "__main__":
    main()
