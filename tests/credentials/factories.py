"""Builders of programs, certificates and badge images for the credentials tests."""

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from academy.domain.certificate import Certificate
from academy.domain.program import CredentialSpec, Issuer, Program, Thresholds

DATA = Path(__file__).parent / "data"
ISSUED = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


def make_program(
    organization_id: str | None = None,
    organization_name: str | None = "Mentor Academy",
    skills: tuple[str, ...] = (
        "Explaining concepts",
        "Giving feedback",
        "Facilitating online discussion",
        "Forum moderation",
    ),
) -> Program:
    """A program like certificates/program.toml's."""
    return Program(
        issuer=Issuer(
            name="Mentor Academy",
            url="https://mentor-academy.org",
            email="mentors@mentor-academy.org",
            description="Trains and certifies volunteer forum mentors.",
            linkedin_organization_id=organization_id,
            linkedin_organization_name=organization_name,
        ),
        credential=CredentialSpec(
            name="Certified Course Mentor",
            description="Completed the two-week Mentor Academy training.",
            criteria="Passed the course, kept an exemplary forum record and "
            "completed every module, quiz and practice reply.",
            image="badge.png",
            validity_days=730,
            skills=skills,
        ),
        thresholds=Thresholds(
            min_grade_percent=80,
            min_forum_posts=10,
            min_forum_upvotes=5,
            max_forum_flags=0,
        ),
    )


def make_cert(
    cert_id: str = "c3rt-0001",
    issued_at: datetime = ISSUED,
    expires: bool = True,
    **changes: Any,
) -> Certificate:
    """A certificate issued to Ada, expiring after 730 days unless told not to."""
    cert = Certificate(
        id=cert_id,
        user_id="user-1",
        recipient_name="Ada Lovelace",
        recipient_email="Ada.Lovelace@Example.org",
        issued_at=issued_at,
        salt="5a1t-of-ada",
        expires_at=issued_at + timedelta(days=730) if expires else None,
    )
    return replace(cert, **changes)


def png_bytes(size: tuple[int, int] = (64, 64)) -> bytes:
    """A small RGBA badge made by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 120, 30, 255)).save(buffer, format="PNG")
    return buffer.getvalue()
