"""The assembled application core: every use case over one store and content."""

import logging
from pathlib import Path

from academy.clock import Clock, SystemClock
from academy.content import load_content
from academy.credentials.keys import SigningKey, load_or_create_signing_key
from academy.credentials.pdf import CertificateRenderer
from academy.credentials.preview import render_preview
from academy.credentials.urls import PublicUrls
from academy.domain.certificate import Certificate
from academy.domain.records import Eligibility
from academy.services.accounts import Accounts
from academy.services.certificates import Certificates
from academy.services.context import Context
from academy.services.eligibility import EligibilityService
from academy.services.learning import Learning
from academy.services.manage import Manage
from academy.services.quiz_results import QuizResults
from academy.services.summaries import SummaryIndex
from academy.services.tokens import Tokens
from academy.settings import Settings
from academy.store import LearnerData, Store

logger = logging.getLogger(__name__)


class Academy:
    """Built once per process; the web app and the CLI both drive it."""

    def __init__(
        self, settings: Settings, clock: Clock | None = None, memory: bool = False
    ) -> None:
        # Content first: a site that refuses to start writes nothing at all.
        content = load_content(settings.content_dir)
        self.settings = settings.with_secret()
        store = Store(None if memory else Path(settings.data_dir))
        self.ctx = Context(self.settings, store, content, clock or SystemClock())
        self.urls = PublicUrls(self.settings.base_url)
        self.signing_key: SigningKey = load_or_create_signing_key(
            Path(settings.data_dir)
        )
        self.renderer = CertificateRenderer(content.certificates_dir)
        self.summaries = SummaryIndex(self.ctx)
        self.accounts = Accounts(self.ctx, self.summaries.refresh)
        self.certificates = Certificates(
            self.ctx, self.summaries, self.renderer, self.urls, self._preview
        )
        self.learning = Learning(self.ctx, self.summaries, self._learner_changed)
        self.eligibility = EligibilityService(self.ctx, self._eligibility_changed)
        self.tokens = Tokens(self.ctx)
        self.quiz_results = QuizResults(self.ctx)
        self.manage = Manage(
            self.ctx,
            self.summaries,
            self.certificates,
            self.eligibility,
            self.quiz_results,
        )
        self._opened = False
        # Certificates a crash left unmarked in the middle of a reissue.
        self._interrupted: list[str] = []

    def _preview(self, cert: Certificate) -> bytes:
        content = self.ctx.content
        return render_preview(
            cert,
            content.program,
            now=self.ctx.now(),
            certificates=content.certificates_dir,
        )

    def _learner_changed(self, user_id: str) -> None:
        self.quiz_results.learner_changed(user_id)
        self._issue_if_due(user_id)

    def _eligibility_changed(self, user_id: str) -> None:
        self.summaries.refresh(user_id)
        self._issue_if_due(user_id)

    def _issue_if_due(self, user_id: str) -> None:
        """Issue now if due; a failure leaves it due and the change that led here.

        The quiz submission or import that made a certificate due is already
        saved; a render that fails (a full disk, a template gone wrong) must
        not report that change as failed. The certificate stays due, listed
        under Manage › Certificates and by `academy issue`.
        """
        try:
            self.certificates.issue_if_due(user_id)
        except Exception:
            logger.exception(
                "certificate of %s is due but could not be issued", user_id
            )

    @property
    def store(self) -> Store:
        return self.ctx.store

    def open(self) -> "Academy":
        """Lock the data folder and build the in-memory indexes.

        The summaries and the quiz results are both built from the one read
        the store makes of each learner's file, so no page pays for a build.
        """
        self.store.open(self._learner_read)
        self.ctx.open_cohort()
        self._opened = True
        for cert_id in self._interrupted:
            self.certificates.get(cert_id)  # finishes the reissue as it reads
        return self

    def _learner_read(self, data: LearnerData, record: Eligibility | None) -> None:
        self.summaries.add(data, record)
        self.quiz_results.add(data)
        # A reissue cut short by a crash: the new certificate names the old
        # one, which is not yet marked as replaced.
        unmarked = {c.id for c in data.certificates if c.superseded_by is None}
        self._interrupted += [
            c.replaces for c in data.certificates if c.replaces in unmarked
        ]

    def close(self) -> None:
        if self._opened:
            self.store.close()
            self._opened = False
