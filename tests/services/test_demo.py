"""The demo cohort: every stage a newcomer should see, seeded once."""

from collections.abc import Iterator
from datetime import datetime

import pytest

from academy.clock import FrozenClock
from academy.domain.certificate import Certificate, CertificateStatus
from academy.domain.curriculum import QuestionKind
from academy.domain.progress import Status
from academy.domain.records import ReplyState, Role, User
from academy.services.academy import Academy
from academy.services.demo import DemoSeeder
from academy.services.demo_people import DOMAIN
from academy.settings import Settings

NOW = datetime.fromisoformat("2026-06-10T12:00:00+00:00")


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Academy, DemoSeeder]]:
    # Seeding renders a handful of PDFs; once for the whole module is enough.
    from tests.conftest import make_settings

    settings: Settings = make_settings(tmp_path_factory.mktemp("demo") / "data")
    academy = Academy(settings, FrozenClock(NOW)).open()
    seeder = DemoSeeder(academy, "demo password 1")
    seeder.seed()
    yield academy, seeder
    academy.close()


def person(academy: Academy, slug: str) -> User:
    user = academy.store.user_by_email(f"{slug}@{DOMAIN}")
    assert user is not None, slug
    return user


def certificates_of(academy: Academy, slug: str) -> list[Certificate]:
    user = person(academy, slug)
    return [c for c in academy.certificates.all() if c.user_id == user.id]


def test_demo_logins_are_real_accounts(seeded: tuple[Academy, DemoSeeder]) -> None:
    academy, seeder = seeded
    for login in seeder.logins():
        user = academy.store.user_by_email(login.email)
        assert user is not None, login.email
        assert user.name == login.name
        assert (user.role is Role.MANAGER) == (login.role == "manager")


def test_demo_graduate_holds_a_valid_certificate(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    amara = person(academy, "amara")
    assert academy.learning.progress(amara).complete
    assert academy.eligibility.decision(amara.email).eligible
    [cert] = certificates_of(academy, "amara")
    assert cert.status(NOW) is CertificateStatus.VALID


def test_demo_trained_learner_waits_for_eligibility(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    diego = person(academy, "diego")
    assert academy.learning.progress(diego).complete
    decision = academy.eligibility.decision(diego.email)
    assert not decision.eligible and decision.reasons
    assert certificates_of(academy, "diego") == []


def test_demo_revoked_certificate_has_its_reason(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    [cert] = certificates_of(academy, "lena")
    assert cert.status(NOW) is CertificateStatus.REVOKED
    assert cert.revocation_reason


def test_demo_reissued_certificate_points_to_the_corrected_one(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    old, new = sorted(certificates_of(academy, "tomas"), key=lambda c: c.issued_at)
    assert old.status(NOW) is CertificateStatus.SUPERSEDED
    assert old.superseded_by == new.id and new.replaces == old.id
    assert (old.recipient_name, new.recipient_name) == ("Tomas Silva", "Tomás Silva")
    assert new.status(NOW) is CertificateStatus.VALID


def test_demo_learners_in_progress_show_each_reply_state(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    states = {
        slug: {
            r.state for r in academy.learning.progress(person(academy, slug)).replies
        }
        for slug in ("priya", "kenji", "sofia")
    }
    assert ReplyState.PENDING in states["priya"]
    assert ReplyState.RETURNED in states["kenji"]
    assert states["sofia"] == {"missing"}
    assert academy.learning.progress(person(academy, "sofia")).items_done == 0


def test_demo_shows_every_status(seeded: tuple[Academy, DemoSeeder]) -> None:
    academy, _ = seeded
    statuses = {s.status(NOW) for s in academy.summaries.all()}
    assert statuses == set(Status)


def test_demo_halfway_learner_is_on_track_and_kenji_behind(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded

    def status(slug: str) -> Status:
        summary = academy.summaries.get(person(academy, slug).id)
        assert summary is not None
        return summary.status(NOW)

    # Priya has done days 1 to 8 of 9; her latest reply waits for review.
    assert status("priya") is Status.ON_TRACK
    assert status("kenji") is Status.BEHIND
    on_track = [
        s
        for s in academy.summaries.all()
        if s.cohort_id == person(academy, "priya").cohort_id
        and s.status(NOW) is Status.ON_TRACK
    ]
    assert len(on_track) >= 3


def test_demo_review_queue_holds_different_replies(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    pending = academy.store.pending_replies()
    texts = set()
    for item in pending:
        data = academy.store.learner(item.user_id)
        assert data is not None
        texts.add(data.replies[item.key].latest.text)
    assert len(pending) >= 8 and len(texts) >= 5


def test_demo_reviews_return_weak_replies_and_some_come_back(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    replies = [
        r
        for user_id in academy.store.user_ids()
        if (data := academy.store.learner(user_id)) is not None
        for r in data.replies.values()
    ]
    assert any(r.state is ReplyState.RETURNED for r in replies)
    revised = [r for r in replies if len(r.versions) > 1]
    assert revised and all(r.versions[0].comment for r in revised)


def test_demo_multiple_answer_questions_get_partly_right_answers(
    seeded: tuple[Academy, DemoSeeder],
) -> None:
    academy, _ = seeded
    curriculum = academy.ctx.content.curriculum
    partial = 0
    for user_id in academy.store.user_ids():
        data = academy.store.learner(user_id)
        assert data is not None
        for attempt in data.attempts:
            quiz = curriculum.quizzes[attempt.quiz_slug]
            for q in quiz.graded_questions:
                given = set(attempt.answers.get(q.id, ()))
                right = set(q.correct_option_ids)
                if q.kind is QuestionKind.MULTIPLE and given and given < right:
                    partial += 1
    assert partial >= 10


def test_demo_audit_log_is_in_time_order(seeded: tuple[Academy, DemoSeeder]) -> None:
    academy, _ = seeded
    times = [e.at for e in academy.store.audit()]
    assert len(times) > 50 and times == sorted(times)
    actions = {e.action for e in academy.store.audit()}
    assert {"reply.approve", "reply.return", "learner.extension"} <= actions


def test_demo_seeds_once(seeded: tuple[Academy, DemoSeeder]) -> None:
    academy, seeder = seeded
    users = len(academy.store.user_ids())
    certificates = len(academy.certificates.all())

    seeder.seed()

    assert seeder.already_seeded()
    assert len(academy.store.user_ids()) == users
    assert len(academy.certificates.all()) == certificates
