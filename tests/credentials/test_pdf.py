"""The certificate PDF: layout, text, metadata, tagging, QR code, fonts."""

import io
import logging
import subprocess
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from academy.credentials import pdf
from academy.credentials.pdf import (
    CertificateRenderer,
    LocalOnlyFetcher,
    inline_custom_properties,
    long_date,
    name_size_pt,
    printable,
)
from academy.domain.certificate import Certificate
from academy.domain.program import CredentialSpec, Issuer, Program, Thresholds

CERTIFICATES = Path(__file__).resolve().parents[2] / "certificates"
VERIFY_URL = "https://mentor-academy.org/verify/c7f3e2a91b4d4f0e"
ISSUED = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)
A4_LANDSCAPE_PT = (841.89, 595.28)

HOSTILE_NAME = (
    "<script>alert(1)</script> & Co \u202eevil\u202c Zero\u200bWidth\u200d "
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"
)


def load_program() -> Program:
    data = tomllib.loads((CERTIFICATES / "program.toml").read_text())
    credential = {**data["credential"], "skills": tuple(data["credential"]["skills"])}
    return Program(
        issuer=Issuer(**data["issuer"]),
        credential=CredentialSpec(**credential),
        thresholds=Thresholds(**data["eligibility"]),
    )


def make_cert(name: str = "Adaeze Okonkwo-Lindqvist", **changes: Any) -> Certificate:
    fields: dict[str, Any] = {
        "id": "c7f3e2a91b4d4f0e",
        "user_id": "u-1",
        "recipient_name": name,
        "recipient_email": "adaeze@example.org",
        "issued_at": ISSUED,
        "salt": "s4lt",
        "expires_at": ISSUED + timedelta(days=730),
    }
    return Certificate(**{**fields, **changes})


def text_of(document: bytes) -> str:
    return PdfReader(io.BytesIO(document)).pages[0].extract_text()


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample_program() -> Program:
    """The program of certificates/program.toml, not the factories' stand-in."""
    return load_program()


@pytest.fixture(scope="module")
def renderer() -> CertificateRenderer:
    return CertificateRenderer(CERTIFICATES)


@pytest.fixture(scope="module")
def document(renderer: CertificateRenderer, sample_program: Program) -> bytes:
    return renderer.render(make_cert(), sample_program, VERIFY_URL)


def test_render_page_is_one_a4_landscape(document: bytes) -> None:
    reader = PdfReader(io.BytesIO(document))

    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(
        A4_LANDSCAPE_PT, abs=1
    )


def test_render_text_contains_name_id_and_verify_url(document: bytes) -> None:
    text = text_of(document)

    assert "Adaeze Okonkwo-Lindqvist" in text
    assert "c7f3e2a91b4d4f0e" in text
    assert VERIFY_URL in text
    assert "Certified Course Mentor".upper() in text
    assert "3 December 2026" in text
    assert "2 December 2028" in text
    assert "https://mentor-academy.org" in text


def test_render_metadata_sets_title_author_and_subject(document: bytes) -> None:
    metadata = PdfReader(io.BytesIO(document)).metadata

    assert metadata is not None
    assert metadata.title == (
        "Certificate: Certified Course Mentor \N{EM DASH} Adaeze Okonkwo-Lindqvist"
    )
    assert metadata.author == "Mentor Academy"
    assert metadata.subject is not None
    assert "Adaeze Okonkwo-Lindqvist" in metadata.subject
    assert VERIFY_URL in metadata.subject


def test_render_pdf_is_tagged_with_language_and_title_shown(document: bytes) -> None:
    catalog = PdfReader(io.BytesIO(document)).trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])


def test_render_qr_code_decodes_to_verify_url(document: bytes, tmp_path: Path) -> None:
    (tmp_path / "cert.pdf").write_bytes(document)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", "cert.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )

    with Image.open(tmp_path / "page.png") as page:
        codes = zxingcpp.read_barcodes(page)

    assert [code.text for code in codes] == [VERIFY_URL]


@pytest.mark.parametrize(
    "name",
    [
        " ".join(["Wolfeschlegelsteinhausen"] * 5)[:120],
        "A" * 120,
        " ".join(["Okonkwo-Lindqvist"] * 18),
    ],
    ids=["120-chars-words", "120-chars-one-word", "323-chars"],
)
def test_render_long_name_stays_on_one_page(
    renderer: CertificateRenderer, sample_program: Program, name: str
) -> None:
    document = renderer.render(make_cert(name), sample_program, VERIFY_URL)
    reader = PdfReader(io.BytesIO(document))

    assert len(reader.pages) == 1
    if " " in name:
        assert name in one_line(reader.pages[0].extract_text())


def test_render_hostile_name_appears_as_text_not_markup(
    renderer: CertificateRenderer, sample_program: Program
) -> None:
    document = renderer.render(make_cert(HOSTILE_NAME), sample_program, VERIFY_URL)
    reader = PdfReader(io.BytesIO(document))
    text = reader.pages[0].extract_text()

    assert len(reader.pages) == 1
    assert "<script>alert(1)</script> & Co" in text
    assert "&amp;" not in text and "&lt;" not in text
    assert "\u05e9\u05dc\u05d5\u05dd" in text
    assert "\u0645\u0631\u062d\u0628\u0627" in text
    # The override reverses only the name's own letters.
    assert "live" in text
    assert VERIFY_URL in text
    assert reader.metadata is not None
    assert reader.metadata.title is not None
    assert HOSTILE_NAME in reader.metadata.title


def test_render_control_characters_in_name_are_dropped(
    renderer: CertificateRenderer, sample_program: Program
) -> None:
    name = "Ada\x00 Love\x07lace\u2028King \ud800"

    document = renderer.render(make_cert(name), sample_program, VERIFY_URL)
    reader = PdfReader(io.BytesIO(document))

    assert "Ada Lovelace King" in reader.pages[0].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title is not None
    assert reader.metadata.title.endswith("\N{EM DASH} Ada Lovelace King")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ada\x00 Love\x07lace", "Ada Lovelace"),
        ("Ada\r\nLovelace\u2029", "Ada Lovelace"),
        ("Ada \ud800 Lovelace", "Ada Lovelace"),
        ("Zoë\u200dW \u202eevil\u202c", "Zoë\u200dW \u202eevil\u202c"),
    ],
    ids=["controls", "line-breaks", "lone-surrogate", "format-chars-kept"],
)
def test_printable_drops_what_no_font_draws(text: str, expected: str) -> None:
    assert printable(text) == expected


def test_render_without_expiry_omits_valid_until(
    renderer: CertificateRenderer, sample_program: Program
) -> None:
    document = renderer.render(make_cert(expires_at=None), sample_program, VERIFY_URL)

    assert "VALID UNTIL" not in text_of(document)


def test_render_logs_no_weasyprint_warnings(
    renderer: CertificateRenderer,
    sample_program: Program,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        renderer.render(make_cert(), sample_program, VERIFY_URL)

    assert [record.getMessage() for record in caplog.records] == []


def test_render_missing_badge_raises_file_not_found(
    renderer: CertificateRenderer, sample_program: Program
) -> None:
    credential = CredentialSpec(
        name="Certified Course Mentor",
        description="d",
        criteria="c",
        image="missing.png",
    )
    broken = Program(sample_program.issuer, credential, sample_program.thresholds)

    with pytest.raises(FileNotFoundError, match="missing.png"):
        renderer.render(make_cert(), broken, VERIFY_URL)


class RecordingHTML(pdf.HTML):
    """weasyprint.HTML that notes the font configuration of every render."""

    font_configs: list[object] = []

    def write_pdf(self, *args: Any, **kwargs: Any) -> Any:
        self.font_configs.append(kwargs.get("font_config"))
        return super().write_pdf(*args, **kwargs)


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    created: list[object] = []

    class CountingFontConfiguration(pdf.FontConfiguration):
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    monkeypatch.setattr(pdf, "FontConfiguration", CountingFontConfiguration)
    monkeypatch.setattr(pdf, "HTML", RecordingHTML)
    monkeypatch.setattr(RecordingHTML, "font_configs", [])
    return created


def test_renderer_reuses_one_font_configuration(
    recording: list[object], sample_program: Program
) -> None:
    renderer = CertificateRenderer(CERTIFICATES)

    renderer.render(make_cert(), sample_program, VERIFY_URL)
    renderer.render(make_cert("Someone Else"), sample_program, VERIFY_URL)
    renderer.render_plain("baseline")

    assert recording == [renderer.font_config]
    assert RecordingHTML.font_configs == [renderer.font_config] * 3


def test_renderer_gives_each_thread_its_own_font_configuration(
    recording: list[object], sample_program: Program
) -> None:
    renderer = CertificateRenderer(CERTIFICATES)
    barrier = threading.Barrier(2, timeout=60)

    def render_twice(name: str) -> tuple[object, list[bytes]]:
        barrier.wait()
        documents = [
            renderer.render(make_cert(name), sample_program, VERIFY_URL)
            for _ in range(2)
        ]
        return renderer.font_config, documents

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(render_twice, ["Thread One", "Thread Two"]))

    (first, first_docs), (second, second_docs) = results
    assert first is not second
    assert len(recording) == 3  # the constructing thread's, then one per worker
    assert all("Thread One" in text_of(doc) for doc in first_docs)
    assert all("Thread Two" in text_of(doc) for doc in second_docs)


def test_render_plain_renders_the_text(renderer: CertificateRenderer) -> None:
    document = renderer.render_plain("Baseline <b>text</b> & more")

    assert "Baseline <b>text</b> & more" in text_of(document)


@pytest.mark.parametrize(
    "url",
    ["https://example.org/logo.png", "http://127.0.0.1/", "ftp://example.org/x"],
    ids=["https", "http", "ftp"],
)
def test_local_only_fetcher_refuses_the_network(url: str) -> None:
    with pytest.raises(ValueError, match="disallowed protocol"):
        LocalOnlyFetcher(CERTIFICATES).fetch(url)


def test_local_only_fetcher_refuses_files_outside_its_folder() -> None:
    outside = (CERTIFICATES.parent / "pyproject.toml").as_uri()

    with pytest.raises(ValueError, match="outside"):
        LocalOnlyFetcher(CERTIFICATES).fetch(outside)


def test_local_only_fetcher_reads_files_inside_its_folder() -> None:
    response = LocalOnlyFetcher(CERTIFICATES).fetch(
        (CERTIFICATES / "badge.png").as_uri()
    )
    try:
        assert response.read(8) == b"\x89PNG\r\n\x1a\n"
    finally:
        response.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ann Lee", 40.0),
        ("Adaeze Okonkwo-Lindqvist", 40.0),
        ("Maria Fernanda Guadalupe Ramírez-Villanueva", 23.3),
        ("x" * 60, 22.0),
        ("x" * 120, 14.2),
        ("x" * 400, 12.0),
    ],
    ids=["short", "typical", "long-one-line", "two-lines", "120-chars", "floor"],
)
def test_name_size_pt_shrinks_with_length(name: str, expected: float) -> None:
    assert name_size_pt(name) == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), "3 December 2026"),
        (datetime(2027, 1, 1, 23, 30), "1 January 2027"),
        (
            datetime(2026, 12, 3, 23, 30, tzinfo=UTC) + timedelta(hours=1),
            "4 December 2026",
        ),
    ],
    ids=["aware", "naive-is-utc", "day-rolls-over"],
)
def test_long_date_reads_day_month_year(moment: datetime, expected: str) -> None:
    assert long_date(moment) == expected


def test_inline_custom_properties_substitutes_root_values() -> None:
    css = """
    /* :root { --ignored: red; } in a comment is not read */
    :root { --navy: #1b2a52; --accent: var(--navy); --serif: "DejaVu Serif", serif }
    h1 { color: var(--accent); font-family: var( --serif ); }
    p { color: var(--unknown); border-color: var(--navy, black); }
    """
    out = inline_custom_properties(css)
    assert 'h1 { color: #1b2a52; font-family: "DejaVu Serif", serif; }' in out
    # Unknown names and fallbacks are left for WeasyPrint to resolve.
    assert "var(--unknown)" in out
    assert "var(--navy, black)" in out
    assert "--ignored" not in out


def test_certificate_stylesheet_keeps_no_var_the_renderer_could_inline() -> None:
    out = inline_custom_properties((CERTIFICATES / "certificate.css").read_text())
    assert "var(" not in out


def test_print_badge_sits_on_the_page_colour_without_a_visible_square() -> None:
    css = (CERTIFICATES / "certificate.css").read_text()
    page_rule = css[css.index("@page") : css.index("}", css.index("@page"))]
    hex_colour = page_rule.split("background:")[1].split(";")[0].strip()
    paper = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    badge = pdf.print_badge(CERTIFICATES / "badge.png")

    with Image.open(io.BytesIO(badge)) as image:
        corners = [
            image.getpixel(xy)
            for xy in ((0, 0), (image.width - 1, 0), (0, image.height - 1))
        ]

    for corner in corners:
        assert max(abs(a - b) for a, b in zip(corner, paper, strict=True)) <= 2
