"""Synthetic data sets, written through the Store API and cached by size.

Every account shares one argon2 hash (made once, with the production cost),
so a data set of 10,000 learners takes about a minute to write instead of
hours of hashing. Generated folders are kept under .cache/bench/ and copied
for each run, so runs never change them.
"""

import json
import os
import random
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

from argon2 import PasswordHasher, Type
from itsdangerous import Signer

from academy.content import Content, load_content
from academy.domain.curriculum import QuestionKind, Quiz
from academy.domain.grading import grade
from academy.domain.records import (
    OPEN_COHORT_ID,
    Attempt,
    Cohort,
    CourseRecord,
    Eligibility,
    ModuleCompletion,
    PracticeReply,
    ReplyState,
    ReplyVersion,
    Role,
    User,
)
from academy.services.accounts import token_hash
from academy.settings import Settings
from academy.store import Store
from academy.web.security import expected_csrf
from benchlib.paths import CACHE, ROOT

# Bump when the data a size produces changes, so old caches are not reused.
GENERATOR = 5
PASSWORD = "bench-password-2026"
SECRET_KEY = "bench-secret-key-only-for-synthetic-data"
CSRF_SEED = "benchcsrfseed0123456789abcdef"
DOMAIN = "bench.example"
SUBMITTERS = 64
ATTEMPTS_PER_LEARNER = 10
BENCH_COHORT = "c_bench0000000000"
REPLY = (
    "Thanks for posting your work and for saying where you got stuck. Your first "
    "two steps are right. Look again at the loop condition: what value does the "
    "counter have on the last pass? Print it before the comparison and tell us "
    "what you see; if it still puzzles you, we will work through it together."
)


@dataclass(frozen=True)
class Size:
    """A data set: `learners` in one dated cohort, ten attempts each."""

    name: str
    learners: int

    @property
    def attempts(self) -> int:
        return self.learners * ATTEMPTS_PER_LEARNER

    @property
    def label(self) -> str:
        return f"{self.learners:,} learners, {self.attempts:,} attempts"


SIZES = {
    "tiny": Size("tiny", 10),
    "small": Size("small", 100),
    "full": Size("full", 10_000),
}


@dataclass
class Login:
    """An account the load generator acts as, with its ready-made cookies."""

    email: str
    user_id: str
    cookie: str
    # Tokens are bound to the session, so each account has its own.
    csrf_token: str


@dataclass
class Accounts:
    """What the harness needs to know about a generated data set."""

    size: str
    secret_key: str
    csrf_token: str
    csrf_cookie: str
    password: str
    cohort_id: str
    module_slug: str
    manager: Login
    probe: Login
    submitters: list[Login] = field(default_factory=list)
    # Learners who can sign in with `password` (a sample, for the login burst).
    emails: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> "Accounts":
        raw = json.loads((folder / "accounts.json").read_text())
        raw["manager"] = Login(**raw["manager"])
        raw["probe"] = Login(**raw["probe"])
        raw["submitters"] = [Login(**s) for s in raw["submitters"]]
        return cls(**raw)

    def save(self, folder: Path) -> None:
        (folder / "accounts.json").write_text(json.dumps(asdict(self), indent=1))


def csrf_token(signed_session: str = "") -> str:
    """The token forms must carry for the bench's CSRF cookie and this session."""
    return expected_csrf(SECRET_KEY, CSRF_SEED, signed_session)


def signed_session(token: str) -> str:
    return Signer(SECRET_KEY, salt="session").sign(token).decode()


def production_hash(password: str) -> str:
    """One argon2id hash at the cost a deployment uses, reused by every account."""
    s = Settings()
    hasher = PasswordHasher(
        time_cost=s.argon2_time_cost,
        memory_cost=s.argon2_memory_kib,
        parallelism=s.argon2_parallelism,
        type=Type.ID,
    )
    return hasher.hash(password)


@contextmanager
def _without_fsync() -> Iterator[None]:
    """A cache needs no durability per write; one sync() at the end is enough."""
    with mock.patch("os.fsync", lambda fd: None):
        yield
    os.sync()


def data_set(size: Size) -> Path:
    """The cached folder of `size`, generating it on first use."""
    folder = CACHE / f"data-g{GENERATOR}-{size.name}-{size.learners}"
    if (folder / "accounts.json").exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with _without_fsync():
        _Generator(partial, size).run()
    partial.rename(folder)
    return folder


def ready_set(count: int) -> Path:
    """A data set of `count` learners whose certificates are due, for `issue`."""
    folder = CACHE / f"ready-g{GENERATOR}.2-{count}"
    if (folder / "ready.json").exists():
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with _without_fsync():
        _Generator(partial, Size(f"ready-{count}", 0)).run_ready(count)
    partial.rename(folder)
    return folder


def clone(source: Path, target: Path) -> Path:
    """A working copy: learner and eligibility files hard-linked, the rest copied.

    Linking is safe because the store only ever replaces those files by
    renaming a new file over them; the lock file and the audit log, which
    are written in place, are copied.
    """

    def link_or_copy(src: str, dst: str) -> object:
        if Path(src).suffix == ".json" and Path(src).parent.name in LINKED:
            os.link(src, dst)
            return dst
        return shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)
    return target


LINKED = {"learners", "eligibility"}


class _Generator:
    def __init__(self, folder: Path, size: Size) -> None:
        self.folder = folder
        self.size = size
        self.rng = random.Random(f"{size.name}-{GENERATOR}")
        self.content: Content = load_content(ROOT)
        self.now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.today = self.now.date()
        self.hash = production_hash(PASSWORD)
        self.store = Store(folder)

    # -- accounts ----------------------------------------------------------

    def _uid(self) -> str:
        return f"u_{self.rng.getrandbits(64):016x}"

    def _user(
        self, email: str, name: str, cohort: str, start: date, role: Role
    ) -> User:
        user = User(
            id=self._uid(),
            email=email,
            name=name,
            password_hash=self.hash,
            role=role,
            created_at=self.now - timedelta(days=30),
            cohort_id=cohort,
            start_date=start,
        )
        self.store.add_user(user)
        return user

    def _login(self, user: User) -> Login:
        token = secrets.token_urlsafe(32)
        self.store.add_session(user.id, token_hash(token), self.now)
        signed = signed_session(token)
        cookie = f"academy_csrf={CSRF_SEED}; academy_session={signed}"
        return Login(user.email, user.id, cookie, csrf_token(signed))

    def _cohorts(self) -> None:
        self.store.save_cohort(
            Cohort(OPEN_COHORT_ID, "Open enrolment", "UTC", self.now)
        )
        start = self.today - timedelta(days=10)
        self.store.save_cohort(
            Cohort(BENCH_COHORT, "Bench cohort", "UTC", self.now, start)
        )

    # -- learning ------------------------------------------------------------

    def _attempts(self, user: User, quiz: Quiz, count: int, start: date) -> bool:
        """`count` attempts at `quiz`, failing until the last, which passes."""
        day = self.content.curriculum.module_for_quiz(quiz.slug)
        assert day is not None
        at = datetime.combine(start, datetime.min.time(), UTC)
        at += timedelta(days=day.day - 1, hours=self.rng.randint(8, 20))
        for number in range(1, count + 1):
            answers = (
                correct_answers(quiz)
                if number == count
                else _wrong_answers(quiz, self.rng)
            )
            result = grade(quiz, answers)
            submitted = at + timedelta(minutes=10 * number)
            self.store.add_attempt(
                Attempt(
                    id=f"a_{self.rng.getrandbits(64):016x}",
                    user_id=user.id,
                    quiz_slug=quiz.slug,
                    number=number,
                    submitted_at=submitted,
                    answers={k: tuple(v) for k, v in answers.items()},
                    marks=result.marks,
                    percent=result.percent,
                    passed=result.passed,
                    late=False,
                )
            )
        return True

    def _replies(
        self, user: User, quiz: Quiz, reviewer: User, approved: bool, start: date
    ) -> None:
        at = datetime.combine(start, datetime.min.time(), UTC) + timedelta(days=1)
        for question in quiz.practice_questions:
            version = ReplyVersion(REPLY, at, False)
            if approved:
                version = ReplyVersion(
                    REPLY,
                    at,
                    False,
                    ReplyState.APPROVED,
                    reviewer.id,
                    at + timedelta(hours=5),
                    "Clear and kind.",
                )
            self.store.save_reply(
                PracticeReply(user.id, quiz.slug, question.id, (version,))
            )

    def _learn(
        self, user: User, modules: int, attempts: int, reviewer: User, start: date
    ) -> None:
        """Read the first `modules` modules and spread `attempts` over their quizzes."""
        curriculum = self.content.curriculum
        chosen = curriculum.modules[:modules]
        for module in chosen:
            at = datetime.combine(start, datetime.min.time(), UTC)
            at += timedelta(days=module.day - 1, hours=9)
            self.store.add_completion(user.id, ModuleCompletion(module.slug, at, False))
        quizzes = [curriculum.quizzes[m.quiz_slug] for m in chosen if m.quiz_slug]
        counts = _spread(attempts, len(quizzes), self.rng)
        for quiz, count in zip(quizzes, counts, strict=True):
            if count:
                self._attempts(user, quiz, count, start)
                approved = self.rng.random() < 0.7
                self._replies(user, quiz, reviewer, approved, start)

    def _eligibility(self, emails: list[str], strong: bool = False) -> None:
        """Course records; most pass the thresholds, all do when `strong`."""
        low = 90 if strong else 70
        records = [
            Eligibility(
                email=email,
                courses=(
                    CourseRecord(
                        email=email,
                        name=email.split("@")[0],
                        course_id="py101",
                        course_name="Python for Everyone",
                        grade_percent=float(self.rng.randint(low, 100)),
                        forum_posts=self.rng.randint(low - 40, 80),
                        forum_upvotes=self.rng.randint(low - 50, 60),
                        forum_flags=0,
                        updated_at=self.now,
                    ),
                ),
            )
            for email in emails
        ]
        self.store.save_eligibility(records)

    # -- the whole set ---------------------------------------------------------

    def run(self) -> None:
        self.store.open()
        self._cohorts()
        manager = self._user(
            f"manager@{DOMAIN}",
            "Bench Manager",
            OPEN_COHORT_ID,
            self.today,
            Role.MANAGER,
        )
        probe = self._user(
            f"probe@{DOMAIN}",
            "Pat Probe",
            OPEN_COHORT_ID,
            self.today - timedelta(days=7),
            Role.LEARNER,
        )
        self._learn(probe, 5, 8, manager, probe.start_date)
        submitters = [
            self._user(
                f"submit-{n:02d}@{DOMAIN}",
                f"Sam Submitter {n}",
                OPEN_COHORT_ID,
                self.today - timedelta(days=30),
                Role.LEARNER,
            )
            for n in range(SUBMITTERS)
        ]
        emails = [probe.email]
        start = self.today - timedelta(days=10)
        for n in range(self.size.learners):
            learner = self._user(
                f"learner-{n:05d}@{DOMAIN}",
                f"Learner {n:05d}",
                BENCH_COHORT,
                start,
                Role.LEARNER,
            )
            modules = self.rng.randint(4, ATTEMPTS_PER_LEARNER)
            self._learn(learner, modules, ATTEMPTS_PER_LEARNER, manager, start)
            emails.append(learner.email)
        self._eligibility(emails)
        module = self.content.curriculum.modules[2].slug
        accounts = Accounts(
            size=self.size.name,
            secret_key=SECRET_KEY,
            csrf_token=csrf_token(),
            csrf_cookie=f"academy_csrf={CSRF_SEED}",
            password=PASSWORD,
            cohort_id=BENCH_COHORT,
            module_slug=module,
            manager=self._login(manager),
            probe=self._login(probe),
            submitters=[self._login(s) for s in submitters],
            emails=emails[1:501],
        )
        self.store.close()
        accounts.save(self.folder)

    def run_ready(self, count: int) -> None:
        """Learners who finished everything and are eligible: certificates due."""
        self.store.open()
        self._cohorts()
        manager = self._user(
            f"manager@{DOMAIN}",
            "Bench Manager",
            OPEN_COHORT_ID,
            self.today,
            Role.MANAGER,
        )
        curriculum = self.content.curriculum
        start = self.today - timedelta(days=20)
        emails = []
        for n in range(count):
            learner = self._user(
                f"ready-{n:04d}@{DOMAIN}",
                _name(n, self.rng),
                OPEN_COHORT_ID,
                start,
                Role.LEARNER,
            )
            quizzes = len([m for m in curriculum.modules if m.quiz_slug])
            modules = len(curriculum.modules)
            self._learn_all(learner, modules, quizzes, manager, start)
            emails.append(learner.email)
        self._eligibility(emails, strong=True)
        self.store.close()
        (self.folder / "ready.json").write_text(json.dumps({"learners": count}))

    def _learn_all(
        self, user: User, modules: int, quizzes: int, reviewer: User, start: date
    ) -> None:
        curriculum = self.content.curriculum
        for module in curriculum.modules[:modules]:
            at = datetime.combine(start, datetime.min.time(), UTC)
            at += timedelta(days=module.day - 1, hours=9)
            self.store.add_completion(user.id, ModuleCompletion(module.slug, at, False))
            if module.quiz_slug:
                quiz = curriculum.quizzes[module.quiz_slug]
                self._attempts(user, quiz, 1, start)
                self._replies(user, quiz, reviewer, True, start)


def _spread(total: int, slots: int, rng: random.Random) -> list[int]:
    """`total` attempts over `slots` quizzes, 1 to 3 each while they fit."""
    counts = [0] * slots
    left = total
    for i in range(slots):
        if left == 0:
            break
        counts[i] = 1
        left -= 1
    while left > 0:
        open_slots = [i for i in range(slots) if counts[i] < 3]
        if not open_slots:
            break
        counts[rng.choice(open_slots)] += 1
        left -= 1
    return counts


def correct_answers(quiz: Quiz) -> dict[str, list[str]]:
    """Answers that get every graded question right."""
    answers: dict[str, list[str]] = {}
    for q in quiz.graded_questions:
        if q.kind is QuestionKind.TRUE_FALSE:
            answers[q.id] = ["true" if q.answer else "false"]
        elif q.kind is QuestionKind.SHORT:
            answers[q.id] = [q.accepted[0]]
        else:
            answers[q.id] = sorted(q.correct_option_ids)
    return answers


def _wrong_answers(quiz: Quiz, rng: random.Random) -> dict[str, list[str]]:
    """Answers that get every graded question wrong, so the attempt fails."""
    answers: dict[str, list[str]] = {}
    for q in quiz.graded_questions:
        if q.kind is QuestionKind.TRUE_FALSE:
            answers[q.id] = ["false" if q.answer else "true"]
        elif q.kind is QuestionKind.SHORT:
            answers[q.id] = ["not sure"]
        else:
            answers[q.id] = [rng.choice([o.id for o in q.options if not o.correct])]
    return answers


FIRST = ("Ana", "Bo", "Chidi", "Dana", "Élodie", "Farah", "Gustavo", "Hiroshi")
LAST = ("Silva", "Nakamura", "Okafor", "van der Berg", "Kowalczyk", "Ó Briain")


def _name(n: int, rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}"
