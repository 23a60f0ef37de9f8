"""Configuration, read once from ACADEMY_* environment variables."""

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from academy.domain.schedule import is_timezone
from academy.store.storage import atomic_write

PACKAGE_ROOT = Path(__file__).resolve().parent


def _default_content() -> Path:
    """The project's own content: beside the source tree, or the working folder."""
    here = Path.cwd()
    if (here / "modules").is_dir():
        return here
    return PACKAGE_ROOT.parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    help: str


SETTINGS_HELP = (
    Setting("ACADEMY_DATA", "folder for the database, PDFs and keys (default ./var)"),
    Setting("ACADEMY_CONTENT", "folder holding modules/, quizzes/, certificates/"),
    Setting("ACADEMY_BASE_URL", "public URL used in certificates and badges"),
    Setting(
        "ACADEMY_SECRET_KEY", "signs sessions; generated into the data folder if unset"
    ),
    Setting("ACADEMY_HOST", "address to listen on (default 127.0.0.1)"),
    Setting("ACADEMY_PORT", "port to listen on (default 8000)"),
    Setting("ACADEMY_TIMEZONE", "time zone of the open cohort (default UTC)"),
    Setting(
        "ACADEMY_DEMO_PASSWORD", "password of the demo accounts (default mentor-demo)"
    ),
    Setting(
        "ACADEMY_MAX_UPLOAD_BYTES", "largest accepted request body (default 2 MiB)"
    ),
    Setting("ACADEMY_LOG_LEVEL", "logging level (default INFO)"),
    Setting(
        "ACADEMY_PASSWORD", "password for `academy create-manager`, instead of a prompt"
    ),
)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_SECRET = 32  # characters; a shorter key makes sessions and tokens guessable
MIN_UPLOAD = 64 * 1024  # an eligibility CSV of a few hundred rows must fit


class SettingsError(ValueError):
    """A setting that the site cannot run with; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    content_dir: Path = field(default_factory=_default_content)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "UTC"
    demo_password: str = "mentor-demo"
    max_upload_bytes: int = 2 * 1024 * 1024
    log_level: str = "INFO"
    # argon2id costs: 64 MiB and three passes, well above OWASP's minimum
    # (19 MiB, t=2, p=1), which tests use. One lane, and one hash at a time
    # (see Accounts), so a burst of sign-ins can take one core, never both.
    argon2_memory_kib: int = 65536
    argon2_time_cost: int = 3
    argon2_parallelism: int = 1
    login_failures_allowed: int = 5
    login_window_seconds: int = 900

    @property
    def local_url(self) -> str:
        """The address this server answers on, as a browser on this machine sees it."""
        # A server listening on every interface is reached here on loopback.
        everywhere = ("", "0.0.0.0", "::")  # noqa: S104 - compared, not bound
        host = "127.0.0.1" if self.host in everywhere else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def problems(self) -> list[str]:
        """What is wrong with these settings, one sentence each (empty if none)."""
        found = []
        if not 1 <= self.port <= 65535:
            found.append(f"the port must be from 1 to 65535, not {self.port}")
        url = urlsplit(self.base_url)
        if url.scheme not in ("http", "https") or not url.hostname or url.query:
            found.append(
                "ACADEMY_BASE_URL must be an http:// or https:// address with a "
                f"host, such as https://mentors.example.org, not {self.base_url!r}"
            )
        if self.max_upload_bytes < MIN_UPLOAD:
            found.append(
                f"ACADEMY_MAX_UPLOAD_BYTES must be at least {MIN_UPLOAD:,}, not "
                f"{self.max_upload_bytes:,}"
            )
        if self.secret_key and len(self.secret_key) < MIN_SECRET:
            found.append(
                f"ACADEMY_SECRET_KEY must be at least {MIN_SECRET} characters long"
            )
        if self.log_level.upper() not in LOG_LEVELS:
            found.append(
                f"ACADEMY_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
                f"not {self.log_level!r}"
            )
        return found

    def with_overrides(self, **changes: Any) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def with_secret(self) -> "Settings":
        """Settings whose secret key is set, creating one in the data folder."""
        if self.secret_key:
            return self
        if self.data_dir.is_file():
            raise SettingsError(
                f"the data folder {self.data_dir} is a file, not a folder"
            )
        path = self.data_dir / "secret_key"
        try:
            if not path.exists():
                atomic_write(path, secrets.token_urlsafe(48).encode())
            key = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise SettingsError(f"cannot read the secret key {path}: {error}") from None
        if len(key) < MIN_SECRET:
            # atomic_write never leaves a short file: this one was damaged or
            # edited. A new key would sign everyone out, so ask first.
            raise SettingsError(
                f"the secret key in {path} is shorter than {MIN_SECRET} characters; "
                "delete the file to create a new one (this signs everyone out)"
            )
        return replace(self, secret_key=key)


def from_environment(env: dict[str, str] | None = None) -> Settings:
    """Settings from ACADEMY_* variables; anything unset keeps its default."""
    env = dict(os.environ if env is None else env)
    base = Settings()

    def get(name: str) -> str | None:
        value = env.get(f"ACADEMY_{name}")
        return value if value else None

    def number(name: str) -> int | None:
        value = get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise SettingsError(
                f"ACADEMY_{name} must be a whole number, not {value[:40]!r}"
            ) from None

    data = get("DATA")
    content = get("CONTENT")
    base_url = get("BASE_URL")
    timezone = get("TIMEZONE")
    if timezone is not None and not is_timezone(timezone):
        raise SettingsError(
            f"ACADEMY_TIMEZONE must be an IANA time zone such as Europe/Berlin, "
            f"not {timezone[:64]!r}"
        )
    return base.with_overrides(
        data_dir=Path(data) if data else None,
        content_dir=Path(content) if content else None,
        base_url=base_url.rstrip("/") if base_url else None,
        secret_key=get("SECRET_KEY"),
        host=get("HOST"),
        port=number("PORT"),
        timezone=timezone,
        demo_password=get("DEMO_PASSWORD"),
        max_upload_bytes=number("MAX_UPLOAD_BYTES"),
        log_level=get("LOG_LEVEL"),
    )
