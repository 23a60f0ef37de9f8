"""The people of the demo cohort: who they are, their stories and course records.

A visitor logs in as one of the named people to see one stage of the training
(a graduate, someone halfway, someone behind); the generated learners are
there so the manager's charts and statistics have a crowd to describe. Keeping
the cast apart from the seeding steps lets each be read on its own.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from academy.services.demo_replies import REPLIES

DOMAIN = "demo.mentor-academy.org"
MANAGER = f"manager@{DOMAIN}"
GENERATED = 36
DAY = timedelta(days=1)
SPRING_REACH = (10, 12, 13, 14, 14, 14, 14, 14)
AUTUMN_REACH = (5, 6, 7, 8, 8, 9, 9)
EXTENDED = 2  # the generated learner who was given an extension

FIRST_NAMES = (
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
)
LAST_NAMES = (
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
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    email: str
    story: str


def demo_logins() -> list[DemoLogin]:
    """The accounts a visitor can log in as, each with the stage it shows."""
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


@dataclass(frozen=True)
class Plan:
    """How far a demo learner got, how well, and how their replies fare."""

    days: int
    skill: float
    first_fail: bool = False
    # Which of a question's REPLIES to send; None picks by skill.
    pick: Callable[[str], int] | None = None
    # When the manager reviews a reply sent at a moment; None leaves it waiting.
    review: Callable[[datetime], datetime | None] | None = None
    revises: bool = False  # whether a returned reply comes back revised

    def choose(self, question_id: str, rng: random.Random) -> int:
        if self.pick is not None:
            return self.pick(question_id)
        replies = REPLIES[question_id]
        good = [i for i, r in enumerate(replies) if r.approve]
        poor = [i for i, r in enumerate(replies) if not r.approve]
        return rng.choice(good if rng.random() < self.skill else poor)


def stage_plan(stage: str, begin: datetime) -> Plan:
    """The work of a named learner at `stage` whose schedule began at `begin`."""
    trained = stage in ("graduate", "trained", "revoked", "reissued")
    if trained:
        # Strong replies, all approved on day 15.
        return Plan(14, 1.0, pick=lambda q: 0, review=lambda sent: begin + DAY * 14)
    if stage == "midway":
        # Through day 8 of 9: replies up to day 6 approved, day 8's waiting.
        return Plan(
            8,
            1.0,
            first_fail=True,
            pick=lambda q: 1,
            review=lambda sent: sent + DAY if sent < begin + DAY * 7 else None,
        )
    if stage == "behind":
        # Stopped after day 4; the day-4 reply was returned the next day.
        return Plan(4, 0.9, pick=lambda q: 3, review=lambda sent: sent + DAY)
    return Plan(0, 1.0)


def named_course_records() -> list[dict[str, str]]:
    """The named learners' course records, as the course platform sends them.

    Diego's forum record is too thin for eligibility, so he shows a learner
    who finished the training and still waits for a certificate.
    """
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
    return rows


def generated_name(i: int) -> str:
    """The name of generated learner `i`, from fixed lists, so every run agrees."""
    first = FIRST_NAMES[i % len(FIRST_NAMES)]
    last = LAST_NAMES[(i * 5) % len(LAST_NAMES)]
    return f"{first} {last}"


def generated_email(i: int) -> str:
    """The email address of generated learner `i`."""
    return f"learner{i + 1:02d}@{DOMAIN}"


def generated_course_record(
    email: str, name: str, rng: random.Random
) -> dict[str, str]:
    """A generated learner's course record; some fall short of eligibility."""
    grade = rng.choice(["95", "88", "84", "76", "92"])
    return {
        "email": email,
        "name": name,
        "course_id": "py101",
        "course_name": "Python for Everyone",
        "grade_percent": grade,
        "forum_posts": str(rng.randint(4, 60)),
        "forum_upvotes": str(rng.randint(2, 80)),
        "forum_flags": rng.choice(["0", "0", "0", "1"]),
    }
