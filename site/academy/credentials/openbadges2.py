"""Open Badges 2.0 documents: issuer, badge class, hosted assertions, revocations."""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from academy.domain.certificate import Certificate, CertificateStatus
from academy.domain.program import Program

from .urls import PublicUrls

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

Document = dict[str, Any]


def iso_utc(moment: datetime) -> str:
    """Format a time as ISO 8601 in UTC with a Z, to the second.

    A naive datetime is taken to be in UTC already.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def hashed_identity(email: str, salt: str) -> str:
    """The salted recipient hash: 'sha256$' + hex sha256(lowercased email + salt)."""
    digest = hashlib.sha256((email.lower() + salt).encode("utf-8")).hexdigest()
    return "sha256$" + digest


def issuer_document(program: Program, urls: PublicUrls) -> Document:
    """The issuer Profile served at /badges/issuer.json."""
    issuer = program.issuer
    return {
        "@context": OB2_CONTEXT,
        # "Profile" is the 2.0 class name; "Issuer" survives only as an alias.
        "type": "Profile",
        "id": urls.issuer(),
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
        "description": issuer.description,
        "revocationList": urls.revocations(),
    }


def badge_class(program: Program, urls: PublicUrls) -> Document:
    """The BadgeClass served at /badges/badge.json."""
    spec = program.credential
    document: Document = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": urls.badge_class(),
        "name": spec.name,
        "description": spec.description,
        "image": urls.badge_image(),
        # No page of the site describes the criteria alone, so the narrative
        # carries them and there is no criteria URL.
        "criteria": {"narrative": spec.criteria},
        "issuer": urls.issuer(),
    }
    if spec.skills:
        document["tags"] = list(spec.skills)
    return document


def assertion(cert: Certificate, program: Program, urls: PublicUrls) -> Document:
    """The hosted Assertion served at /badges/assertions/{id}.json."""
    document: Document = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(cert.id),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": cert.salt,
            "identity": hashed_identity(cert.recipient_email, cert.salt),
        },
        "badge": urls.badge_class(),
        "verification": {"type": "hosted"},
        "issuedOn": iso_utc(cert.issued_at),
        "image": urls.baked_assertion(cert.id),
        "evidence": urls.verify(cert.id),
    }
    if cert.expires_at is not None:
        document["expires"] = iso_utc(cert.expires_at)
    return document


def revoked_assertion(cert: Certificate, urls: PublicUrls) -> Document:
    """The body of the 410 answer for a revoked assertion, as OB 2.0 describes it."""
    document: Document = {
        "@context": OB2_CONTEXT,
        "id": urls.assertion(cert.id),
        "revoked": True,
    }
    if cert.revocation_reason:
        document["revocationReason"] = cert.revocation_reason
    return document


def revocation_list(
    certs: Iterable[Certificate], program: Program, urls: PublicUrls, now: datetime
) -> Document:
    """The RevocationList served at /badges/revocations.json, sorted by id."""
    revoked = []
    for cert in sorted(certs, key=lambda c: c.id):
        if cert.status(now) is not CertificateStatus.REVOKED:
            continue
        entry = {"id": urls.assertion(cert.id), "uid": cert.id}
        if cert.revocation_reason:
            entry["revocationReason"] = cert.revocation_reason
        revoked.append(entry)
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": urls.revocations(),
        "issuer": urls.issuer(),
        "revokedAssertions": revoked,
    }
