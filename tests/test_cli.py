"""The `academy` command run in-process: settings, messages and exit codes."""

from pathlib import Path

import pytest

from academy import cli
from academy.store.lock import DataFolderLock
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACADEMY_BASE_URL", "ACADEMY_HOST", "ACADEMY_PORT", "ACADEMY_DATA"):
        monkeypatch.delenv(name, raising=False)


def settings_for(*argv: str):  # type: ignore[no-untyped-def]
    return cli._settings(cli._parser().parse_args(argv))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["serve"], "http://127.0.0.1:8000"),
        (["serve", "--port", "8080"], "http://127.0.0.1:8080"),
        (["serve", "--host", "0.0.0.0", "--port", "9000"], "http://127.0.0.1:9000"),
        (["serve", "--host", "::1"], "http://[::1]:8000"),
        (["export", "grades"], "http://127.0.0.1:8000"),
    ],
    ids=["default", "port", "all-interfaces", "ipv6", "other-command"],
)
def test_cli_base_url_follows_the_server_without_a_public_url(
    argv: list[str], expected: str
) -> None:
    assert settings_for(*argv).base_url == expected


def test_cli_base_url_from_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACADEMY_BASE_URL", "https://mentors.example.org/")
    settings = settings_for("serve", "--port", "8080")
    assert settings.base_url == "https://mentors.example.org"
    assert settings.port == 8080


def test_cli_bad_log_level_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACADEMY_LOG_LEVEL", "loud")
    assert cli.main(["--content", str(ROOT), "check"]) == 2
    assert "ACADEMY_LOG_LEVEL must be one of DEBUG, INFO" in capsys.readouterr().err


def test_cli_bad_port_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACADEMY_PORT", "eighty")
    assert cli.main(["check"]) == 2
    assert "ACADEMY_PORT must be a whole number" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["export", "grades"], "Manage › Reports"),
        (["issue", "--all-ready"], "Manage › Certificates"),
        (["import-eligibility", "FILE"], "POST /api/eligibility"),
    ],
    ids=["export", "issue", "import"],
)
def test_cli_data_command_on_a_running_site_says_where_to_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    data = tmp_path / "data"
    csv_file = tmp_path / "records.csv"
    csv_file.write_text("email\n")
    argv = [str(csv_file) if a == "FILE" else a for a in argv]
    server = DataFolderLock(data)
    server.acquire()
    try:
        code = cli.main(["--data", str(data), "--content", str(ROOT), *argv])
    finally:
        server.release()

    err = capsys.readouterr().err
    assert code == 1
    assert "is in use by another Mentor Academy process" in err
    assert hint in err


@pytest.fixture
def common(tmp_path: Path) -> list[str]:
    """The flags that point a command at a fresh data folder."""
    return ["--data", str(tmp_path / "data"), "--content", str(ROOT)]


def test_cli_create_manager_then_export_lists_nobody_yet(
    common: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ACADEMY_PASSWORD", "a long enough password")

    assert cli.main([*common, "create-manager", "lee@example.org"]) == 0
    assert "Created manager lee@example.org." in capsys.readouterr().out
    assert cli.main([*common, "create-manager", "lee@example.org"]) == 0
    assert "Promoted manager lee@example.org." in capsys.readouterr().out

    assert cli.main([*common, "export", "certificates"]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert len(lines) == 1 and lines[0].startswith("id,name,email,")


def test_cli_create_manager_rejects_a_short_password(
    common: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ACADEMY_PASSWORD", "short")
    assert cli.main([*common, "create-manager", "lee@example.org"]) == 2
    assert "at least" in capsys.readouterr().err


def test_cli_unknown_time_zone_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACADEMY_TIMEZONE", "Mars/Olympus_Mons")
    assert cli.main(["check"]) == 2
    assert "ACADEMY_TIMEZONE must be an IANA time zone" in capsys.readouterr().err
