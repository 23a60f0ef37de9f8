"""HTTP: Starlette routes, templates and static files."""
