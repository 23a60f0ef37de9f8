"""Issuing, revoking and reissuing certificates, and the files they are made of."""

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from academy.credentials.pdf import CertificateRenderer
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate, CertificateStatus
from academy.domain.eligibility import decide
from academy.domain.errors import Conflict, Gone, Invalid, NotFound
from academy.domain.progress import all_modules_read
from academy.domain.records import User
from academy.services.accounts import clean_name
from academy.services.context import Context
from academy.services.summaries import SummaryIndex, progress_of

logger = logging.getLogger(__name__)

MAX_REASON = 2000


def new_certificate_id() -> str:
    """128 random bits: unguessable, and safe in a URL and a file name."""
    return secrets.token_hex(16)


def require_reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise Invalid(
            "Give a reason; it is recorded in the audit log.", {"reason": "Required."}
        )
    if len(cleaned) > MAX_REASON:
        raise Invalid(
            f"Keep the reason under {MAX_REASON} characters.", {"reason": "Too long."}
        )
    return cleaned


class Certificates:
    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        renderer: CertificateRenderer,
        urls: PublicUrls,
        preview: Callable[[Certificate], bytes],
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.renderer = renderer
        self.urls = urls
        self.preview = preview
        self._render_lock = threading.Semaphore(2)

    def due(self, user_id: str) -> bool:
        """Complete and eligible, and never certified before."""
        data = self.ctx.store.learner(user_id)
        if data is None or data.user.is_manager or data.certificates:
            return False
        # Asked first, it spares the whole progress computation after most
        # submissions, which come from learners still part-way through.
        if not all_modules_read(self.ctx.content.curriculum, data.completions):
            return False
        if not progress_of(self.ctx, data).complete:
            return False
        thresholds = self.ctx.content.program.thresholds
        return decide(self.ctx.store.eligibility(data.user.email), thresholds).eligible

    def issue_if_due(self, user_id: str, actor: str = "system") -> Certificate | None:
        """Issue the certificate once both conditions hold; idempotent.

        A learner who ever held a certificate gets no automatic new one: a
        revoked certificate stays revoked until a manager reissues it.
        """
        # Only known accounts get a lock (and a file read): an id from a form
        # may be anything.
        if self.ctx.store.user(user_id) is None:
            return None
        with self.ctx.store.learner_lock(user_id):
            user = self.ctx.store.user(user_id)
            if user is None or not self.due(user_id):
                return None
            cert = self._issue(user, replaces=None, actor=actor)
        return cert

    def _issue(self, user: User, replaces: str | None, actor: str) -> Certificate:
        cert = self.new_certificate(user, replaces)
        # Render before saving: a certificate is never visible without its PDF.
        pdf, preview = self.render_files(cert)
        self._save(cert, pdf, preview, actor)
        return cert

    def new_certificate(self, user: User, replaces: str | None = None) -> Certificate:
        """A certificate for `user` dated now, not yet rendered nor saved."""
        now = self.ctx.now()
        validity = self.ctx.content.program.credential.validity_days
        return Certificate(
            id=new_certificate_id(),
            user_id=user.id,
            recipient_name=user.name,
            recipient_email=user.email,
            issued_at=now,
            salt=secrets.token_hex(8),
            expires_at=now + timedelta(days=validity) if validity else None,
            replaces=replaces,
        )

    def render_files(self, cert: Certificate) -> tuple[bytes, bytes]:
        """The certificate's PDF and its link-preview image."""
        program = self.ctx.content.program
        with self._render_lock:
            pdf = self.renderer.render(cert, program, self.urls.verify(cert.id))
            preview = self.preview(cert)
        return pdf, preview

    def issue_rendered(
        self, cert: Certificate, pdf: bytes, preview: bytes, actor: str
    ) -> bool:
        """Save a certificate rendered elsewhere, if it is still due; False if not.

        For `academy issue --workers`: worker processes render, and this
        process, the only one holding the data folder, writes.
        """
        with self.ctx.store.learner_lock(cert.user_id):
            if not self.due(cert.user_id):
                return False
            self._save(cert, pdf, preview, actor)
        return True

    def _save(self, cert: Certificate, pdf: bytes, preview: bytes, actor: str) -> None:
        self.ctx.store.save_blob(f"{cert.id}.pdf", pdf)
        self.ctx.store.save_blob(f"{cert.id}.png", preview)
        self.ctx.store.save_certificate(cert)
        self.ctx.audit(actor, "certificate.issue", cert.user_id, cert.id)
        self.summaries.refresh(cert.user_id)

    def _render_files(self, cert: Certificate) -> None:
        pdf, preview = self.render_files(cert)
        self.ctx.store.save_blob(f"{cert.id}.pdf", pdf)
        self.ctx.store.save_blob(f"{cert.id}.png", preview)

    def get(self, cert_id: str) -> Certificate:
        cert = self.ctx.store.certificate(cert_id) if _plausible(cert_id) else None
        if cert is None:
            raise NotFound("No certificate has this id. Check the link for typos.")
        if cert.superseded_by is None:
            cert = self._finish_reissue(cert)
        return cert

    def _finish_reissue(self, cert: Certificate) -> Certificate:
        """`cert`, marked superseded if a saved reissue replaced it.

        A reissue saves the new certificate first and then marks the old one;
        a crash between the two leaves a new certificate naming the old one in
        `replaces` while the old one still looks valid. Whoever reads the old
        one next finishes the change, so two valid certificates are never
        shown.
        """
        data = self.ctx.store.learner(cert.user_id)
        successor = (
            next((c for c in data.certificates if c.replaces == cert.id), None)
            if data
            else None
        )
        if successor is None:
            return cert
        with self.ctx.store.learner_lock(cert.user_id):
            current = self.ctx.store.certificate(cert.id)
            if current is None or current.superseded_by is not None:
                return current or cert
            logger.warning("finishing the interrupted reissue of %s", cert.id)
            finished = current.superseded(successor.id)
            self.ctx.store.save_certificate(finished)
        self.summaries.refresh(cert.user_id)
        return finished

    def current_of(self, user_id: str) -> Certificate | None:
        """The learner's current certificate: the one no reissue replaced."""
        data = self.ctx.store.learner(user_id)
        if data is None or not data.certificates:
            return None
        # A reissue supersedes its predecessor at the same moment, so order by
        # "not replaced" first and only then by time.
        return max(
            data.certificates, key=lambda c: (c.superseded_by is None, c.issued_at)
        )

    def pdf(self, cert_id: str) -> bytes:
        """The stored PDF; Gone once revoked, so no copy circulates as valid."""
        cert = self.get(cert_id)
        if cert.revoked_at is not None:
            raise Gone(
                f"This certificate was revoked on {cert.revoked_at:%d %B %Y}: "
                f"{cert.revocation_reason or 'no reason was given'}. Its "
                f"verification page says so: {self.urls.verify(cert.id)}"
            )
        pdf = self.ctx.store.blob(f"{cert.id}.pdf")
        if pdf is None:
            # The file can only be missing if the data folder was copied in part.
            logger.warning("re-rendering missing PDF of %s", cert.id)
            self._render_files(cert)
            pdf = self.ctx.store.blob(f"{cert.id}.pdf")
        assert pdf is not None
        return pdf

    def preview_image(self, cert_id: str) -> bytes:
        """The link-preview card; a new one is drawn when the status changes."""
        cert = self.get(cert_id)
        status = cert.status(self.ctx.now())
        valid = status is CertificateStatus.VALID
        name = f"{cert.id}.png" if valid else f"{cert.id}.{status}.png"
        image = self.ctx.store.blob(name)
        if image is None:
            with self._render_lock:
                image = self.preview(cert)
            self.ctx.store.save_blob(name, image)
        return image

    def revoke(self, cert_id: str, reason: str, actor: str) -> Certificate:
        reason = require_reason(reason)
        cert = self.get(cert_id)
        with self.ctx.store.learner_lock(cert.user_id):
            cert = self.get(cert_id)
            if cert.revoked_at is not None:
                raise Conflict("This certificate is already revoked.")
            revoked = cert.revoked(self.ctx.now(), reason)
            self.ctx.store.save_certificate(revoked)
            self.ctx.audit(actor, "certificate.revoke", cert.user_id, cert.id, reason)
        self.summaries.refresh(cert.user_id)
        return revoked

    def reissue(
        self, cert_id: str, reason: str, actor: str, name: str | None = None
    ) -> Certificate:
        """A new certificate replacing `cert_id`, optionally under a corrected name."""
        reason = require_reason(reason)
        old = self.get(cert_id)
        with self.ctx.store.learner_lock(old.user_id):
            old = self.get(cert_id)
            if old.status(self.ctx.now()) is CertificateStatus.SUPERSEDED:
                raise Conflict(
                    "This certificate was already replaced; reissue the newest one."
                )
            user = self.ctx.store.user(old.user_id)
            if user is None:
                raise NotFound("The learner of this certificate no longer exists.")
            if name is not None and name.strip() and name.strip() != user.name:
                new_name = clean_name(name)
                self.ctx.audit(
                    actor,
                    "learner.rename",
                    user.id,
                    f"{user.name} → {new_name}",
                    reason,
                )
                user = replace(user, name=new_name)
                self.ctx.store.save_user(user)
            # The new certificate is saved first: it names the old one, so a
            # crash before the next line is finished when the old one is read.
            new = self._issue(user, replaces=old.id, actor=actor)
            self.ctx.store.save_certificate(old.superseded(new.id))
            self.ctx.audit(
                actor, "certificate.reissue", user.id, f"{old.id} → {new.id}", reason
            )
        self.summaries.refresh(old.user_id)
        return new

    def _read(self, cert_id: str) -> Certificate | None:
        try:
            return self.get(cert_id)
        except NotFound:
            return None

    def ready(self) -> list[str]:
        """Learners whose certificate is due now."""
        return [
            s.user_id
            for s in self.summaries.all()
            if s.completed_at and s.eligible and not s.certified and self.due(s.user_id)
        ]

    def all(self) -> list[Certificate]:
        certs = [self._read(i) for i in self.ctx.store.certificate_ids()]
        return sorted(
            (c for c in certs if c is not None), key=lambda c: c.issued_at, reverse=True
        )


def _plausible(cert_id: str) -> bool:
    return 0 < len(cert_id) <= 64 and all(c.isalnum() or c in "-_" for c in cert_id)
