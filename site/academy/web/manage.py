"""The community manager's console."""

from starlette.routing import Route

routes: list[Route] = []
