"""The `academy` command run in-process: settings, messages and exit codes."""

import logging
from pathlib import Path

import pytest

from academy import cli
from academy.store.lock import DataFolderLock
from tests.conftest import ROOT
from tests.e2e.conftest import _free_port


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
    assert (
        "lee@example.org is already a manager. Their password was set from "
        "ACADEMY_PASSWORD." in capsys.readouterr().out
    )

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


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ACADEMY_PORT", "99999", "the port must be from 1 to 65535"),
        ("ACADEMY_PORT", "0", "the port must be from 1 to 65535"),
        ("ACADEMY_BASE_URL", "not-a-url", "ACADEMY_BASE_URL must be an http://"),
        ("ACADEMY_BASE_URL", "ftp://x.org", "ACADEMY_BASE_URL must be an http://"),
        ("ACADEMY_MAX_UPLOAD_BYTES", "-1", "ACADEMY_MAX_UPLOAD_BYTES must be at"),
        ("ACADEMY_SECRET_KEY", "x", "ACADEMY_SECRET_KEY must be at least 32"),
    ],
    ids=["port-high", "port-zero", "url-word", "url-ftp", "upload", "short-key"],
)
def test_cli_setting_the_site_cannot_run_with_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    common: list[str],
    variable: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert cli.main([*common, "export", "grades"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_port_given_as_a_flag_is_checked_too(
    capsys: pytest.CaptureFixture[str], common: list[str]
) -> None:
    assert cli.main([*common, "serve", "--port", "70000"]) == 2
    assert "the port must be from 1 to 65535" in capsys.readouterr().err


def test_cli_serve_on_a_taken_port_says_so_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    data = tmp_path / "data"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(
            ["serve", "--data", str(data), "--content", str(ROOT), "--port", str(port)]
        )
    assert code == 1
    assert f"cannot listen on http://127.0.0.1:{port}" in capsys.readouterr().err
    assert not data.exists()


@pytest.mark.parametrize("command", [["export", "grades"], ["issue"]], ids=str)
def test_cli_report_on_a_missing_data_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    missing = tmp_path / "mistyped"
    assert cli.main(["--data", str(missing), "--content", str(ROOT), *command]) == 2
    assert "there is no data folder at" in capsys.readouterr().err
    assert not missing.exists()


def test_cli_flags_work_after_the_command_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", "--content", str(ROOT)]) == 0
    missing = tmp_path / "nowhere"
    assert cli.main(["export", "--data", str(missing), "grades"]) == 2
    assert str(missing) in capsys.readouterr().err


def test_cli_damaged_secret_key_is_refused_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], common: list[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text("")
    assert cli.main([*common, "export", "grades"]) == 2
    assert "shorter than 32 characters" in capsys.readouterr().err
    assert (data / "secret_key").read_text() == ""


def test_cli_create_manager_with_a_bad_email_says_so(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    common: list[str],
) -> None:
    monkeypatch.setenv("ACADEMY_PASSWORD", "a long enough password")
    assert cli.main([*common, "create-manager", "x" * 300]) == 2
    err = capsys.readouterr().err
    assert "is not an email address" in err and "Keep your name" not in err


def test_cli_interrupted_command_says_so_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    common: list[str],
) -> None:
    def interrupt(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_export", interrupt)
    assert cli.main([*common, "export", "grades"]) == 130
    assert "academy: interrupted" in capsys.readouterr().err


def test_cli_serve_ignores_forwarded_addresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, object] = {}

    def run(app: object, **options: object) -> None:
        seen.update(options)
        app.state.academy.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(uvicorn, "run", run)
    data = tmp_path / "data"
    port = str(_free_port())
    code = cli.main(
        ["serve", "--data", str(data), "--content", str(ROOT), "--port", port]
    )
    assert code == 0
    assert seen["proxy_headers"] is False


def test_cli_serve_demo_prints_the_logins_without_a_flood_of_log_lines(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import uvicorn

    def run(app: object, **options: object) -> None:
        app.state.academy.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(uvicorn, "run", run)
    caplog.set_level(logging.INFO)
    data, port = tmp_path / "data", str(_free_port())
    args = ["serve", "--demo", "--data", str(data), "--content", str(ROOT)]
    assert cli.main([*args, "--port", port]) == 0
    out = capsys.readouterr().out
    assert "manager@demo.mentor-academy.org" in out and "Demo accounts" in out
    # Seeding audits hundreds of changes; none of them reaches the console.
    assert not [r for r in caplog.records if "audit:" in r.getMessage()]
    assert logging.getLogger("academy").level == logging.NOTSET
