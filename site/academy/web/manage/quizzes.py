"""The quiz statistics: every quiz, and one quiz question by question."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from academy.domain.itemstats import REVIEW_THRESHOLD_PERCENT
from academy.web.manage.console import _manage, _param, _render
from academy.web.security import require_manager


async def quizzes(request: Request) -> Response:
    """Every quiz: attempts, pass rate, reliability and questions to review."""
    await require_manager(request)
    reports = await run_in_threadpool(_manage(request).quiz_reports)
    return _render(request, "manage/quizzes.html", {"reports": reports})


async def quiz(request: Request) -> Response:
    """One quiz's statistics over first attempts, question by question."""
    await require_manager(request)
    found = await run_in_threadpool(_manage(request).quiz_page, _param(request, "slug"))
    context = {
        "q": found.report,
        "chart": found.chart,
        "threshold": REVIEW_THRESHOLD_PERCENT,
    }
    return _render(request, "manage/quiz.html", context)


routes = [
    Route("/manage/quizzes", quizzes),
    Route("/manage/quizzes/{slug}", quiz),
]
