"""Who is in which dated cohort: moving one learner, enrolling by email or course."""

from dataclasses import replace

from academy.domain.errors import Invalid
from academy.domain.records import User
from academy.services.cohorts import Cohorts
from academy.services.context import Context
from academy.services.learners import Learners
from academy.services.summaries import SummaryIndex


class Enrolment:
    """Putting learners on a dated cohort's schedule, one at a time or by course."""

    def __init__(
        self,
        ctx: Context,
        summaries: SummaryIndex,
        cohorts: Cohorts,
        learners: Learners,
    ) -> None:
        self.ctx = ctx
        self.summaries = summaries
        self.cohorts = cohorts
        self.learners = learners

    def move_to_cohort(
        self, user_id: str, cohort_id: str, actor: str, reason: str = ""
    ) -> User:
        """Put a learner on a dated cohort's schedule (its start date and zone)."""
        cohort = self.ctx.cohort(cohort_id)
        if cohort is None or cohort.start_date is None:
            raise Invalid(
                "The learner was not moved.", {"cohort_id": "Choose a dated cohort."}
            )
        with self.ctx.store.learner_lock(user_id):
            user = self.learners.user(user_id)
            if user.is_manager:
                raise Invalid("Managers are not enrolled in cohorts.")
            if user.cohort_id == cohort.id:
                message = f"{user.name} is already in {cohort.name}."
                raise Invalid("The learner was not moved.", {"cohort_id": message})
            before = self.ctx.cohort(user.cohort_id)
            moved = replace(user, cohort_id=cohort.id, start_date=cohort.start_date)
            self.ctx.store.save_user(moved)
            self.ctx.audit(
                actor,
                "learner.move",
                user.id,
                f"{before.name if before else user.cohort_id} → {cohort.name}",
                reason.strip(),
            )
        self.summaries.refresh(user_id)
        return moved

    def enrol(self, cohort_id: str, email: str, actor: str) -> User:
        """Move the account with this email address into a dated cohort."""
        cohort = self.ctx.cohort(cohort_id)
        if cohort is None or cohort.start_date is None:
            message = (
                "Learners join the open cohort by registering; enrol them into a "
                "dated cohort instead."
            )
            raise Invalid("Nobody was enrolled.", {"email": message})
        user = self.ctx.store.user_by_email(email) if email.strip() else None
        if user is None:
            message = "No account uses this email address."
            raise Invalid("Nobody was enrolled.", {"email": message})
        if user.cohort_id == cohort_id:
            message = f"{user.name} is already in this cohort."
            raise Invalid("Nobody was enrolled.", {"email": message})
        return self.move_to_cohort(user.id, cohort_id, actor)

    def enrol_course(self, cohort_id: str, course_id: str, actor: str) -> int:
        """Move every learner with a record of this course into the cohort."""
        cohort = self.cohorts.cohort(cohort_id)
        course_id = course_id.strip()
        if not course_id:
            message = "Give the course id used in the eligibility import."
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        if cohort.start_date is None:
            message = "Choose a dated cohort; the open cohort takes no enrolments."
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        records = [
            r
            for r in self.ctx.store.all_eligibility()
            if any(c.course_id == course_id for c in r.courses)
        ]
        if not records:
            message = f"No eligibility record names the course {course_id[:60]!r}."
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        moved = 0
        for record in records:
            user = self.ctx.store.user_by_email(record.email)
            if user is None or user.is_manager or user.cohort_id == cohort.id:
                continue
            self.move_to_cohort(user.id, cohort.id, actor, f"imported for {course_id}")
            moved += 1
        if not moved:
            message = (
                f"All {len(records)} learner(s) with this course are already in the "
                "cohort or have not registered yet."
            )
            raise Invalid("Nobody was enrolled.", {"course_id": message})
        self.ctx.audit(
            actor, "cohort.enrol-course", cohort.id, f"{course_id}: {moved} moved"
        )
        return moved
