"""Generated input thrown at every form, the JSON API, the CSV upload and the loader.

Whatever comes in, the answer is success or a 4xx with a message: never a
500, and a refused request leaves the data folder exactly as it was. The
forms are listed from the app's routes, so a new POST route without an entry
in FORMS fails here. Throttles are reset and learners are fresh for every
example, so each one reaches the code under test rather than a 429 or 409.
"""

import hashlib
import json
import os
import re
import shutil
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import Signer
from starlette.testclient import TestClient

from academy.clock import FrozenClock
from academy.content import ContentError, load_content
from academy.domain.records import Cohort
from academy.services.academy import Academy
from academy.services.throttle import LoginThrottle
from academy.web.security import SESSION_COOKIE
from tests.conftest import PASSWORD, ROOT, csrf, login
from tests.factories import GOOD_ROW, REPLY, certified, finish_training, learner
from tests.web.test_access_matrix import app_routes, fill

EXAMPLES = int(os.environ.get("ACADEMY_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Examples run per test, printed at the end of the module (pytest -s shows it).
RUN: Counter[str] = Counter()
# Statuses per form, to show the examples reach past the CSRF and throttle checks.
ANSWERS: Counter[tuple[str, int]] = Counter()

hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "\u202eevil\u202c",
            "zero\u200bwidth",
            "line\u2028sep",
            "a" * 5000,
            "../../etc/passwd",
            "\x00\x01",
            "' OR 1=1 --",
            "-1",
            "0",
            "60",
            "1e9",
            "NaN",
            "2026-02-30",
            "2026-03-09",
            "9999-12-31",
            "UTC",
            "Europe/../../etc",
            "yes",
            "approve",
            "return",
            "eligible",
            "ineligible",
            "clear",
            "/dashboard",
            "//evil.example",
        ]
    ),
)

# Who posts each form, and the fields it reads. Path parameters come from the
# world's records (or a bogus value); field values from the world or hostile.
FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "/register": ("anonymous", ("name", "email", "password")),
    "/login": ("anonymous", ("email", "password")),
    # Logout reads no field; one sent anyway must change nothing.
    "/logout": ("learner", ("next",)),
    "/modules/{slug}/complete": ("learner", ()),
    "/quizzes/{slug}": ("learner", ("confirm_blank",)),
    "/quizzes/{slug}/replies/{question_id}": ("learner", ()),
    "/manage/cohorts": ("manager", ("name", "start_date", "timezone")),
    "/manage/cohorts/{cohort_id}/enrol": ("manager", ("email",)),
    "/manage/cohorts/{cohort_id}/enrol-course": ("manager", ("course_id",)),
    "/manage/learners/{user_id}/extension": ("manager", ("days", "reason")),
    "/manage/learners/{user_id}/attempts/{attempt_id}/reset": (
        "manager",
        ("reason",),
    ),
    "/manage/learners/{user_id}/cohort": ("manager", ("cohort_id", "reason")),
    "/manage/learners/{user_id}/eligibility": ("manager", ("decision", "reason")),
    "/manage/replies/review": (
        "manager",
        ("decision", "comment", "user_id", "key", "version", "anchor"),
    ),
    "/manage/certificates/issue": ("manager", ("user_id", "next")),
    "/manage/certificates/{cert_id}/revoke": ("manager", ("reason", "next")),
    "/manage/certificates/{cert_id}/reissue": ("manager", ("reason", "name", "next")),
    "/manage/eligibility/import": ("manager", ("dry_run",)),
    "/manage/eligibility/tokens": ("manager", ("name",)),
    "/manage/eligibility/tokens/{token_id}/revoke": ("manager", ()),
}
# Refused imports are audited on purpose; nothing else of theirs is written.
AUDITED_REFUSALS = {"/manage/eligibility/import"}
# Posted with a bearer token and a JSON body, not a form.
NOT_FORMS = {"/api/eligibility"}


@dataclass
class World:
    academy: Academy
    client: TestClient
    manager: TestClient
    # Real values for each path parameter and form field, to mix with hostile.
    values: dict[str, list[str]]
    data_dir: Path
    # Path parameters that only make sense together (a question of its quiz).
    pairs: dict[str, list[dict[str, str]]]
    learners: int = 0


@pytest.fixture(scope="module", autouse=True)
def _report_examples() -> Iterator[None]:
    yield
    total = sum(RUN.values())
    print(f"\nfuzz examples run: {total} ({dict(sorted(RUN.items()))})")
    print(f"form answers: {dict(sorted(ANSWERS.items()))}")


@pytest.fixture
def world(client: TestClient, academy: Academy, clock: FrozenClock) -> World:
    # Everyone registers on one day: the owner's training moves the clock on.
    other = learner(academy, "other@example.org", "Oda Other")
    manager, _ = academy.accounts.create_manager("boss@example.org", PASSWORD, "Morgan")
    owner, cert = certified(academy, clock, "owner@example.org", "Olu Owner")
    finish_training(academy, clock, other, approve=False)
    academy.store.save_cohort(
        Cohort("c_fuzz", "Fuzz", "UTC", clock.now(), clock.now().date())
    )
    token, _ = academy.tokens.create("fuzz", manager.id)
    curriculum = academy.ctx.content.curriculum
    data = [academy.store.learner(u.id) for u in (owner, other)]
    managing = TestClient(client.app, follow_redirects=False)
    login(managing, manager.email)
    values = {
        "slug": [m.slug for m in curriculum.modules],
        "question_id": [
            q.id for quiz in curriculum.quizzes.values() for q in quiz.questions
        ],
        "user_id": [owner.id, other.id],
        "attempt_id": [a.id for d in data if d for a in d.attempts][:6],
        "cert_id": [cert.id],
        "cohort_id": ["c_fuzz", "open"],
        "token_id": [token.id],
        "key": [key for d in data if d for key in d.replies][:6],
        "version": ["1", "2"],
        "email": [owner.email, other.email, "new@example.org"],
        "course_id": [GOOD_ROW["course_id"]],
        "decision": ["approve", "return", "eligible", "ineligible", "clear"],
        "password": [PASSWORD],
        "name": ["Spring cohort", "Ana Silva"],
        "start_date": ["2026-04-06"],
        "timezone": ["UTC", "Europe/Lisbon"],
        "days": ["3", "7"],
        "reason": ["Agreed by email after an illness."],
        "comment": ["Good: one question would help."],
        "next": ["/manage/certificates"],
        "dry_run": ["yes", ""],
        "confirm_blank": ["yes"],
    }
    pairs = {
        "/quizzes/{slug}/replies/{question_id}": [
            {"slug": quiz.slug, "question_id": q.id}
            for quiz in curriculum.quizzes.values()
            for q in quiz.practice_questions
        ],
        "/manage/learners/{user_id}/attempts/{attempt_id}/reset": [
            {"user_id": d.user.id, "attempt_id": a.id}
            for d in data
            if d
            for a in d.attempts
        ],
    }
    return World(academy, client, managing, values, academy.settings.data_dir, pairs)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under the data folder and a digest of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(".lock")
    }


def assert_clear_refusal(status: int, body: str, what: str) -> None:
    """A 4xx says what went wrong: an alert on a page, or a JSON message."""
    assert status < 500, f"{what}: {status} {body[:300]}"
    if status < 400:
        return
    if body.startswith("{"):
        answer = json.loads(body)
        assert answer.get("error") or answer.get("summary"), f"{what}: {body[:300]}"
        return
    # A quiz that is not open yet says so in its standing warning instead.
    alert = re.search(
        r'(?:role="alert"|class="warning")[^>]*>\s*(?:<[^>]+>\s*)*([^<\s][^<]*)', body
    )
    assert alert, f"{what}: {status} without a message"


def value_of(name: str, world: World, real_weight: int = 1) -> st.SearchStrategy[str]:
    """A real value for `name` or hostile text; path parts lean to real ones."""
    real = world.values.get(name, [])
    if not real:
        return hostile
    choices: list[str | None] = [*real] * real_weight + [None]
    return st.sampled_from(choices).flatmap(
        lambda v: hostile if v is None else st.just(v)
    )


def fresh(world: World, role: str) -> TestClient:
    """The client for a role; a learner is new each time, with open throttles."""
    accounts = world.academy.accounts
    accounts.throttle = LoginThrottle(
        accounts.throttle.allowed, accounts.throttle.window
    )
    accounts.client_throttle = LoginThrottle(
        accounts.client_throttle.allowed, accounts.client_throttle.window
    )
    client = world.client
    client.cookies.clear()
    if role == "manager":
        return world.manager
    if role == "learner":
        world.learners += 1
        user = learner(world.academy, f"fuzz{world.learners}@example.org")
        # Started weeks ago, so every module and quiz is open to the forms.
        user = replace(user, start_date=user.start_date - timedelta(days=20))
        world.academy.store.save_user(user)
        token = accounts.start_session(user)
        signed = Signer(world.academy.settings.secret_key, salt="session").sign(token)
        client.cookies.set(SESSION_COOKIE, signed.decode())
    return client


def quiz_fields(world: World, slug: str, data: st.DataObject) -> dict[str, object]:
    """Answers to the quiz's real questions: real option ids or hostile text."""
    quiz = world.academy.ctx.content.curriculum.quizzes.get(slug)
    fields: dict[str, object] = {}
    for question in quiz.questions if quiz else ():
        if data.draw(st.booleans()):
            options = [o.id for o in question.options] or [REPLY]
            fields[f"q.{question.id}"] = data.draw(
                st.lists(st.sampled_from(options) | hostile, max_size=3)
            )
    return fields


def post_routes(client: TestClient) -> set[str]:
    return {path for path, methods in app_routes(client).items() if "POST" in methods}


def test_fuzz_covers_every_post_route(client: TestClient) -> None:
    assert post_routes(client) == set(FORMS) | NOT_FORMS


@pytest.mark.parametrize("path", sorted(FORMS))
@FUZZ
@given(data=st.data())
def test_form_never_fails_badly(world: World, path: str, data: st.DataObject) -> None:
    role, names = FORMS[path]
    client = fresh(world, role)
    params = {
        name: data.draw(value_of(name, world, real_weight=4))
        for name in re.findall(r"\{(\w+)", path)
    }
    pairs = world.pairs.get(path)
    if pairs and data.draw(st.sampled_from([True, True, True, False])):
        params = dict(data.draw(st.sampled_from(pairs)))
    url = fill(path, {k: quote(v, safe="") or "-" for k, v in params.items()})
    fields: dict[str, object] = {n: data.draw(value_of(n, world)) for n in names}
    files = None
    if path == "/quizzes/{slug}":
        fields.update(quiz_fields(world, params["slug"], data))
    if path.endswith("/replies/{question_id}"):
        fields[f"q.{params['question_id']}"] = data.draw(hostile | st.just(REPLY))
    if path == "/manage/eligibility/import":
        files = {"file": ("records.csv", data.draw(csv_bytes), "text/csv")}
    fields["csrf_token"] = csrf(client, "/login")
    before = snapshot(world.data_dir)

    response = client.post(url, data=fields, files=files)

    assert_clear_refusal(response.status_code, response.text, f"POST {url}")
    if response.status_code >= 400:
        after = snapshot(world.data_dir)
        if path in AUDITED_REFUSALS:
            before.pop("audit.jsonl", None)
            after.pop("audit.jsonl", None)
        assert after == before, f"POST {url} wrote on refusal"
    RUN[path] += 1
    ANSWERS[path, response.status_code] += 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile, children, max_size=4)
    ),
    max_leaves=12,
)
# Records shaped like the real ones, with any field replaced or left out.
record = st.fixed_dictionaries(
    {},
    optional={
        name: st.sampled_from([value]) | hostile | json_values
        for name, value in {**GOOD_ROW, "email": "owner@example.org"}.items()
    },
)
api_bodies = (
    json_values
    | st.lists(record, max_size=3)
    | st.fixed_dictionaries({"records": st.lists(record, max_size=3)})
)


@FUZZ
@given(body=api_bodies)
def test_eligibility_api_never_fails_badly(world: World, body: object) -> None:
    academy = world.academy
    if "secret" not in world.values:
        world.values["secret"] = [academy.tokens.create("api", "m")[1]]
    before = snapshot(world.data_dir)
    response = world.client.post(
        "/api/eligibility",
        content=json.dumps(body),
        headers={"authorization": f"Bearer {world.values['secret'][0]}"},
    )
    assert_clear_refusal(response.status_code, response.text, "POST /api/eligibility")
    if response.status_code >= 400:
        assert snapshot(world.data_dir) == before
    RUN["/api/eligibility"] += 1


def _csv(rows: list[dict[str, str]]) -> bytes:
    header = list(GOOD_ROW) + ["email"]
    lines = [",".join(header)]
    lines += [",".join(row.get(name, "") for name in header) for row in rows]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def mostly(value: str) -> st.SearchStrategy[str]:
    """The given value nine times in ten, hostile text otherwise."""
    return st.sampled_from([value] * 9 + [""]).flatmap(
        lambda v: st.just(v) if v else hostile
    )


csv_rows = st.lists(
    st.fixed_dictionaries(
        {
            name: mostly(value)
            for name, value in {**GOOD_ROW, "email": "new@example.org"}.items()
        }
    ),
    max_size=3,
)
csv_bytes = (
    st.binary(max_size=2000)
    | st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass"))
    | csv_rows.map(_csv)
)


@FUZZ
@given(data=csv_bytes)
def test_csv_import_never_fails_badly(academy: Academy, data: bytes) -> None:
    before = academy.store.all_eligibility()
    report = academy.eligibility.import_csv(data, "fuzz")
    if not report.ok:
        assert academy.store.all_eligibility() == before
        assert all(str(e) for e in report.errors)
    RUN["import_csv"] += 1


def _toml_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """The file with a few lines dropped, replaced or cut, or wholly random."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["drop", "value", "line", "cut"]))
        if change == "drop":
            del lines[at]
        elif change == "value" and "=" in lines[at]:
            key = lines[at].split("=", 1)[0]
            new = draw(json_values | st.lists(st.integers(), max_size=3))
            lines[at] = f"{key}= {_toml_value(new)}"
        elif change == "line":
            lines[at] = draw(st.text(max_size=80))
        else:
            lines = lines[: at + 1]
    return "\n".join(lines)


# (the file that is damaged, as a path under the content folder)
LOADED_FILES = ("modules/mentor-role.md", "quizzes/mentor-role.toml")
PROGRAM = "certificates/program.toml"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
@pytest.mark.parametrize("target", [*LOADED_FILES, PROGRAM])
def test_content_loader_reports_or_loads(
    tmp_path: Path, target: str, data: st.DataObject
) -> None:
    root = tmp_path / "content"
    if root.exists():
        shutil.rmtree(root)
    for folder in ("modules", "quizzes", "certificates"):
        shutil.copytree(ROOT / folder, root / folder)
    original = (ROOT / target).read_text(encoding="utf-8")
    if target.endswith(".toml"):
        tomllib.loads(original)  # the starting point is valid
    text = data.draw(damaged(original) | st.text(max_size=400))
    (root / target).write_text(text, encoding="utf-8", errors="surrogatepass")

    try:
        load_content(root)
    except ContentError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path.startswith(("modules/", "quizzes/", "certificates/"))
            assert problem.line > 0 or problem.path in problem.message, str(problem)
    RUN[f"loader {target}"] += 1
