"""The content loader on the shipped curriculum and on broken copies of it."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from academy.content import ContentError, load_content
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


Breaker = Callable[[Path], tuple[str, str]]


def bad_toml(root: Path) -> tuple[str, str]:
    quiz = root / "quizzes" / "mentor-role.toml"
    quiz.write_text(quiz.read_text() + "\n[[questions]\nid = 'x'\n")
    return "quizzes/mentor-role.toml", "invalid TOML"


def unknown_key(root: Path) -> tuple[str, str]:
    replace_in(root / "modules" / "triage.md", "\nday = ", '\ncolour = "red"\nday = ')
    return "modules/triage.md:", "unknown key 'colour'"


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
    return "modules/triage.md:", "names quiz 'triage', which does not exist"


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
    return "quizzes/moderation-tools.toml:", "has no correct option"


def missing_module_link(root: Path) -> tuple[str, str]:
    path = root / "modules" / "first-week.md"
    path.write_text(path.read_text() + "\nSee [this](/modules/no-such-module).\n")
    line = len(path.read_text().splitlines())
    return f"modules/first-week.md:{line}", "links to missing module 'no-such-module'"


def wrong_type(root: Path) -> tuple[str, str]:
    replace_in(
        root / "quizzes" / "triage.toml", "max_attempts = 3", 'max_attempts = "three"'
    )
    return "quizzes/triage.toml:", "'max_attempts' in the quiz must be an integer"


def not_utf8(root: Path) -> tuple[str, str]:
    path = root / "modules" / "triage.md"
    path.write_bytes(path.read_bytes() + "\ncafé\n".encode("latin-1"))
    return "modules/triage.md:", "is not valid UTF-8"


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
    return "modules/triage.md:", "missing key 'minutes'"


def bad_program(root: Path) -> tuple[str, str]:
    replace_in(
        root / "certificates" / "program.toml",
        "min_forum_posts = 10",
        "min_forum_posts = -1",
    )
    return "certificates/program.toml:", "min_forum_posts must be 0 or more"


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
    ],
    ids=lambda f: f.__name__.replace("_", "-"),
)
def test_loader_names_file_and_line(content: Path, breaker: Breaker) -> None:
    where, message = breaker(content)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith(where) and message in line for line in lines), lines


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
