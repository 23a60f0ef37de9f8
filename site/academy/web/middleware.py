"""ASGI middleware: security headers and a cap on request bodies."""

from collections.abc import Awaitable, Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self' https://www.linkedin.com",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds the same protective headers to every response."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


# Answers a refused request: scope, receive, send, and the message to show.
Refuse = Callable[[Scope, Receive, Send, str], Awaitable[None]]

KIB = 1024
MIB = 1024 * 1024


def size_in_words(size: int) -> str:
    """A byte count as people read it: "2 MiB", "512 KiB", "900 bytes"."""
    if size >= MIB:
        return f"{round(size / MIB, 1):g} MiB"
    if size >= KIB:
        return f"{round(size / KIB, 1):g} KiB"
    return f"{size:,} bytes"


def too_large_message(scope: Scope, limit: int) -> str:
    """What to tell the sender, named after what they were sending."""
    content_type = b""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            content_type = value.split(b";")[0].strip().lower()
    what = {
        b"multipart/form-data": "upload",
        b"application/x-www-form-urlencoded": "form",
    }.get(content_type, "request")
    return f"The {what} is too large: the limit is {size_in_words(limit)}."


class BodyLimit:
    """Refuses bodies over `limit` bytes with 413, before reading them whole.

    A declared Content-Length over the limit is refused before the app runs;
    a chunked body is counted as it arrives and refused once it passes the
    limit. `refuse` answers either way (default: a line of plain text).
    """

    def __init__(self, app: ASGIApp, limit: int, refuse: Refuse | None = None) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse or _refuse_plain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(scope, receive, send)
                    return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The rest of the body stays unread: the answer must not wait for it.
        await self.refuse(scope, receive, send, too_large_message(scope, self.limit))


async def _refuse_plain(
    scope: Scope, receive: Receive, send: Send, message: str
) -> None:
    body = f"{message}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
