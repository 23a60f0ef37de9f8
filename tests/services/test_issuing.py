"""`academy issue --all-ready --workers N`: rendering in processes, writing here."""

from collections import Counter
from pathlib import Path

import pytest

from academy import cli
from academy.clock import FrozenClock
from academy.domain.records import CourseRecord, Eligibility
from academy.services.academy import Academy
from academy.services.issuing import issue_all
from academy.settings import Settings
from tests.conftest import ROOT
from tests.factories import GOOD_ROW, finish_training, learner


def _ready(academy: Academy, clock: FrozenClock, count: int) -> list[str]:
    """Learners complete and eligible whose certificates were not issued yet."""
    users = [
        learner(academy, f"mentor{n}@example.org", f"Mentor {n}") for n in range(count)
    ]
    for user in users:
        finish_training(academy, clock, user)
    # Straight into the store: the service would issue at once.
    academy.store.save_eligibility(
        [
            Eligibility(
                u.email,
                (
                    CourseRecord(
                        email=u.email,
                        name=u.name,
                        course_id=GOOD_ROW["course_id"],
                        course_name=GOOD_ROW["course_name"],
                        grade_percent=95.0,
                        forum_posts=40,
                        forum_upvotes=30,
                        forum_flags=0,
                        updated_at=clock.now(),
                    ),
                ),
            )
            for u in users
        ]
    )
    for user in users:
        academy.summaries.refresh(user.id)
    assert sorted(academy.certificates.ready()) == sorted(u.id for u in users)
    return [u.id for u in users]


def _issued(academy: Academy) -> Counter[str]:
    return Counter(c.user_id for c in academy.certificates.all())


def test_issue_all_with_two_workers_issues_one_each(
    academy: Academy, clock: FrozenClock
) -> None:
    user_ids = _ready(academy, clock, 3)

    issued = issue_all(academy.certificates, user_ids * 2, 2, "cli")

    assert issued == 3
    assert _issued(academy) == Counter({u: 1 for u in user_ids})
    for cert in academy.certificates.all():
        assert (academy.store.blob(f"{cert.id}.pdf") or b"").startswith(b"%PDF")
        assert (academy.store.blob(f"{cert.id}.png") or b"").startswith(b"\x89PNG")
    issues = [e for e in academy.store.audit() if e.action == "certificate.issue"]
    assert sorted(e.subject for e in issues) == sorted(user_ids)
    assert academy.certificates.ready() == []


def test_cli_issue_all_ready_with_two_workers(
    settings: Settings,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    academy = Academy(settings, clock).open()
    user_ids = _ready(academy, clock, 3)
    academy.close()
    monkeypatch.setenv("ACADEMY_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ACADEMY_CONTENT", str(ROOT))
    monkeypatch.setenv("ACADEMY_LOG_LEVEL", "WARNING")
    data = str(Path(settings.data_dir))

    assert cli.main(["--data", data, "issue", "--all-ready", "--workers", "2"]) == 0
    assert "Issued 3 certificate(s)" in capsys.readouterr().out
    assert cli.main(["--data", data, "issue", "--all-ready", "--workers", "2"]) == 0
    assert "Issued 0 certificate(s)" in capsys.readouterr().out

    again = Academy(settings, clock).open()
    try:
        assert _issued(again) == Counter({u: 1 for u in user_ids})
    finally:
        again.close()


@pytest.mark.parametrize(
    "workers", ["0", "-1", "two"], ids=["zero", "negative", "word"]
)
def test_cli_issue_refuses_a_bad_worker_count(
    settings: Settings, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--data", str(settings.data_dir), "issue", "--workers", workers])
    assert exit_info.value.code == 2
    assert "number of 1 or more" in capsys.readouterr().err
