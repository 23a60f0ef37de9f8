"""The community manager's use cases: cohorts, learners, reviews, the audit log.

Overviews across learners work from the in-memory summaries and quiz results,
never from one file read per row, so they stay fast with thousands of
learners. Every change a manager makes is written to the audit log, by the
part below that makes it or by the service that part calls.
"""

from academy.services.audit_log import AuditLog
from academy.services.certificate_register import CertificateRegister
from academy.services.certificates import Certificates
from academy.services.cohorts import Cohorts
from academy.services.context import Context
from academy.services.eligibility import EligibilityService
from academy.services.eligibility_register import EligibilityRegister
from academy.services.enrolment import Enrolment
from academy.services.learners import Learners
from academy.services.quiz_results import QuizResults
from academy.services.quiz_statistics import QuizStatistics
from academy.services.reviews import Reviews
from academy.services.summaries import SummaryIndex


class Manage:
    """Use cases of the manager's console, over the academy's other services.

    Each use case is a method of one of the parts built here, and is also an
    attribute of this class under the same name, so callers need only
    `academy.manage`.
    """

    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        certificates: Certificates,
        eligibility: EligibilityService,
        quiz_results: QuizResults,
    ) -> None:
        self.cohorts = Cohorts(ctx, summaries, certificates, quiz_results)
        self.learners = Learners(
            ctx, summaries, eligibility, quiz_results, self.cohorts
        )
        self.enrolment = Enrolment(ctx, summaries, self.cohorts, self.learners)
        self.quiz_statistics = QuizStatistics(quiz_results)
        self.reviews = Reviews(ctx, summaries, certificates, self.learners)
        self.certificate_register = CertificateRegister(ctx, summaries, certificates)
        self.eligibility_register = EligibilityRegister(ctx, summaries, eligibility)
        self.audit_log = AuditLog(ctx, self.learners)

        self.home = self.cohorts.home
        self.cohort_rows = self.cohorts.cohort_rows
        self.cohort = self.cohorts.cohort
        self.dated_cohorts = self.cohorts.dated_cohorts
        self.create_cohort = self.cohorts.create_cohort
        self.overview = self.cohorts.overview

        self.find_learners = self.learners.find_learners
        self.learner = self.learners.learner
        self.names = self.learners.names
        self.grant_extension = self.learners.grant_extension
        self.reset_attempt = self.learners.reset_attempt
        self.override = self.learners.override

        self.move_to_cohort = self.enrolment.move_to_cohort
        self.enrol = self.enrolment.enrol
        self.enrol_course = self.enrolment.enrol_course

        self.quiz_reports = self.quiz_statistics.quiz_reports
        self.quiz_page = self.quiz_statistics.quiz_page

        self.review_queue = self.reviews.review_queue
        self.review = self.reviews.review

        self.certificate_list = self.certificate_register.certificate_list
        self.certificates_due = self.certificate_register.certificates_due
        self.issue = self.certificate_register.issue

        self.eligibility_list = self.eligibility_register.eligibility_list
        self.import_eligibility = self.eligibility_register.import_eligibility

        self.audit_entries = self.audit_log.audit_entries
        self.audit_page = self.audit_log.audit_page
