"""Generated input thrown at every form, the JSON API, the CSV import and the loader.

Whatever comes in, the answer is a clear 4xx or success: never a 500, and a
refused request writes nothing.
"""

import json
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from academy.content import ContentError, load_content
from academy.services.academy import Academy
from tests.conftest import ROOT, csrf, register

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '=HYPERLINK("http://x")',
            "\u202eevil\u202c",
            "zero\u200bwidth",
            "a" * 5000,
            "../../etc/passwd",
            "\x00\x01",
            "' OR 1=1 --",
        ]
    ),
)


@FUZZ
@given(name=hostile, email=hostile, password=hostile)
def test_register_never_fails_badly(
    client: TestClient, name: str, email: str, password: str
) -> None:
    token = csrf(client, "/register")
    response = client.post(
        "/register",
        data={"csrf_token": token, "name": name, "email": email, "password": password},
    )
    assert response.status_code in (303, 422), response.text[:300]
    client.cookies.pop("academy_session", None)


@FUZZ
@given(email=hostile, password=hostile)
def test_login_never_fails_badly(client: TestClient, email: str, password: str) -> None:
    token = csrf(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    # 422: a control character in a field is refused before any look-up.
    assert response.status_code in (401, 422, 429), response.text[:300]


@FUZZ
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "q.scope-of-role",
                "q.code-breaches",
                "q.escalate-word",
                "q.x",
                "confirm_blank",
                "q.",
            ]
        ),
        st.lists(hostile, max_size=3),
        max_size=5,
    )
)
def test_quiz_submission_never_fails_badly(
    client: TestClient, academy: Academy, fields: dict[str, list[str]]
) -> None:
    if client.cookies.get("academy_session") is None:
        register(client, email="fuzz@example.org")
    user = academy.store.user_by_email("fuzz@example.org")
    assert user is not None
    before = len(academy.store.learner(user.id).attempts)  # type: ignore[union-attr]
    token = csrf(client, "/quizzes/mentor-role")
    response = client.post("/quizzes/mentor-role", data={"csrf_token": token, **fields})
    assert response.status_code in (303, 409, 422), response.text[:300]
    after = len(academy.store.learner(user.id).attempts)  # type: ignore[union-attr]
    assert after == before + (1 if response.status_code == 303 else 0)
    assert after <= 3


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | hostile,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile, children, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(body=json_values)
def test_eligibility_api_never_fails_badly(
    client: TestClient, academy: Academy, body: object
) -> None:
    _, secret = (
        academy.tokens.create("fuzz", "m")
        if not hasattr(academy, "_fuzz_secret")
        else (None, academy._fuzz_secret)
    )  # type: ignore[attr-defined]
    academy._fuzz_secret = secret  # type: ignore[attr-defined]
    before = academy.store.all_eligibility()
    response = client.post(
        "/api/eligibility",
        content=json.dumps(body),
        headers={"authorization": f"Bearer {secret}"},
    )
    assert response.status_code in (200, 400, 422), response.text[:300]
    if response.status_code != 200:
        assert academy.store.all_eligibility() == before


@FUZZ
@given(data=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_csv_import_never_fails_badly(academy: Academy, data: bytes) -> None:
    before = academy.store.all_eligibility()
    report = academy.eligibility.import_csv(data, "fuzz")
    if not report.ok:
        assert academy.store.all_eligibility() == before
        assert all(str(e) for e in report.errors)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(front=st.text(max_size=400), body=st.text(max_size=400))
def test_content_loader_reports_or_loads(tmp_path: Path, front: str, body: str) -> None:
    root = tmp_path / "content"
    if not root.exists():
        for folder in ("modules", "quizzes", "certificates"):
            shutil.copytree(ROOT / folder, root / folder)
    (root / "modules" / "zz-fuzz.md").write_text(
        f"+++\n{front}\n+++\n{body}", encoding="utf-8", errors="surrogatepass"
    )
    try:
        load_content(root)
    except ContentError as error:
        assert all(
            str(p).startswith(("modules/", "quizzes/", "certificates/"))
            for p in error.problems
        )
