"""The content loader on the shipped curriculum and on broken copies of it."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from academy.content import ContentError, load_content, source
from academy.domain.curriculum import QuestionKind

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    for folder in ("modules", "quizzes", "certificates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_shipped_content_loads_and_covers_the_course() -> None:
    loaded = load_content(ROOT)
    curriculum = loaded.curriculum
    assert len(curriculum.modules) >= 10
    assert {m.day for m in curriculum.modules} <= set(range(1, 15))
    assert all(800 <= m.word_count <= 2000 for m in curriculum.modules)
    questions = [q for quiz in curriculum.quizzes.values() for q in quiz.questions]
    assert len(questions) >= 60
    kinds = {q.kind for q in questions}
    assert kinds == set(QuestionKind)
    assert curriculum.practice_count >= 1


def test_shipped_content_renders_no_raw_html() -> None:
    for module in load_content(ROOT).curriculum.modules:
        assert "<script" not in module.body_html
        assert "<h1" not in module.body_html


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count))


def first_line(path: Path, prefix: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(prefix)


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return [str(p) for p in caught.value.problems]


Expectation = tuple[str, str]
Breaker = Callable[[Path], Expectation]


def bad_toml(root: Path) -> tuple[str, str]:
    quiz = root / "quizzes" / "mentor-role.toml"
    quiz.write_text(quiz.read_text() + "\n[[questions]\nid = 'x'\n")
    line = quiz.read_text().splitlines().index("[[questions]") + 1
    return f"quizzes/mentor-role.toml:{line}:", "invalid TOML"


def unknown_key(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    replace_in(path, "\nday = ", '\ncolour = "red"\nday = ')
    return f"modules/triage.md:{first_line(path, 'colour = ')}:", "unknown key 'colour'"


def day_out_of_range(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    line = first_line(path, "day = ")
    path.write_text(
        "\n".join(
            "day = 15" if line.startswith("day = ") else line
            for line in path.read_text().splitlines()
        )
        + "\n"
    )
    return f"modules/triage.md:{line}", "day must be between 1 and 14"


def missing_quiz(root: Path) -> tuple[str, str]:
    (root / "quizzes" / "triage.toml").unlink()
    line = first_line(root / "modules" / "triage.md", "quiz = ")
    return f"modules/triage.md:{line}:", "names quiz 'triage', which does not exist"


def duplicate_question(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "triage.toml"
    lines = path.read_text().splitlines()
    headers = [i for i, text in enumerate(lines) if text.strip() == "[[questions]]"]
    first_id = lines[headers[0] + 1]
    assert first_id.startswith("id = ")
    lines[headers[1] + 1] = first_id
    path.write_text("\n".join(lines) + "\n")
    return f"quizzes/triage.toml:{headers[1] + 2}", "duplicate question id"


def no_correct_option(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "moderation-tools.toml"
    path.write_text(path.read_text().replace("correct = true", "correct = false"))
    # Named at the question's header, for the first question as for the others.
    line = first_line(path, "[[questions]]")
    return f"quizzes/moderation-tools.toml:{line}:", "has no correct option"


def missing_module_link(root: Path) -> tuple[str, str]:
    path = root / "modules" / "first-week.md"
    path.write_text(path.read_text() + "\nSee [this](/modules/no-such-module).\n")
    line = len(path.read_text().splitlines())
    return f"modules/first-week.md:{line}", "links to missing module 'no-such-module'"


def wrong_type(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "triage.toml"
    replace_in(path, "max_attempts = 3", 'max_attempts = "three"')
    line = first_line(path, "max_attempts = ")
    return f"quizzes/triage.toml:{line}:", "'max_attempts' in the quiz must be an"


def not_utf8(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    path.write_bytes(path.read_bytes() + "\ncafé\n".encode("latin-1"))
    line = path.read_bytes().split(b"\n").index("café".encode("latin-1")) + 1
    return f"modules/triage.md:{line}:", "is not valid UTF-8"


def huge_file(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    path.write_text(path.read_text() + "word " * 200_000)
    return "modules/triage.md:1", "content files may be at most"


def no_front_matter(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    path.write_text(path.read_text().split("+++", 2)[2])
    return "modules/triage.md:1", "must start with front matter"


def missing_key(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    path.write_text(
        "\n".join(
            line
            for line in path.read_text().splitlines()
            if not line.startswith("minutes")
        )
        + "\n"
    )
    # Named at the front matter's first line, where the key would belong.
    return f"modules/triage.md:{first_line(path, '+++') + 1}:", "missing key 'minutes'"


def bad_program(root: Path) -> tuple[str, str]:
    replace_in(
        root / "certificates" / "program.toml",
        "min_forum_posts = 10",
        "min_forum_posts = -1",
    )
    line = first_line(root / "certificates" / "program.toml", "min_forum_posts = ")
    return f"certificates/program.toml:{line}:", "min_forum_posts must be 0 or more"


def template_syntax_error(root: Path) -> tuple[str, str]:
    path = root / "certificates" / "certificate.html"
    path.write_text(path.read_text() + "{% if %}{{ unclosed \n")
    line = len(path.read_text().splitlines())
    return f"certificates/certificate.html:{line}:", "template syntax error"


def template_undefined_name(root: Path) -> tuple[str, str]:
    path = root / "certificates" / "certificate.html"
    line = line_of(path, "{{ page.verify_url }}")
    replace_in(path, "{{ page.verify_url }}", "{{ nosuch.attr.deeper }}")
    return f"certificates/certificate.html:{line}:", "'nosuch' is undefined"


def template_error_when_certificate_never_expires(root: Path) -> tuple[str, str]:
    # Only a certificate without an expiry date reaches the broken line.
    path = root / "certificates" / "certificate.html"
    replace_in(path, "{% if page.expires_on %}", "{% if not page.expires_on %}")
    replace_in(path, "{{ page.expires_on }}", "{{ page.expires_on.upper() }}")
    line = line_of(path, "page.expires_on.upper()")
    return f"certificates/certificate.html:{line}:", "has no attribute 'upper'"


def set_image(root: Path, image: str) -> str:
    path = root / "certificates" / "program.toml"
    replace_in(path, 'image = "badge.png"', f"image = {image!r}")
    return f"certificates/program.toml:{first_line(path, 'image = ')}:"


def badge_text_file(root: Path) -> tuple[str, str]:
    (root / "certificates" / "fake.png").write_text("not an image\n")
    return set_image(root, "fake.png"), "image 'fake.png' is not a PNG image"


def badge_stylesheet(root: Path) -> tuple[str, str]:
    return set_image(root, "certificate.css"), "is not a PNG image"


def badge_absolute_path(root: Path) -> tuple[str, str]:
    return set_image(root, "/etc/passwd"), "image must be a path relative to"


def badge_outside_folder(root: Path) -> tuple[str, str]:
    where = set_image(root, "../../../../etc/passwd")
    return where, "is outside certificates/"


def badge_symlink_outside_folder(root: Path) -> tuple[str, str]:
    (root / "certificates" / "link.png").symlink_to(ROOT / "certificates/badge.png")
    return set_image(root, "link.png"), "is outside certificates/"


def badge_cut_short(root: Path) -> tuple[str, str]:
    badge = root / "certificates" / "badge.png"
    badge.write_bytes(badge.read_bytes()[:-1])
    return set_image(root, "badge.png"), "is a damaged PNG image"


def badge_damaged_pixels(root: Path) -> tuple[str, str]:
    badge = root / "certificates" / "badge.png"
    data = bytearray(badge.read_bytes())
    idat = data.index(b"IDAT")
    data[idat + 200 : idat + 400] = bytes(200)
    badge.write_bytes(bytes(data))
    return set_image(root, "badge.png"), "is a damaged PNG image"


def multiple_with_one_correct(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "moderation-tools.toml"
    text = path.read_text()
    start = text.index('kind = "multiple"')
    end = text.find("[[questions]]", start)
    question = text[start:end].replace("correct = true", "correct = false")
    question = question.replace("correct = false", "correct = true", 1)
    path.write_text(text[:start] + question + text[end:])
    return "quizzes/moderation-tools.toml:", "is 'multiple' but has only one correct"


def link_inside_paragraph(root: Path) -> tuple[str, str]:
    path = root / "modules" / "first-week.md"
    path.write_text(
        path.read_text() + "\nA paragraph that starts here,\ngoes on with `a code\n"
        "span` and\nthen links [here](/modules/no-such-module).\n"
    )
    line = line_of(path, "(/modules/no-such-module)")
    return f"modules/first-week.md:{line}:", "links to missing module"


def front_matter_bad_value(root: Path) -> tuple[str, str]:
    path = root / "modules" / "giving-feedback.md"
    line = first_line(path, "day = ")
    replace_in(path, "\nday = 4\n", "\nday = @\n")
    return (
        f"modules/giving-feedback.md:{line}:",
        "invalid TOML: Invalid value (column 7)",
    )


def blank_quiz_title(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "triage.toml"
    replace_in(path, "title = ", 'title = "  "\nold_title = ')
    return "quizzes/triage.toml:1:", "'title' in the quiz is empty"


def blank_option_text(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "triage.toml"
    line = first_line(path, "text = ")
    lines = path.read_text().splitlines()
    lines[line - 1] = 'text = ""'
    path.write_text("\n".join(lines) + "\n")
    return f"quizzes/triage.toml:{line}:", "'text' in question 'what-first', an option"


def blank_explanation(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "triage.toml"
    line = first_line(path, "explanation = ")
    lines = path.read_text().splitlines()
    lines[line - 1] = 'explanation = " "'
    path.write_text("\n".join(lines) + "\n")
    return f"quizzes/triage.toml:{line}:", "'explanation' in question 'what-first'"


def blank_post_author(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "giving-feedback.toml"
    replace_in(path, 'author = "Marta_S"', 'author = ""')
    line = first_line(path, 'author = ""')
    return f"quizzes/giving-feedback.toml:{line}:", "'author' in question"


def blank_rubric_item(root: Path) -> tuple[str, str]:
    path = root / "quizzes" / "giving-feedback.toml"
    replace_in(path, "rubric = [\n", 'rubric = [\n  "",\n')
    line = first_line(path, "rubric = ")
    return f"quizzes/giving-feedback.toml:{line}:", "rubric must be a non-empty list"


def issuer_url_without_host(root: Path) -> tuple[str, str]:
    path = root / "certificates" / "program.toml"
    replace_in(path, 'url = "https://mentor-academy.org"', 'url = "http://"')
    line = first_line(path, "url = ")
    return (
        f"certificates/program.toml:{line}:",
        "issuer url must be a whole web address",
    )


def issuer_email_without_domain(root: Path) -> tuple[str, str]:
    path = root / "certificates" / "program.toml"
    replace_in(path, 'email = "mentors@mentor-academy.org"', 'email = "@"')
    line = first_line(path, "email = ")
    return f"certificates/program.toml:{line}:", "issuer email must look like"


def issuer_email_without_tld(root: Path) -> tuple[str, str]:
    path = root / "certificates" / "program.toml"
    replace_in(path, 'email = "mentors@mentor-academy.org"', 'email = "me@localhost"')
    return "certificates/program.toml:", "issuer email must look like"


@pytest.mark.parametrize(
    "breaker",
    [
        bad_toml,
        unknown_key,
        day_out_of_range,
        missing_quiz,
        duplicate_question,
        no_correct_option,
        missing_module_link,
        wrong_type,
        not_utf8,
        huge_file,
        no_front_matter,
        missing_key,
        bad_program,
        template_syntax_error,
        template_undefined_name,
        template_error_when_certificate_never_expires,
        badge_text_file,
        badge_stylesheet,
        badge_absolute_path,
        badge_outside_folder,
        badge_symlink_outside_folder,
        badge_cut_short,
        badge_damaged_pixels,
        multiple_with_one_correct,
        link_inside_paragraph,
        front_matter_bad_value,
        blank_quiz_title,
        blank_option_text,
        blank_explanation,
        blank_post_author,
        blank_rubric_item,
        issuer_url_without_host,
        issuer_email_without_domain,
        issuer_email_without_tld,
    ],
    ids=lambda f: f.__name__.replace("_", "-"),
)
def test_loader_names_file_and_line(content: Path, breaker: Breaker) -> None:
    where, message = breaker(content)
    lines = problems_of(content)
    assert any(line.startswith(where) and message in line for line in lines), lines


ManyBreaker = Callable[[Path], list[Expectation]]


def quiz_problems_beside_unknown_key(root: Path) -> list[Expectation]:
    path = root / "quizzes" / "triage.toml"
    replace_in(path, "pass_percent = 80", 'colour = "red"\npass_percent = 150')
    replace_in(path, "max_attempts = 3", "max_attempts = 0")
    replace_in(path, "answer = false", 'answer = "no"')
    label = "quizzes/triage.toml"
    return [
        (f"{label}:{first_line(path, 'colour')}:", "unknown key 'colour'"),
        (f"{label}:{first_line(path, 'pass_percent')}:", "pass_percent must be"),
        (f"{label}:{first_line(path, 'max_attempts')}:", "max_attempts must be"),
        (f"{label}:{first_line(path, 'answer = ')}:", "'answer' in question"),
    ]


def module_day_beside_unknown_key(root: Path) -> list[Expectation]:
    path = root / "modules" / "triage.md"
    replace_in(path, "\nday = 9\n", '\ncolour = "red"\nday = 0\n')
    label = "modules/triage.md"
    return [
        (f"{label}:{first_line(path, 'colour')}:", "unknown key 'colour'"),
        (f"{label}:{first_line(path, 'day = ')}:", "day must be between 1 and 14"),
    ]


def program_validity_beside_bad_email(root: Path) -> list[Expectation]:
    path = root / "certificates" / "program.toml"
    replace_in(path, 'email = "mentors@mentor-academy.org"', "email = 5")
    replace_in(path, "validity_days = 730", "validity_days = 0")
    label = "certificates/program.toml"
    return [
        (f"{label}:{first_line(path, 'email')}:", "'email' in [issuer] must be"),
        (f"{label}:{first_line(path, 'validity_days')}:", "validity_days must be"),
    ]


def option_keys_beside_question_key(root: Path) -> list[Expectation]:
    path = root / "quizzes" / "triage.toml"
    replace_in(path, 'kind = "single"\n', 'kind = "single"\nhue = 1\n')
    replace_in(path, 'id = "a"\n', 'id = "a"\nshade = 1\n')
    replace_in(path, 'id = "b"\n', 'id = "b"\ntint = 1\n')
    label = "quizzes/triage.toml"
    return [
        (f"{label}:{first_line(path, 'hue')}:", "unknown key 'hue'"),
        (f"{label}:{first_line(path, 'shade')}:", "unknown key 'shade'"),
        (f"{label}:{first_line(path, 'tint')}:", "unknown key 'tint'"),
    ]


def question_problems_together(root: Path) -> list[Expectation]:
    path = root / "quizzes" / "triage.toml"
    replace_in(path, 'id = "what-first"', 'id = "What First"')
    replace_in(path, "explanation = ", 'explanation = ""\nnote = ')
    replace_in(path, 'text = "', 'text = ""\nwas = "')
    label = "quizzes/triage.toml"
    return [
        (f"{label}:{first_line(path, 'id = ')}:", "question id 'What First' must be"),
        (f"{label}:{first_line(path, 'explanation')}:", "'explanation' in question"),
        (f"{label}:{first_line(path, 'note = ')}:", "unknown key 'note'"),
        (f"{label}:{first_line(path, 'text = ')}:", "'text' in question 1, an option"),
    ]


@pytest.mark.parametrize(
    "breaker",
    [
        quiz_problems_beside_unknown_key,
        module_day_beside_unknown_key,
        program_validity_beside_bad_email,
        option_keys_beside_question_key,
        question_problems_together,
    ],
    ids=lambda f: f.__name__.replace("_", "-"),
)
def test_loader_reports_every_problem(content: Path, breaker: ManyBreaker) -> None:
    expected = breaker(content)
    lines = problems_of(content)
    for where, message in expected:
        assert any(line.startswith(where) and message in line for line in lines), (
            where,
            message,
            lines,
        )


def test_loader_counts_a_broken_module_as_there(content: Path) -> None:
    path = content / "modules" / "triage.md"
    replace_in(path, "\nday = 9\n", "\nday = 99\n")

    assert problems_of(content) == [
        f"modules/triage.md:{first_line(path, 'day')}: "
        "day must be between 1 and 14, not 99"
    ]


def test_loader_counts_a_module_without_front_matter_as_there(content: Path) -> None:
    no_front_matter(content)

    assert problems_of(content) == [
        "modules/triage.md:1: must start with front matter between two '+++' lines"
    ]


def test_loader_counts_a_broken_quiz_as_there(content: Path) -> None:
    path = content / "quizzes" / "triage.toml"
    replace_in(path, "max_attempts = 3", "max_attempts = 0")

    assert problems_of(content) == [
        f"quizzes/triage.toml:{first_line(path, 'max_attempts')}: "
        "max_attempts must be 1 to 20"
    ]


def test_loader_gives_toml_errors_one_line_number(content: Path) -> None:
    front_matter_bad_value(content)

    assert problems_of(content) == [
        "modules/giving-feedback.md:3: invalid TOML: Invalid value (column 7)"
    ]


@pytest.mark.parametrize("target", ["quizzes/triage.toml", "certificates/program.toml"])
def test_loader_names_toml_nested_too_deeply(content: Path, target: str) -> None:
    path = content / target
    lines = len(path.read_text().splitlines())
    path.write_text(path.read_text() + "\ndeep = " + "[" * 5000 + "]" * 5000 + "\n")

    problems = problems_of(content)

    assert (
        f"{target}:{lines + 2}: invalid TOML: arrays or tables nested too deeply"
        in (problems)
    )


def test_loader_names_front_matter_nested_too_deeply(content: Path) -> None:
    path = content / "modules" / "triage.md"
    replace_in(path, "\nday = ", "\ndeep = " + "[" * 5000 + "\nday = ")

    problems = problems_of(content)

    line = first_line(path, "deep = ")
    assert any(
        p.startswith(f"modules/triage.md:{line}: invalid TOML") for p in problems
    )


class _CountedReads:
    """A file opened for reading that records the size asked of each read."""

    def __init__(self, stream: BinaryIO, sizes: list[int]) -> None:
        self.stream, self.sizes = stream, sizes

    def __enter__(self) -> "_CountedReads":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()

    def read(self, size: int = -1) -> bytes:
        self.sizes.append(size)
        if not 0 <= size <= 1 << 20:
            pytest.fail(f"the loader read {size} bytes of an endless file")
        return self.stream.read(size)


def test_loader_checks_size_before_reading(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A link to an endless device: reading it whole would never end.
    path = content / "modules" / "triage.md"
    path.unlink()
    path.symlink_to("/dev/zero")
    sizes: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        stream = real_open(self, *args, **kwargs)
        return _CountedReads(stream, sizes) if self == path else stream

    def whole(self: Path) -> bytes:
        if self == path:
            pytest.fail("the loader read the whole file")
        return real_read_bytes(self)

    real_read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "open", counting_open)
    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 4096)

    problems = problems_of(content)

    assert sizes == [4096 + 1]
    expected = (
        "modules/triage.md:1: is over 4,096 bytes; content files may be at most "
        "4,096 bytes"
    )
    assert expected in problems, problems


def _missing(root: Path) -> Path:
    return root / "nowhere"


def _a_file(root: Path) -> Path:
    (root / "content.txt").write_text("x")
    return root / "content.txt"


def _empty(root: Path) -> Path:
    (root / "empty").mkdir()
    return root / "empty"


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (_missing, "does not exist"),
        (_a_file, "is not a folder"),
        (_empty, "has no modules/, quizzes/ or certificates/ folder"),
    ],
    ids=["missing", "a-file", "empty"],
)
def test_loader_says_once_when_the_content_folder_is_unusable(
    tmp_path: Path, make: Callable[[Path], Path], state: str
) -> None:
    root = make(tmp_path)

    assert problems_of(root) == [f"content folder {root} {state}"]


def test_loader_names_a_missing_content_subfolder(content: Path) -> None:
    shutil.rmtree(content / "quizzes")

    assert problems_of(content) == [f"content folder {content} has no quizzes/ folder"]


def test_loader_skips_hidden_editor_files(content: Path) -> None:
    # An Emacs lock file is a dangling symlink; other editors leave dotfiles.
    (content / "modules" / ".#giving-feedback.md").symlink_to("user@host.1234")
    (content / "quizzes" / ".#triage.toml").symlink_to("user@host.1234")
    (content / "modules" / ".draft.md").write_text("not a module")

    loaded = load_content(content)

    assert len(loaded.curriculum.modules) == 13


def test_check_command_exit_codes(content: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "academy", "check", "--content", str(content)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert "13 modules" in ok.stdout
    day_out_of_range(content)
    bad = subprocess.run(
        [sys.executable, "-m", "academy", "check", "--content", str(content)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert (
        "modules/triage.md:" in bad.stderr
        and "day must be between 1 and 14" in bad.stderr
    )
