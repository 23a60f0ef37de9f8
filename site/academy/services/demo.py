"""The demo cohort: a manager and learners at every stage, on first run only."""

import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from academy.clock import Clock, FrozenClock
from academy.domain.curriculum import Question, QuestionKind, Quiz
from academy.domain.records import Cohort, ReplyState, Role, User
from academy.services.academy import Academy
from academy.services.context import new_id

logger = logging.getLogger(__name__)

DOMAIN = "demo.mentor-academy.org"
MANAGER = f"manager@{DOMAIN}"
GENERATED = 36

# Replies the demo learners write, one per practice question, so the review
# queue reads like a real one.
REPLIES = {
    "reply-to-persuasive-paragraph": (
        "Thank you for sharing this, Marta. Your opening picture works: the 25 "
        "minutes at the bus stop and the broken bench make the problem real, and a "
        "reader can see it. The paragraph loses force at the end, where you say the "
        'city should "maybe" improve the service. Try stating your claim plainly '
        "in the first sentence, then let the bus stop details prove it. Post the "
        "revised version here and we can look at it together."
    ),
    "reply-to-first-idea": (
        "Welcome to the forum, Mei, and not a silly question at all. What you "
        "noticed is close to the testing effect: explaining to your sister made you "
        "pull the idea out of memory instead of rereading it. Does it feel different "
        "when she asks you questions back? Has anyone else tried explaining a topic "
        "to a friend or family member this week? Tell us what you noticed."
    ),
    "calm-heated-thread": (
        "Let's take a breath, everyone. This started as a good question about this "
        "week's reading, and there is real evidence worth discussing. Please keep "
        "comments about the studies, not about each other; remarks about people "
        "will be hidden. Rafael and Greta, could each of you share the one study "
        "you find most convincing, with a sentence on its method? Then we can "
        "compare them against the reading from Week 4."
    ),
    "reply-to-tired-learner": (
        "Hi Oksana, three days on one bug is tiring, and you have done the hard "
        "part already: the loop and the vowel check are right. I can't send code "
        "privately, but here is a hint: look at where the return line sits. How "
        "many letters does the loop check before it returns? About the extra day, "
        "only the course staff can change deadlines; please ask them in the "
        "Deadlines thread tonight. Get some rest first."
    ),
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    story: str


def correct_answers(quiz: Quiz) -> dict[str, list[str]]:
    return {q.id: _right(q) for q in quiz.graded_questions}


def _right(q: Question) -> list[str]:
    if q.kind is QuestionKind.TRUE_FALSE:
        return ["true" if q.answer else "false"]
    if q.kind is QuestionKind.SHORT:
        return [q.accepted[0]]
    return sorted(q.correct_option_ids)


def _wrong(q: Question, rng: random.Random) -> list[str]:
    if q.kind is QuestionKind.TRUE_FALSE:
        return ["false" if q.answer else "true"]
    if q.kind is QuestionKind.SHORT:
        return ["not sure"]
    wrong = [o.id for o in q.options if not o.correct]
    return [rng.choice(wrong)]


def answers_scoring(
    quiz: Quiz, skill: float, rng: random.Random
) -> dict[str, list[str]]:
    """Answers that get each question right with probability `skill`."""
    return {
        q.id: _right(q) if rng.random() < skill else _wrong(q, rng)
        for q in quiz.graded_questions
    }


def _verb(state: ReplyState) -> str:
    return "approve" if state is ReplyState.APPROVED else "return"


class DemoSeeder:
    def __init__(self, academy: Academy, password: str, seed: int = 7) -> None:
        self.academy = academy
        self.password = password
        self.rng = random.Random(seed)
        self.real_clock: Clock = academy.ctx.clock
        self.now = self.real_clock.now()
        self.manager: User | None = None

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Write history as if it happened at `moment`."""
        self.academy.ctx.clock = FrozenClock(min(moment, self.now))
        try:
            yield
        finally:
            self.academy.ctx.clock = self.real_clock

    def already_seeded(self) -> bool:
        return self.academy.store.user_by_email(MANAGER) is not None

    def seed(self) -> list[DemoLogin]:
        """Create the demo data unless it exists; return the logins to print."""
        logins = self.logins()
        if self.already_seeded():
            return logins
        a = self.academy
        manager, _ = a.accounts.create_manager(MANAGER, self.password, "Morgan Lee")
        self.manager = manager
        today = self.now.date()
        spring = self._cohort("Spring mentors", today - timedelta(days=18))
        autumn = self._cohort("Autumn mentors", today - timedelta(days=8))
        self._eligibility()

        self._learner("Amara Okafor", "amara", spring, stage="graduate")
        self._learner("Diego Fernández", "diego", spring, stage="trained")
        self._learner("Lena Novak", "lena", spring, stage="revoked")
        self._learner("Tomas Silva", "tomas", spring, stage="reissued")
        self._learner("Priya Raman", "priya", autumn, stage="midway")
        self._learner("Kenji Watanabe", "kenji", autumn, stage="behind")
        self._learner("Sofia Rossi", "sofia", None, stage="new")
        self._generated(spring, autumn)
        a.summaries.build()
        logger.info("demo data created")
        return logins

    def logins(self) -> list[DemoLogin]:
        return [
            DemoLogin(
                "manager",
                "Morgan Lee",
                MANAGER,
                "community manager: review queue, cohorts, reports",
            ),
            DemoLogin(
                "learner",
                "Amara Okafor",
                f"amara@{DOMAIN}",
                "graduate with a certificate",
            ),
            DemoLogin(
                "learner",
                "Diego Fernández",
                f"diego@{DOMAIN}",
                "finished training, not yet eligible",
            ),
            DemoLogin("learner", "Lena Novak", f"lena@{DOMAIN}", "certificate revoked"),
            DemoLogin(
                "learner",
                "Tomás Silva",
                f"tomas@{DOMAIN}",
                "certificate reissued with his name corrected",
            ),
            DemoLogin(
                "learner",
                "Priya Raman",
                f"priya@{DOMAIN}",
                "halfway, a reply waiting for review",
            ),
            DemoLogin(
                "learner",
                "Kenji Watanabe",
                f"kenji@{DOMAIN}",
                "behind schedule, a reply returned",
            ),
            DemoLogin("learner", "Sofia Rossi", f"sofia@{DOMAIN}", "registered today"),
        ]

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
        rows = []
        good = {
            "grade_percent": "91",
            "forum_posts": "42",
            "forum_upvotes": "57",
            "forum_flags": "0",
        }
        for slug, name in [
            ("amara", "Amara Okafor"),
            ("lena", "Lena Novak"),
            ("tomas", "Tomás Silva"),
            ("priya", "Priya Raman"),
            ("kenji", "Kenji Watanabe"),
        ]:
            rows.append(
                {
                    "email": f"{slug}@{DOMAIN}",
                    "name": name,
                    "course_id": "py101",
                    "course_name": "Python for Everyone",
                    **good,
                }
            )
        rows.append(
            {
                "email": f"diego@{DOMAIN}",
                "name": "Diego Fernández",
                "course_id": "stats201",
                "course_name": "Statistics in Practice",
                "grade_percent": "88",
                "forum_posts": "6",
                "forum_upvotes": "3",
                "forum_flags": "0",
            }
        )
        with self.at(self.now - timedelta(days=20)):
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
        days = {
            "graduate": 14,
            "trained": 14,
            "revoked": 14,
            "reissued": 14,
            "midway": 7,
            "behind": 4,
            "new": 0,
        }[stage]
        self._work(user, begin, days, skill=1.0, first_fail=(stage == "midway"))
        if stage in ("graduate", "trained", "revoked", "reissued"):
            self._review_all(user, begin + timedelta(days=14))
        if stage == "behind":
            self._review_all(user, begin + timedelta(days=5), state=ReplyState.RETURNED)
        with self.at(begin + timedelta(days=15)):
            a.certificates.issue_if_due(user.id)
        cert = a.certificates.current_of(user.id)
        actor = self.manager.id if self.manager else "demo"
        if stage == "revoked" and cert is not None:
            with self.at(begin + timedelta(days=16)):
                a.certificates.revoke(
                    cert.id,
                    "Issued by mistake: the course record was for another learner.",
                    actor,
                )
        if stage == "reissued" and cert is not None:
            # Registered without the accent; the old link now leads to the new one.
            with self.at(begin + timedelta(days=17)):
                a.certificates.reissue(
                    cert.id,
                    "The learner asked for his name to be spelt with its accent.",
                    actor,
                    name="Tomás Silva",
                )

    def _work(
        self,
        user: User,
        begin: datetime,
        days: int,
        skill: float,
        first_fail: bool = False,
    ) -> None:
        a = self.academy
        curriculum = a.ctx.content.curriculum
        for module in curriculum.modules:
            if module.day > days:
                break
            moment = begin + timedelta(
                days=module.day - 1, hours=10 + self.rng.random() * 8
            )
            with self.at(moment):
                a.learning.complete_module(user, module.slug)
            if not module.quiz_slug:
                continue
            quiz = curriculum.quizzes[module.quiz_slug]
            for attempt in range(quiz.max_attempts):
                fail = first_fail and attempt == 0
                answers = answers_scoring(quiz, 0.3 if fail else skill, self.rng)
                for q in quiz.practice_questions:
                    if attempt == 0:
                        answers[q.id] = [
                            REPLIES.get(q.id, REPLIES["reply-to-first-idea"])
                        ]
                with self.at(moment + timedelta(minutes=25 + 20 * attempt)):
                    result = a.learning.submit_attempt(user, quiz.slug, answers)
                if result.attempt.passed:
                    break

    def _review_all(
        self, user: User, when: datetime, state: ReplyState = ReplyState.APPROVED
    ) -> None:
        a = self.academy
        data = a.store.learner(user.id)
        assert data is not None
        reviewer = self.manager.id if self.manager else "demo"
        comment = (
            "Warm, specific and it leaves the learner the next step."
            if state is ReplyState.APPROVED
            else "Good start. Name one strength first; end by inviting a revision."
        )
        for reply in data.replies.values():
            if reply.state is ReplyState.PENDING:
                a.store.save_reply(
                    reply.reviewed(state, reviewer, min(when, self.now), comment)
                )
                with self.at(when):
                    a.ctx.audit(
                        reviewer,
                        f"reply.{_verb(state)}",
                        user.id,
                        reply.key,
                        comment,
                    )
        a.summaries.refresh(user.id)

    def _generated(self, spring: Cohort, autumn: Cohort) -> None:
        """A few dozen learners of varied skill, so the charts say something."""
        a = self.academy
        password_hash = a.accounts.hasher.hash(self.password)
        first = [
            "Aisha",
            "Ben",
            "Chen",
            "Dara",
            "Elif",
            "Femi",
            "Grace",
            "Hugo",
            "Ines",
            "Jonas",
            "Kavya",
            "Luis",
            "Mei",
            "Nadia",
            "Omar",
            "Paula",
            "Quinn",
            "Rahul",
        ]
        last = [
            "Adeyemi",
            "Berg",
            "Costa",
            "Dubois",
            "Eriksen",
            "Fischer",
            "Garcia",
            "Haddad",
            "Ito",
            "Jensen",
            "Kowalski",
            "Lopez",
            "Mensah",
            "Nguyen",
        ]
        rows = []
        for i in range(GENERATED):
            cohort = spring if i % 2 == 0 else autumn
            assert cohort.start_date is not None
            name = f"{first[i % len(first)]} {last[(i * 5) % len(last)]}"
            email = f"learner{i + 1:02d}@{DOMAIN}"
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
            grade = self.rng.choice(["95", "88", "84", "76", "92"])
            rows.append(
                {
                    "email": email,
                    "name": name,
                    "course_id": "py101",
                    "course_name": "Python for Everyone",
                    "grade_percent": grade,
                    "forum_posts": str(self.rng.randint(4, 60)),
                    "forum_upvotes": str(self.rng.randint(2, 80)),
                    "forum_flags": self.rng.choice(["0", "0", "0", "1"]),
                }
            )
            horizon = 14 if cohort is spring else 8
            days = self.rng.randint(max(1, horizon - 6), horizon)
            self._work(user, begin, days, skill=self.rng.uniform(0.55, 0.98))
            if self.rng.random() < 0.6:
                self._review_all(user, begin + timedelta(days=days))
        with self.at(self.now - timedelta(days=1)):
            a.eligibility.import_rows(rows, "demo", source="demo")
