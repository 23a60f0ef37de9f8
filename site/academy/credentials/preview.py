"""The link preview image for a certificate (Open Graph, LinkedIn)."""

import functools
import io
import logging
import shutil
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

from academy.credentials.pdf import long_date, printable
from academy.domain.certificate import Certificate, CertificateStatus
from academy.domain.program import Program

logger = logging.getLogger(__name__)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Colour = tuple[int, int, int]

# The repository's certificates/ folder, for callers that do not name one.
DEFAULT_CERTIFICATES = Path(__file__).resolve().parents[3] / "certificates"

NAVY: Colour = (27, 42, 82)
NAVY_DEEP: Colour = (14, 23, 50)
NAVY_GLOW: Colour = (52, 74, 130)
GOLD: Colour = (217, 189, 124)
IVORY: Colour = (251, 248, 240)
MUTED: Colour = (182, 191, 216)
WARNING_RED: Colour = (242, 160, 150)

LABELS = {
    CertificateStatus.VALID: ("\N{HEAVY CHECK MARK} VERIFIED CERTIFICATE", GOLD),
    CertificateStatus.EXPIRED: ("EXPIRED CERTIFICATE", WARNING_RED),
    CertificateStatus.REVOKED: ("REVOKED CERTIFICATE", WARNING_RED),
    CertificateStatus.SUPERSEDED: ("REPLACED BY A NEWER CERTIFICATE", WARNING_RED),
}

# fontconfig pattern, and where Debian's fonts-dejavu-core puts the file.
FONTS = {
    "serif": ("DejaVu Serif", "DejaVuSerif.ttf"),
    "serif-bold": ("DejaVu Serif:bold", "DejaVuSerif-Bold.ttf"),
    "sans": ("DejaVu Sans", "DejaVuSans.ttf"),
    "sans-bold": ("DejaVu Sans:bold", "DejaVuSans-Bold.ttf"),
}
DEBIAN_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def render_preview(
    cert: Certificate,
    program: Program,
    width: int = 1200,
    height: int = 627,
    *,
    now: datetime | None = None,
    certificates: Path | None = None,
) -> bytes:
    """A PNG announcing the certificate, sized for LinkedIn's link previews.

    It says "Verified certificate" only while the certificate is valid at
    `now`; without `now`, revocation and replacement still show, expiry not.
    """
    # Everything is laid out for 1200 x 627 and scaled for other sizes.
    scale = min(width / 1200, height / 627)
    image = _background(width, height, scale)
    draw = ImageDraw.Draw(image)

    badge_size = round(380 * scale)
    badge_left = round(70 * scale)
    badge = _badge(certificates or DEFAULT_CERTIFICATES, program, badge_size)
    image.alpha_composite(badge, (badge_left, (height - badge_size) // 2))

    left = badge_left + badge_size + round(60 * scale)
    column = width - left - round(70 * scale)
    blocks = _text_blocks(cert, program, status_label(cert, now), column, scale)
    top = (height - sum(block.height for block in blocks)) // 2
    for block in blocks:
        block.draw(draw, left, top)
        top += block.height

    output = io.BytesIO()
    # optimize=True would save 2% of the bytes at four times the time.
    image.convert("RGB").save(output, format="PNG", compress_level=6)
    return output.getvalue()


class _Block:
    """Lines of text in one style, with space above them."""

    def __init__(
        self,
        lines: list[str],
        font: Font,
        fill: Colour,
        *,
        space_before: int = 0,
        tracking: float = 0,
        rule: int = 0,
    ) -> None:
        self.lines = lines
        self.font = font
        self.fill = fill
        self.space_before = space_before
        self.tracking = tracking
        self.rule = rule
        self.line_height = round(_font_size(font) * 1.22)
        self.height = space_before + self.line_height * len(lines) + rule

    def draw(self, draw: ImageDraw.ImageDraw, left: int, top: int) -> None:
        """Draw the lines from the top-left corner of the block."""
        y = top + self.space_before
        for line in self.lines:
            _text(draw, (left, y), line, self.font, self.fill, self.tracking)
            y += self.line_height
        if self.rule:
            width = max(2, self.rule // 8)
            draw.line(
                (left, y + self.rule // 2, left + self.rule * 4, y + self.rule // 2),
                fill=GOLD,
                width=width,
            )


def status_label(cert: Certificate, now: datetime | None) -> tuple[str, Colour]:
    """The preview's headline and its colour, from the certificate's status."""
    # At its own issue time a certificate can only be revoked or replaced.
    return LABELS[cert.status(now or cert.issued_at)]


def _text_blocks(
    cert: Certificate,
    program: Program,
    label: tuple[str, Colour],
    column: int,
    scale: float,
) -> list[_Block]:
    def px(value: float) -> int:
        return max(1, round(value * scale))

    label_font = _font("sans-bold", px(21))
    credential_font = _fitted_font(
        "serif-bold", program.credential.name, column, px(46), px(30)
    )
    name = printable(cert.recipient_name)
    name_font, name_lines = _fitted_name(
        name,
        _name_font_path(name),
        column,
        largest=px(64),
        one_line_down_to=px(40),
        smallest=px(28),
    )
    small_font = _font("sans", px(24))
    date = long_date(cert.issued_at)
    headline, headline_colour = label
    issued = f"Issued by {program.issuer.name} \N{MIDDLE DOT} {date}"
    return [
        _Block([headline], label_font, headline_colour, tracking=px(3)),
        _Block(
            [program.credential.name],
            credential_font,
            IVORY,
            space_before=px(18),
            rule=px(22),
        ),
        _Block(["Awarded to"], small_font, MUTED, space_before=px(14)),
        _Block(name_lines, name_font, IVORY, space_before=px(4)),
        _Block([issued], small_font, MUTED, space_before=px(24)),
    ]


def _background(width: int, height: int, scale: float) -> Image.Image:
    image = Image.new("RGBA", (width, height), NAVY + (255,))
    # Darker towards the bottom, with a soft glow behind the badge.
    fade = Image.linear_gradient("L").resize((width, height))
    image.paste(Image.new("RGBA", (width, height), NAVY_DEEP + (255,)), mask=fade)
    glow_size = round(720 * scale)
    glow = Image.radial_gradient("L").resize((glow_size, glow_size))
    glow = glow.point(lambda v: max(0, 255 - v * 2) * 3 // 5)
    glow_colour = Image.new("RGBA", (glow_size, glow_size), NAVY_GLOW + (255,))
    x = round(260 * scale) - glow_size // 2
    image.paste(glow_colour, (x, (height - glow_size) // 2), mask=glow)

    draw = ImageDraw.Draw(image)
    inset = round(22 * scale)
    draw.rectangle(
        (inset, inset, width - inset - 1, height - inset - 1),
        outline=GOLD,
        width=max(1, round(2 * scale)),
    )
    return image


def _badge(directory: Path, program: Program, size: int) -> Image.Image:
    path = (directory / program.credential.image).resolve()
    # A copy, because the cached image is shared between threads.
    return _load_badge(path, size).copy()


@functools.lru_cache(maxsize=4)
def _load_badge(path: Path, size: int) -> Image.Image:
    with Image.open(path) as badge:
        return badge.convert("RGBA").resize((size, size), Image.Resampling.LANCZOS)


def _fitted_name(
    name: str,
    path: Path | None,
    width: int,
    *,
    largest: int,
    one_line_down_to: int,
    smallest: int,
) -> tuple[Font, list[str]]:
    """The name on one line if it fits large enough, else on two."""
    # A wrapped name is never set larger than the smallest one-line name, so
    # a longer name never looks more prominent than a shorter one.
    for size in range(largest, smallest - 1, -2):
        font = _font_file(path, size)
        lines = _wrap(name, font, width)
        if len(lines) == 1 or (len(lines) == 2 and size <= one_line_down_to):
            return font, lines
    # The preview is a thumbnail; the full name is on the page it links to.
    first, *rest = lines
    return font, [first, _ellipsize(" ".join(rest), font, width)]


def _fitted_font(role: str, text: str, width: int, largest: int, smallest: int) -> Font:
    """The largest font that sets the text on one line within width."""
    for size in range(largest, smallest, -2):
        font = _font(role, size)
        if font.getlength(text) <= width:
            return font
    return _font(role, smallest)


def _wrap(text: str, font: Font, width: int) -> list[str]:
    """Break text into lines no wider than width, between words if possible."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        # A word wider than the column is broken between characters.
        while font.getlength(word) > width:
            cut = _fit_prefix(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _fit_prefix(text: str, font: Font, width: int) -> int:
    """How many leading characters of text fit in width (at least one)."""
    fitted = 1
    while fitted < len(text) and font.getlength(text[: fitted + 1]) <= width:
        fitted += 1
    return fitted


def _ellipsize(text: str, font: Font, width: int) -> str:
    ellipsis = "\N{HORIZONTAL ELLIPSIS}"
    if font.getlength(text) <= width:
        return text
    cut = _fit_prefix(text, font, width - round(font.getlength(ellipsis)))
    return text[:cut].rstrip() + ellipsis


def _text(
    draw: ImageDraw.ImageDraw,
    origin: tuple[int, int],
    text: str,
    font: Font,
    fill: Colour,
    tracking: float,
) -> None:
    if not tracking:
        draw.text(origin, text, font=font, fill=fill)
        return
    # Pillow has no letter-spacing; set spaced capitals one by one.
    x, y = origin
    for char in text:
        draw.text((x, y), char, font=font, fill=fill)
        x += round(font.getlength(char) + tracking)


def _font(role: str, size: int) -> Font:
    return _font_file(_font_paths().get(role), size)


def _font_file(path: Path | None, size: int) -> Font:
    # FreeType faces are not shared between threads, so each call opens its
    # own; opening one takes a few microseconds.
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def _name_font_path(name: str) -> Path | None:
    """DejaVu Serif, or a font that has the letters it lacks."""
    # Pillow does not fall back to other fonts for missing glyphs, so a
    # Hebrew, Arabic or Devanagari name would otherwise show as empty boxes.
    serif = _font_paths().get("serif")
    if serif is None:
        return None
    covered = _coverage(serif)
    missing = frozenset(
        char
        for char in name
        if ord(char) not in covered and unicodedata.category(char)[0] not in "CZ"
    )
    if not missing:
        return serif
    return _covering_font(missing) or serif


@functools.lru_cache(maxsize=8)
def _coverage(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.lru_cache(maxsize=256)
def _covering_font(chars: frozenset[str]) -> Path | None:
    """The installed font fontconfig picks for these characters."""
    # fontconfig ranks coverage of the requested characters above the family.
    charset = " ".join(f"{ord(char):x}" for char in sorted(chars))
    return _fc_match(f"DejaVu Serif:charset={charset}", dejavu_only=False)


def _font_size(font: Font) -> float:
    return float(getattr(font, "size", 12))


@functools.cache
def _font_paths() -> dict[str, Path]:
    """The DejaVu font files, found once per process."""
    paths: dict[str, Path] = {}
    for role, (pattern, filename) in FONTS.items():
        path = _fc_match(pattern, dejavu_only=True) or _debian_path(filename)
        if path is None:
            logger.warning(
                "font %r not found (install fonts-dejavu-core); "
                "the preview uses Pillow's default font",
                pattern,
            )
        else:
            paths[role] = path
    return paths


def _fc_match(pattern: str, *, dejavu_only: bool) -> Path | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        # A fixed argument list, no shell and no user input.
        found = subprocess.run(  # noqa: S603
            [fc_match, "--format=%{file}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(found)
    # fc-match always answers with some font; the layout was drawn for
    # DejaVu's metrics, so another family counts as not found.
    if dejavu_only and not path.name.startswith("DejaVu"):
        return None
    return path if path.is_file() else None


def _debian_path(filename: str) -> Path | None:
    path = DEBIAN_DEJAVU / filename
    return path if path.is_file() else None
