"""The demo's seeding: a manager and learners at every stage, on first run only.

The history is written in the order it would have happened, so the audit log,
review queue and certificates look lived in. Who the people are, and how far
each got, is in demo_people; how they answer quizzes, in demo_answers.
"""

import heapq
import itertools
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from academy.clock import Clock, FrozenClock
from academy.domain.curriculum import Quiz
from academy.domain.records import Cohort, Role, User
from academy.services.academy import Academy
from academy.services.context import new_id
from academy.services.demo_answers import answers_scoring
from academy.services.demo_people import (
    AUTUMN_REACH,
    DAY,
    DOMAIN,
    EXTENDED,
    GENERATED,
    MANAGER,
    SPRING_REACH,
    DemoLogin,
    Plan,
    demo_logins,
    generated_course_record,
    generated_email,
    generated_name,
    named_course_records,
    stage_plan,
)
from academy.services.demo_replies import REPLIES, DemoReply

logger = logging.getLogger(__name__)


class DemoSeeder:
    """Writes the demo's history as it would have happened, oldest first.

    Every step is planned with the moment it happens and replayed in time
    order under a clock set to that moment, so the audit log, review queue
    and certificates read as if people had really done these things.
    """

    def __init__(self, academy: Academy, password: str, seed: int = 7) -> None:
        self.academy = academy
        self.password = password
        self.rng = random.Random(seed)
        self.real_clock: Clock = academy.ctx.clock
        self.now = self.real_clock.now()
        self.manager: User | None = None
        self._plan: list[tuple[datetime, int, Callable[[], object]]] = []
        self._order = itertools.count()

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Write history as if it happened at `moment`."""
        self.academy.ctx.clock = FrozenClock(min(moment, self.now))
        try:
            yield
        finally:
            self.academy.ctx.clock = self.real_clock

    def later(self, moment: datetime, step: Callable[[], object]) -> None:
        """Plan `step` for `moment`, or for now if that is still to come."""
        when = min(moment, self.now)
        heapq.heappush(self._plan, (when, next(self._order), step))

    def _replay(self) -> None:
        while self._plan:
            moment, _, step = heapq.heappop(self._plan)
            with self.at(moment):
                step()

    def already_seeded(self) -> bool:
        return self.academy.store.user_by_email(MANAGER) is not None

    def seed(self) -> list[DemoLogin]:
        """Create the demo data unless it exists; return the logins to print."""
        logins = self.logins()
        if self.already_seeded():
            return logins
        a = self.academy
        with self.at(self.now - timedelta(days=30)):
            manager, _ = a.accounts.create_manager(MANAGER, self.password, "Morgan Lee")
        self.manager = manager
        today = self.now.date()
        spring = self._cohort("Spring mentors", today - timedelta(days=18))
        autumn = self._cohort("Autumn mentors", today - timedelta(days=8))
        self.later(self.now - timedelta(days=20), self._eligibility)

        self._learner("Amara Okafor", "amara", spring, stage="graduate")
        self._learner("Diego Fernández", "diego", spring, stage="trained")
        self._learner("Lena Novak", "lena", spring, stage="revoked")
        self._learner("Tomas Silva", "tomas", spring, stage="reissued")
        self._learner("Priya Raman", "priya", autumn, stage="midway")
        self._learner("Kenji Watanabe", "kenji", autumn, stage="behind")
        self._learner("Sofia Rossi", "sofia", None, stage="new")
        self._generated(spring, autumn)
        self._replay()
        a.summaries.build()
        logger.info("demo data created")
        return logins

    def logins(self) -> list[DemoLogin]:
        return demo_logins()

    def _cohort(self, name: str, start: object) -> Cohort:
        cohort = Cohort(
            id=new_id("c"),
            name=name,
            timezone=self.academy.settings.timezone,
            created_at=self.now - timedelta(days=30),
            start_date=start,  # type: ignore[arg-type]
        )
        self.academy.store.save_cohort(cohort)
        return cohort

    def _eligibility(self) -> None:
        rows = named_course_records()
        self.academy.eligibility.import_rows(rows, "demo", source="demo")

    def _learner(self, name: str, slug: str, cohort: Cohort | None, stage: str) -> None:
        a = self.academy
        start = cohort.start_date if cohort and cohort.start_date else self.now.date()
        begin = datetime.combine(start, datetime.min.time(), tzinfo=self.now.tzinfo)
        with self.at(begin + timedelta(hours=9)):
            user = a.accounts.register(name, f"{slug}@{DOMAIN}", self.password)
        if cohort is not None:
            user = replace(user, cohort_id=cohort.id, start_date=start)
            a.store.save_user(user)
        self._work(user, begin, stage_plan(stage, begin))

        actor = self.manager.id if self.manager else "demo"
        if stage == "revoked":
            self.later(
                begin + DAY * 16,
                lambda: self._revoke(
                    user,
                    "Issued by mistake: the course record was for another learner.",
                    actor,
                ),
            )
        if stage == "reissued":
            # Registered without the accent; the old link now leads to the new one.
            self.later(
                begin + DAY * 17,
                lambda: self._reissue(
                    user,
                    "The learner asked for his name to be spelt with its accent.",
                    actor,
                    "Tomás Silva",
                ),
            )

    def _revoke(self, user: User, reason: str, actor: str) -> None:
        cert = self.academy.certificates.current_of(user.id)
        if cert is not None:
            self.academy.certificates.revoke(cert.id, reason, actor)

    def _reissue(self, user: User, reason: str, actor: str, name: str) -> None:
        cert = self.academy.certificates.current_of(user.id)
        if cert is not None:
            self.academy.certificates.reissue(cert.id, reason, actor, name=name)

    def _work(self, user: User, begin: datetime, plan: Plan) -> None:
        """Plan a learner's days: read each module, take its quiz, write replies."""
        curriculum = self.academy.ctx.content.curriculum
        for module in curriculum.modules:
            if module.day > plan.days:
                break
            moment = begin + timedelta(
                days=module.day - 1, hours=10 + self.rng.random() * 8
            )
            learning = self.academy.learning
            self.later(moment, partial(learning.complete_module, user, module.slug))
            if module.quiz_slug:
                quiz = curriculum.quizzes[module.quiz_slug]
                attempt = partial(self._attempt, user, quiz, plan, 0)
                self.later(moment + timedelta(minutes=25), attempt)

    def _attempt(self, user: User, quiz: Quiz, plan: Plan, number: int) -> None:
        """One attempt; a failed one plans the next, twenty minutes later."""
        # Each try goes better than the last: the learner reads the feedback.
        skill = min(1.0, plan.skill + 0.12 * number)
        fail = plan.first_fail and number == 0
        answers = answers_scoring(quiz, 0.3 if fail else skill, self.rng)
        chosen: dict[str, DemoReply] = {}
        if number == 0:
            for q in quiz.practice_questions:
                chosen[q.id] = REPLIES[q.id][plan.choose(q.id, self.rng)]
                answers[q.id] = [chosen[q.id].text]
        result = self.academy.learning.submit_attempt(user, quiz.slug, answers)
        now = self.academy.ctx.now()
        for question_id, reply in chosen.items():
            self._plan_review(user, quiz.slug, question_id, reply, plan, now)
        if not result.attempt.passed and number + 1 < quiz.max_attempts:
            self.later(
                now + timedelta(minutes=20),
                partial(self._attempt, user, quiz, plan, number + 1),
            )

    def _plan_review(
        self,
        user: User,
        slug: str,
        question_id: str,
        reply: DemoReply,
        plan: Plan,
        sent: datetime,
    ) -> None:
        when = plan.review(sent) if plan.review else None
        if when is None or when >= self.now:
            return  # still in the queue
        self.later(when, lambda: self._review(user, slug, question_id, reply, plan))

    def _review(
        self, user: User, slug: str, question_id: str, reply: DemoReply, plan: Plan
    ) -> None:
        """The manager's verdict; a returned reply may come back revised."""
        a = self.academy
        key = f"{slug}/{question_id}"
        data = a.store.learner(user.id)
        assert data is not None
        version = str(len(data.replies[key].versions))
        reviewer = self.manager.id if self.manager else "demo"
        a.manage.review(user.id, key, version, reply.approve, reply.comment, reviewer)
        if reply.approve or not plan.revises or self.rng.random() < 0.25:
            return
        better = REPLIES[question_id][self.rng.choice((0, 1, 2))]
        sent = a.ctx.now() + timedelta(hours=self.rng.uniform(6, 60))

        def revise() -> None:
            a.learning.submit_reply(user, slug, question_id, better.text)
            self._plan_review(user, slug, question_id, better, plan, a.ctx.now())

        self.later(sent, revise)

    def _generated(self, spring: Cohort, autumn: Cohort) -> None:
        """A few dozen learners of varied skill, so the charts say something."""
        a = self.academy
        password_hash = a.accounts.hasher.hash(self.password)
        rows = []
        for i in range(GENERATED):
            cohort = spring if i % 2 == 0 else autumn
            assert cohort.start_date is not None
            name = generated_name(i)
            email = generated_email(i)
            begin = datetime.combine(
                cohort.start_date, datetime.min.time(), tzinfo=self.now.tzinfo
            )
            user = User(
                new_id("u"),
                email,
                name,
                password_hash,
                Role.LEARNER,
                begin,
                cohort.id,
                cohort.start_date,
            )
            a.store.add_user(user)
            rows.append(generated_course_record(email, name, self.rng))
            # Spring is past its due date: most finished, a few stopped early.
            # Autumn is on day 9: some are up to date, some a few days behind.
            reach = SPRING_REACH if cohort is spring else AUTUMN_REACH
            skill = self.rng.uniform(0.6, 0.98)
            plan = Plan(
                12 if i == EXTENDED else self.rng.choice(reach),
                skill,
                pick=None,
                review=lambda sent: sent + DAY * self.rng.uniform(0.5, 5),
                revises=True,
            )
            self._work(user, begin, plan)
            if i == EXTENDED:
                self._extend(user, begin + DAY * 11)
        self.later(
            self.now - DAY,
            lambda: a.eligibility.import_rows(rows, "demo", source="demo"),
        )

    def _extend(self, user: User, when: datetime) -> None:
        """One learner fell ill, and the manager gave them a week more."""
        actor = self.manager.id if self.manager else "demo"
        self.later(
            when,
            lambda: self.academy.manage.grant_extension(
                user.id, "7", "In hospital for a week; back on Monday.", actor
            ),
        )
