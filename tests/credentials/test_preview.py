"""The link preview image and the badge art it shows."""

import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from academy.credentials import preview
from academy.credentials.preview import render_preview, status_label
from academy.domain.certificate import Certificate
from academy.domain.program import Program

from .factories import ISSUED

REPO = Path(__file__).resolve().parents[2]
BADGE = REPO / "certificates" / "badge.png"

HOSTILE_NAME = (
    "<script>alert(1)</script> & Co \u202eevil\u202c Zero\u200bWidth "
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
)


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


@pytest.fixture
def fonts_reset() -> Iterator[None]:
    """Forget the fonts found so far, before and after the test."""
    preview._font_paths.cache_clear()
    preview._covering_font.cache_clear()
    yield
    preview._font_paths.cache_clear()
    preview._covering_font.cache_clear()


def test_render_preview_is_a_1200x627_png(cert: Certificate, program: Program) -> None:
    image = open_png(render_preview(cert, program))

    assert image.size == (1200, 627)


def test_render_preview_honours_another_size(
    cert: Certificate, program: Program
) -> None:
    image = open_png(render_preview(cert, program, width=600, height=314))

    assert image.size == (600, 314)


@pytest.mark.parametrize(
    "name",
    [
        "Adaeze Okonkwo-Lindqvist",
        " ".join(["Wolfeschlegelsteinhausen"] * 5)[:120],
        "A" * 120,
        HOSTILE_NAME,
        "Ada\x00 Love\x07lace \ud800",
    ],
    ids=["typical", "120-chars-words", "120-chars-one-word", "hostile", "controls"],
)
def test_render_preview_any_name_renders(
    cert: Certificate, program: Program, name: str
) -> None:
    image = open_png(render_preview(replace(cert, recipient_name=name), program))

    assert image.size == (1200, 627)


@pytest.mark.parametrize(
    ("changes", "now", "expected"),
    [
        ({}, ISSUED + timedelta(days=1), "\N{HEAVY CHECK MARK} VERIFIED CERTIFICATE"),
        ({}, ISSUED + timedelta(days=731), "EXPIRED CERTIFICATE"),
        ({}, None, "\N{HEAVY CHECK MARK} VERIFIED CERTIFICATE"),
        ({"revoked_at": ISSUED, "revocation_reason": "x"}, None, "REVOKED CERTIFICATE"),
        ({"superseded_by": "c3rt-0002"}, None, "REPLACED BY A NEWER CERTIFICATE"),
    ],
    ids=["valid", "expired", "no-clock", "revoked-no-clock", "superseded-no-clock"],
)
def test_status_label_claims_verified_only_while_valid(
    cert: Certificate,
    changes: dict[str, object],
    now: datetime | None,
    expected: str,
) -> None:
    headline, _ = status_label(replace(cert, **changes), now)

    assert headline == expected


def test_render_preview_revoked_certificate_renders(
    cert: Certificate, program: Program
) -> None:
    revoked = replace(cert, revoked_at=ISSUED, revocation_reason="issued in error")

    image = open_png(render_preview(revoked, program, now=ISSUED))

    assert image.size == (1200, 627)


@pytest.mark.parametrize(
    ("name", "line_count"),
    [
        ("Ann Lee", 1),
        ("Adaeze Okonkwo-Lindqvist", 1),
        ("Maria Fernanda Alejandra Guadalupe de los Santos Ramírez-Villanueva", 2),
    ],
    ids=["short", "typical", "long"],
)
def test_render_preview_name_shrinks_to_fit_the_column(
    name: str, line_count: int
) -> None:
    column = 620

    font, lines = preview._fitted_name(
        name,
        preview._font_paths()["serif"],
        column,
        largest=64,
        one_line_down_to=40,
        smallest=28,
    )

    assert len(lines) == line_count
    assert all(font.getlength(line) <= column for line in lines)
    if line_count == 2:
        assert font.size <= 40


def test_render_preview_overlong_name_is_cut_with_an_ellipsis() -> None:
    font, lines = preview._fitted_name(
        " ".join(["Wolfeschlegelsteinhausen"] * 12),
        preview._font_paths()["serif"],
        620,
        largest=64,
        one_line_down_to=40,
        smallest=28,
    )

    assert len(lines) == 2
    assert lines[1].endswith("\N{HORIZONTAL ELLIPSIS}")
    assert font.getlength(lines[1]) <= 620


def test_render_preview_name_without_serif_glyphs_uses_a_covering_font() -> None:
    path = preview._name_font_path("\u05e9\u05dc\u05d5\u05dd")

    assert path is not None
    assert path != preview._font_paths()["serif"]


def test_render_preview_without_dejavu_falls_back_with_warning(
    cert: Certificate,
    program: Program,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    fonts_reset: None,
) -> None:
    monkeypatch.setattr(preview, "_fc_match", lambda *args, **kwargs: None)
    monkeypatch.setattr(preview, "DEBIAN_DEJAVU", tmp_path)

    with caplog.at_level(logging.WARNING, logger=preview.__name__):
        image = open_png(render_preview(cert, program))

    assert image.size == (1200, 627)
    assert "fonts-dejavu-core" in caplog.text


def test_badge_art_is_a_small_transparent_600px_png() -> None:
    with Image.open(BADGE) as badge:
        assert badge.format == "PNG"
        assert badge.size == (600, 600)
        rgba = badge.convert("RGBA")

    assert BADGE.stat().st_size < 100 * 1024
    assert rgba.getpixel((0, 0))[3] == 0
    assert rgba.getpixel((300, 300))[3] == 255


def test_badge_art_script_draws_the_committed_badge(tmp_path: Path) -> None:
    output = tmp_path / "badge.png"

    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make-badge"), str(output)],
        check=True,
        capture_output=True,
    )

    with Image.open(output) as drawn, Image.open(BADGE) as committed:
        assert drawn.size == committed.size
        assert drawn.convert("RGBA").getbbox() == committed.convert("RGBA").getbbox()
