import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from academy.credentials import openbadges2 as ob2
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .factories import ISSUED, make_cert, make_program

pytestmark = pytest.mark.usefixtures("no_network")

CONTEXT = "https://w3id.org/openbadges/v2"
BASE = "https://mentor-academy.org"


def test_ob2_issuer_fields(program: Program, urls: PublicUrls) -> None:
    assert ob2.issuer_document(program, urls) == {
        "@context": CONTEXT,
        "type": "Profile",
        "id": BASE + "/badges/issuer.json",
        "name": "Mentor Academy",
        "url": "https://mentor-academy.org",
        "email": "mentors@mentor-academy.org",
        "description": program.issuer.description,
        "revocationList": BASE + "/badges/revocations.json",
    }


def test_ob2_badge_class_fields(program: Program, urls: PublicUrls) -> None:
    assert ob2.badge_class(program, urls) == {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": BASE + "/badges/badge.json",
        "name": "Certified Course Mentor",
        "description": program.credential.description,
        "image": BASE + "/badges/badge.png",
        "criteria": {"narrative": program.credential.criteria},
        "issuer": BASE + "/badges/issuer.json",
        "tags": list(program.credential.skills),
    }


def test_ob2_badge_class_without_skills_has_no_tags(urls: PublicUrls) -> None:
    assert "tags" not in ob2.badge_class(make_program(skills=()), urls)


def test_ob2_assertion_fields(
    cert: Certificate, program: Program, urls: PublicUrls
) -> None:
    document = ob2.assertion(cert, program, urls)

    assert document == {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": BASE + "/badges/assertions/c3rt-0001.json",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "5a1t-of-ada",
            "identity": document["recipient"]["identity"],
        },
        "badge": BASE + "/badges/badge.json",
        "verification": {"type": "hosted"},
        "issuedOn": "2025-03-14T09:26:53Z",
        "expires": "2027-03-14T09:26:53Z",
        "image": BASE + "/badges/assertions/c3rt-0001.png",
        "evidence": BASE + "/verify/c3rt-0001",
    }
    json.dumps(document)  # serializable as it is


def test_ob2_hashed_identity_is_salted_sha256_of_lowercased_email() -> None:
    expected = hashlib.sha256(b"ada.lovelace@example.org" + b"pepper").hexdigest()
    assert ob2.hashed_identity("Ada.Lovelace@Example.ORG", "pepper") == (
        "sha256$" + expected
    )


def test_ob2_assertion_identity_uses_cert_salt(
    cert: Certificate, program: Program, urls: PublicUrls
) -> None:
    recipient = ob2.assertion(cert, program, urls)["recipient"]
    assert recipient["identity"] == ob2.hashed_identity(
        "ada.lovelace@example.org", "5a1t-of-ada"
    )
    other_salt = ob2.assertion(make_cert(salt="other"), program, urls)["recipient"]
    assert other_salt["identity"] != recipient["identity"]


def test_ob2_assertion_without_expiry_has_no_expires(
    program: Program, urls: PublicUrls
) -> None:
    assert "expires" not in ob2.assertion(make_cert(expires=False), program, urls)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2025, 3, 14, 9, 26, 53, 999999, tzinfo=UTC), "2025-03-14T09:26:53Z"),
        (
            datetime(2025, 3, 14, 1, 0, tzinfo=timezone(timedelta(hours=2))),
            "2025-03-13T23:00:00Z",
        ),
        (datetime(2025, 3, 14, 9, 0), "2025-03-14T09:00:00Z"),
    ],
    ids=["utc-microseconds-dropped", "offset-converted", "naive-taken-as-utc"],
)
def test_ob2_timestamps_are_utc_with_z(moment: datetime, text: str) -> None:
    assert ob2.iso_utc(moment) == text


def test_ob2_revoked_assertion_form(urls: PublicUrls) -> None:
    cert = make_cert().revoked(ISSUED + timedelta(days=3), "Issued in error")

    assert ob2.revoked_assertion(cert, urls) == {
        "@context": CONTEXT,
        "id": BASE + "/badges/assertions/c3rt-0001.json",
        "revoked": True,
        "revocationReason": "Issued in error",
    }


def test_ob2_revoked_assertion_without_reason_omits_it(urls: PublicUrls) -> None:
    cert = make_cert(revoked_at=ISSUED + timedelta(days=3))
    assert "revocationReason" not in ob2.revoked_assertion(cert, urls)


def test_ob2_revocation_list_holds_only_revoked(
    program: Program, urls: PublicUrls
) -> None:
    later = ISSUED + timedelta(days=10)
    certs = [
        make_cert("valid"),
        make_cert("zz-revoked").revoked(later, "Academic misconduct"),
        make_cert("superseded").superseded("valid"),
        make_cert("expired", issued_at=ISSUED - timedelta(days=800)),
        make_cert("aa-revoked", revoked_at=later),
    ]

    document = ob2.revocation_list(certs, program, urls, now=later)

    assert document == {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": BASE + "/badges/revocations.json",
        "issuer": BASE + "/badges/issuer.json",
        "revokedAssertions": [
            {"id": BASE + "/badges/assertions/aa-revoked.json", "uid": "aa-revoked"},
            {
                "id": BASE + "/badges/assertions/zz-revoked.json",
                "uid": "zz-revoked",
                "revocationReason": "Academic misconduct",
            },
        ],
    }


def test_ob2_revocation_list_empty(program: Program, urls: PublicUrls) -> None:
    document = ob2.revocation_list([], program, urls, now=ISSUED)
    assert document["revokedAssertions"] == []
