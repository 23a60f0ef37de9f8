"""A certificate and the rules for its status."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Certificate:
    id: str
    user_id: str
    recipient_name: str
    recipient_email: str
    issued_at: datetime
    salt: str
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    superseded_by: str | None = None
    replaces: str | None = None

    def status(self, now: datetime) -> CertificateStatus:
        """Revocation wins over supersession, which wins over expiry."""
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.superseded_by is not None:
            return CertificateStatus.SUPERSEDED
        if self.expires_at is not None and now >= self.expires_at:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    def revoked(self, at: datetime, reason: str) -> "Certificate":
        return replace(self, revoked_at=at, revocation_reason=reason)

    def superseded(self, by: str) -> "Certificate":
        return replace(self, superseded_by=by)


@dataclass(frozen=True)
class CertificatePage:
    """Everything certificate.html shows: what the renderer and the checker give it."""

    title: str
    subject: str
    keywords: tuple[str, ...]
    credential_name: str
    credential_description: str
    skills: tuple[str, ...]
    recipient_name: str
    name_size_pt: float
    issued_on: str
    issued_w3c: str
    expires_on: str | None
    certificate_id: str
    verify_url: str
    qr_uri: str
    issuer_name: str
    issuer_url: str
    badge_url: str
    badge_alt: str
