"""The `academy` command: serve, check, create-manager, import, issue, export."""

import argparse
import getpass
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from academy.content import ContentError, load_content
from academy.settings import SETTINGS_HELP, Settings, SettingsError, from_environment
from academy.store import DataError, DataFolderLocked
from academy.store.backup import BackupError, backup, restore

if TYPE_CHECKING:
    from academy.domain.records import User

logger = logging.getLogger("academy")
# The server is the only writer of its data folder (see store/lock.py); these
# are the places in the running site that do what a data command would.
LIVE_EQUIVALENTS = {
    "import-eligibility": "upload the file under Manage › Eligibility, or send "
    "it to POST /api/eligibility",
    "issue": "issue what is due under Manage › Certificates",
    "export": "download the report under Manage › Reports",
}


def _parser() -> argparse.ArgumentParser:
    epilog = "Environment variables:\n" + "\n".join(
        f"  {s.name:<26} {s.help}" for s in SETTINGS_HELP
    )
    parser = argparse.ArgumentParser(
        prog="academy",
        description="Mentor Academy: training and certification for course mentors.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, help="data folder (ACADEMY_DATA)")
    parser.add_argument("--content", type=Path, help="content folder (ACADEMY_CONTENT)")
    # The same two flags after the command name too: `academy serve --data D`.
    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument("--data", type=Path, dest="data_sub", help="data folder")
    folders.add_argument(
        "--content", type=Path, dest="content_sub", help="content folder"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[folders])

    serve = command("serve", "run the site")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument(
        "--demo", action="store_true", help="seed a demo cohort on first run"
    )

    command("check", "validate modules/, quizzes/ and certificates/")

    manager = command("create-manager", "create or promote a community manager")
    manager.add_argument("email")
    manager.add_argument("--name", help="display name for a new account")

    imp = command("import-eligibility", "load course grades and forum records")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="report, change nothing")

    issue = command("issue", "issue every certificate now due")
    issue.add_argument(
        "--all-ready", action="store_true", help="issue all that are due"
    )
    issue.add_argument("--dry-run", action="store_true", help="list, issue nothing")
    issue.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="render in N processes (default 1); this one still does the writing",
    )

    backup = command("backup", "copy the data folder, also while serving")
    backup.add_argument("target", type=Path, help="a new, empty folder")

    restore = command("restore", "replace the data folder with a backup")
    restore.add_argument(
        "source", type=Path, help="a folder written by `academy backup`"
    )

    export = command("export", "write a CSV report to standard output")
    export.add_argument(
        "kind", choices=["grades", "responses", "certificates", "eligibility"]
    )
    return parser


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen there (port taken, unknown host), or None."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return f"unknown host ({error.strerror or error})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # As uvicorn binds: a port left in TIME_WAIT is free to take.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return error.strerror or str(error)
    return None


def _manager_outcome(
    email: str, created: bool, before: "User | None", password_given: bool
) -> str:
    """What create-manager did, in one sentence for the terminal."""
    if created:
        return f"Created manager {email}."
    password = (
        " Their password was set from ACADEMY_PASSWORD."
        if password_given
        else " Their password is unchanged."
    )
    if before is not None and before.is_manager:
        return f"{email} is already a manager.{password}"
    return f"Promoted {email} to manager.{password}"


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more: {text}")
    return number


def _settings(args: argparse.Namespace) -> Settings:
    settings = from_environment()
    data = getattr(args, "data_sub", None) or args.data
    content = getattr(args, "content_sub", None) or args.content
    settings = settings.with_overrides(
        data_dir=data,
        content_dir=content,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )
    if not os.environ.get("ACADEMY_BASE_URL"):
        # Without a public URL, links in certificates and badges point at the
        # address this server answers on, so `serve --port 8080` stays whole.
        settings = settings.with_overrides(base_url=settings.local_url)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except SettingsError as error:
        print(f"academy: {error}", file=sys.stderr)
        return 2
    wrong = settings.problems()
    for sentence in wrong:
        print(f"academy: {sentence}", file=sys.stderr)
    if wrong:
        return 2
    level = settings.log_level.upper()
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # WeasyPrint narrates every step of every render at INFO; an operator
    # auditing certificates needs our line, not seven of its own.
    if level != "DEBUG":
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
    commands = {
        "serve": _serve,
        "check": _check,
        "create-manager": _create_manager,
        "import-eligibility": _import,
        "issue": _issue,
        "export": _export,
        "backup": _backup,
        "restore": _restore,
    }
    try:
        return commands[args.command](settings, args)
    except KeyboardInterrupt:
        # Every write is atomic: stopping here leaves the data as it was
        # before the write in progress, or after it.
        print("\nacademy: interrupted", file=sys.stderr)
        return 130
    except SettingsError as error:
        print(f"academy: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print(f"The content has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except BackupError as error:
        print(f"academy: {error}", file=sys.stderr)
        return 1
    except DataError as error:
        print(f"academy: {error}", file=sys.stderr)
        return 1
    except DataFolderLocked as error:
        print(f"academy: {error}", file=sys.stderr)
        if args.command in LIVE_EQUIVALENTS:
            print(
                f"While the site runs, {LIVE_EQUIVALENTS[args.command]}.",
                file=sys.stderr,
            )
        return 1


def _check(settings: Settings, args: argparse.Namespace) -> int:
    content = load_content(settings.content_dir)
    curriculum = content.curriculum
    questions = sum(len(q.questions) for q in curriculum.quizzes.values())
    words = sum(m.word_count for m in curriculum.modules)
    print(
        f"OK: {len(curriculum.modules)} modules ({words:,} words), "
        f"{len(curriculum.quizzes)} quizzes, {questions} questions, "
        f"{curriculum.practice_count} practice replies; program "
        f"“{content.program.credential.name}”."
    )
    return 0


def _open(settings: Settings, existing: bool = False):  # type: ignore[no-untyped-def]
    """The academy over the data folder; `existing`: refuse to start a new one."""
    from academy.services.academy import Academy

    folder = Path(settings.data_dir)
    if existing and not folder.is_dir():
        # A report or an issue run on a mistyped folder would quietly start
        # an empty site there and report that nothing exists.
        raise SettingsError(
            f"there is no data folder at {folder}; check --data or ACADEMY_DATA"
        )
    return Academy(settings).open()


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from academy.services.academy import Academy
    from academy.web.app import create_app

    # Before anything is written or announced: a taken port is not a start.
    unable = _cannot_listen(settings.host, settings.port)
    if unable:
        print(
            f"academy: cannot listen on {settings.local_url}: {unable}", file=sys.stderr
        )
        return 1
    academy = Academy(settings)
    academy.open()
    if args.demo:
        from academy.services.demo import DemoSeeder

        seeder = DemoSeeder(academy, settings.demo_password)
        fresh = not seeder.already_seeded()
        if fresh:
            print("Creating the demo cohort (first run only)…", flush=True)
        # Seeding makes a few hundred audited changes; their log lines would
        # push the demo logins off the screen. Warnings still show.
        academy_logger = logging.getLogger("academy")
        level = academy_logger.level
        academy_logger.setLevel(max(level, logging.WARNING))
        try:
            logins = seeder.seed()
        finally:
            academy_logger.setLevel(level)
        print(f"\nDemo accounts (password: {settings.demo_password}):", flush=True)
        for login in logins:
            print(f"  {login.email:<34} {login.name} — {login.story}")
        print()
    url = f"http://{settings.host}:{settings.port}"
    print(f"Mentor Academy is running at {url}  (Ctrl+C to stop)", flush=True)
    # One process: TinyDB allows one writer, and the data folder is locked to it.
    app = create_app(settings, academy=academy)
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default, which would
    # let any local client pick its own address and escape the per-client
    # sign-in throttle. The academy takes the address of the connection.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        workers=1,
        proxy_headers=False,
    )
    return 0


def _create_manager(settings: Settings, args: argparse.Namespace) -> int:
    from academy.domain.errors import Invalid
    from academy.services.accounts import EMAIL

    email = args.email.strip()
    if not EMAIL.match(email) or len(email) > 254:
        print(
            f"academy: {email[:60]!r} is not an email address like name@example.org",
            file=sys.stderr,
        )
        return 2
    password = os.environ.get("ACADEMY_PASSWORD")
    academy = _open(settings)
    try:
        existing = academy.store.user_by_email(email)
        if password is None and existing is None:
            if not sys.stdin.isatty():
                print(
                    "academy: set ACADEMY_PASSWORD or run in a terminal",
                    file=sys.stderr,
                )
                return 2
            try:
                password = getpass.getpass("Password for the new manager: ")
                repeated = getpass.getpass("Repeat it: ")
            except EOFError:
                print("\nacademy: no password given; nothing changed", file=sys.stderr)
                return 2
            if password != repeated:
                print("academy: the passwords differ", file=sys.stderr)
                return 2
        try:
            user, created = academy.accounts.create_manager(email, password, args.name)
        except Invalid as error:
            # The fields' own messages: a terminal has no form to highlight.
            for message in error.fields.values() or [error.message]:
                print(f"academy: {message}", file=sys.stderr)
            return 2
        print(_manager_outcome(user.email, created, existing, bool(password)))
        return 0
    finally:
        academy.close()


def _import(settings: Settings, args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"academy: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    academy = _open(settings)
    try:
        report = academy.eligibility.import_csv(
            data, "cli", args.dry_run, args.file.name
        )
    finally:
        academy.close()
    for row_error in report.errors:
        print(f"{args.file}: {row_error}", file=sys.stderr)
    print(report.summary())
    if report.newly_eligible:
        print(f"{len(report.newly_eligible)} learner(s) became eligible.")
    return 0 if report.ok else 1


def _issue(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from academy.services.issuing import issue_all, prepare_workers

    if args.all_ready and not args.dry_run:
        # The worker processes' fork server imports while the data opens.
        prepare_workers(args.workers)
    academy = _open(settings, existing=True)
    try:
        ready = academy.certificates.ready()
        if args.dry_run or not args.all_ready:
            print(f"{len(ready)} certificate(s) due.")
            for user_id in ready:
                summary = academy.summaries.get(user_id)
                label = f"{summary.name} <{summary.email}>" if summary else user_id
                print(f"  {label}")
            if ready and not args.all_ready and not args.dry_run:
                print("Run with --all-ready to issue them.")
            return 0
        started = time.monotonic()
        with tqdm(
            total=len(ready), desc="Issuing", unit="certificate", file=sys.stderr
        ) as bar:
            issued = issue_all(
                academy.certificates, ready, args.workers, "cli", bar.update
            )
        seconds = time.monotonic() - started
        print(f"Issued {issued} certificate(s) in {seconds:.1f} s.")
        return 0
    finally:
        academy.close()


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from academy.services.reports import export_chunks

    academy = _open(settings, existing=True)
    try:
        # Written as it is made: the responses report runs to tens of megabytes.
        for chunk in export_chunks(academy, args.kind):
            sys.stdout.write(chunk)
        sys.stdout.flush()
    except OSError as error:  # a full disk, a closed pipe
        print(f"academy: cannot write the report: {error.strerror}", file=sys.stderr)
        return 1
    finally:
        academy.close()
    return 0


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    report = backup(Path(settings.data_dir), args.target)
    print(
        f"Backed up {report.files} files ({report.bytes:,} bytes) to {report.folder}."
    )
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    report = restore(args.source, Path(settings.data_dir))
    kept = f" The data it replaced is kept in {report.kept}." if report.kept else ""
    print(f"Restored {report.files} files into {report.folder}.{kept}")
    return 0
