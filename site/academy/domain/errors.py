"""Errors the domain raises; the web layer maps each to a page and a status."""


class AcademyError(Exception):
    """Base class: a problem the user can be told about in plain words."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AcademyError):
    status = 404


class Forbidden(AcademyError):
    status = 403


class Invalid(AcademyError):
    """Input that breaks a rule; `fields` maps form field names to messages."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class Conflict(AcademyError):
    status = 409


class QuizClosed(AcademyError):
    """The quiz cannot take another attempt (not open yet, or no attempts left)."""

    status = 409


class Gone(AcademyError):
    status = 410


class TooManyRequests(AcademyError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
