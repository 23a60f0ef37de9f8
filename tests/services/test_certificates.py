"""Issuing in either order, once; revoking, reissuing and expiry."""

import threading
from datetime import timedelta

import pytest

from academy.clock import FrozenClock
from academy.domain.certificate import CertificateStatus
from academy.domain.errors import Conflict, Invalid
from academy.services.academy import Academy
from tests.factories import finish_training, learner, make_eligible


def test_issue_when_training_completes_after_eligibility(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    make_eligible(academy, user.email)
    assert academy.certificates.current_of(user.id) is None
    finish_training(academy, clock, user)
    cert = academy.certificates.current_of(user.id)
    assert cert is not None and cert.recipient_name == "Ana Silva"
    assert academy.store.blob(
        f"{cert.id}.pdf",
    ).startswith(b"%PDF")  # type: ignore[union-attr]
    assert any(e.action == "certificate.issue" for e in academy.store.audit())


def test_issue_when_eligibility_arrives_after_training(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    finish_training(academy, clock, user)
    assert academy.certificates.current_of(user.id) is None
    make_eligible(academy, user.email)
    assert academy.certificates.current_of(user.id) is not None


def test_failed_render_leaves_the_import_saved_and_the_certificate_due(
    academy: Academy,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = learner(academy)
    finish_training(academy, clock, user)

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(academy.certificates, "render_files", full_disk)
    make_eligible(academy, user.email)  # asserts the import reports success

    assert academy.eligibility.decision(user.email).eligible
    assert academy.certificates.current_of(user.id) is None
    assert academy.certificates.ready() == [user.id]
    assert "could not be issued" in caplog.text
    monkeypatch.undo()
    academy.certificates.issue_if_due(user.id)
    assert academy.certificates.current_of(user.id) is not None


def test_not_issued_while_a_reply_awaits_review(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    make_eligible(academy, user.email)
    finish_training(academy, clock, user, approve=False)
    assert academy.certificates.current_of(user.id) is None
    assert academy.certificates.ready() == []


def test_issue_is_idempotent_even_when_raced(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    finish_training(academy, clock, user)
    academy.eligibility.import_rows  # noqa: B018 - eligibility comes last, below
    threads = [
        threading.Thread(target=make_eligible, args=(academy, user.email, g))
        for g in ("91", "93")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(3):
        academy.certificates.issue_if_due(user.id)
    data = academy.store.learner(user.id)
    assert data is not None and len(data.certificates) == 1


def test_revoke_needs_reason_and_is_not_undone_by_issuing(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    make_eligible(academy, user.email)
    finish_training(academy, clock, user)
    cert = academy.certificates.current_of(user.id)
    assert cert is not None
    with pytest.raises(Invalid):
        academy.certificates.revoke(cert.id, "  ", "m")
    revoked = academy.certificates.revoke(cert.id, "Wrong person", "m")
    assert revoked.status(clock.now()) is CertificateStatus.REVOKED
    with pytest.raises(Conflict):
        academy.certificates.revoke(cert.id, "again", "m")
    assert academy.certificates.issue_if_due(user.id) is None


def test_reissue_supersedes_and_links(academy: Academy, clock: FrozenClock) -> None:
    user = learner(academy)
    make_eligible(academy, user.email)
    finish_training(academy, clock, user)
    old = academy.certificates.current_of(user.id)
    assert old is not None
    new = academy.certificates.reissue(
        old.id, "Name corrected", "m", name="Ana Maria Silva"
    )
    assert new.recipient_name == "Ana Maria Silva" and new.replaces == old.id
    stored_old = academy.certificates.get(old.id)
    assert stored_old.superseded_by == new.id
    assert stored_old.status(clock.now()) is CertificateStatus.SUPERSEDED
    with pytest.raises(Conflict):
        academy.certificates.reissue(old.id, "twice", "m")


def test_certificate_expires_with_the_clock(
    academy: Academy, clock: FrozenClock
) -> None:
    user = learner(academy)
    make_eligible(academy, user.email)
    finish_training(academy, clock, user)
    cert = academy.certificates.current_of(user.id)
    assert cert is not None and cert.expires_at is not None
    validity = academy.ctx.content.program.credential.validity_days
    assert cert.expires_at - cert.issued_at == timedelta(days=validity or 0)
    clock.set(cert.expires_at - timedelta(seconds=1))
    assert cert.status(clock.now()) is CertificateStatus.VALID
    clock.set(cert.expires_at)
    assert cert.status(clock.now()) is CertificateStatus.EXPIRED


def test_certificate_ids_are_random_and_long(
    academy: Academy, clock: FrozenClock
) -> None:
    from academy.services.certificates import new_certificate_id

    ids = {new_certificate_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 32 for i in ids)
