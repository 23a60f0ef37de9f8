"""Load modules/, quizzes/ and certificates/ under one folder, or say what is wrong."""

import logging
from dataclasses import dataclass
from pathlib import Path

from academy.content.modules import LoadedModule, load_module
from academy.content.program import load_program
from academy.content.quizzes import load_quiz
from academy.content.source import Problem
from academy.domain.curriculum import Curriculum, Quiz
from academy.domain.program import Program

logger = logging.getLogger(__name__)

MODULE_LINK = "/modules/"


@dataclass(frozen=True)
class Content:
    curriculum: Curriculum
    program: Program
    certificates_dir: Path


class ContentError(Exception):
    """The content has problems; each names a file and a line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_content(root: Path) -> Content:
    """Load and check everything; raise ContentError listing every problem."""
    problems: list[Problem] = []
    modules = _load_modules(root, problems)
    quizzes = _load_quizzes(root, problems)
    program = load_program(root / "certificates", "certificates/program.toml", problems)
    _cross_check(modules, quizzes, problems)
    if problems or program is None:
        raise ContentError(problems)

    ordered = sorted(modules, key=lambda lm: (lm.module.day, lm.module.slug))
    curriculum = Curriculum(
        modules=tuple(lm.module for lm in ordered), quizzes=dict(quizzes)
    )
    logger.info(
        "content loaded: %d modules, %d quizzes, %d questions",
        len(curriculum.modules),
        len(quizzes),
        sum(len(q.questions) for q in quizzes.values()),
    )
    return Content(curriculum, program, root / "certificates")


def _files(
    root: Path, folder: str, pattern: str, problems: list[Problem]
) -> list[Path]:
    path = root / folder
    if not path.is_dir():
        problems.append(Problem(f"{folder}/", 1, "folder is missing"))
        return []
    files = sorted(path.glob(pattern))
    if not files:
        problems.append(Problem(f"{folder}/", 1, f"has no {pattern} files"))
    return files


def _load_modules(root: Path, problems: list[Problem]) -> list[LoadedModule]:
    loaded = []
    for path in _files(root, "modules", "*.md", problems):
        module = load_module(path, f"modules/{path.name}", problems)
        if module is not None:
            loaded.append(module)
    return loaded


def _load_quizzes(root: Path, problems: list[Problem]) -> dict[str, Quiz]:
    quizzes = {}
    for path in _files(root, "quizzes", "*.toml", problems):
        quiz = load_quiz(path, f"quizzes/{path.name}", problems)
        if quiz is not None:
            quizzes[quiz.slug] = quiz
    return quizzes


def _cross_check(
    modules: list[LoadedModule], quizzes: dict[str, Quiz], problems: list[Problem]
) -> None:
    """Links between files: quizzes named, module links, quizzes used once."""
    slugs = {lm.module.slug for lm in modules}
    used: dict[str, str] = {}
    for lm in modules:
        quiz = lm.module.quiz_slug
        if quiz is not None:
            if quiz not in quizzes:
                problems.append(
                    Problem(
                        lm.label,
                        lm.quiz_line,
                        f"names quiz {quiz!r}, which does not exist "
                        f"(no quizzes/{quiz}.toml, or it has errors)",
                    )
                )
            elif quiz in used:
                problems.append(
                    Problem(
                        lm.label,
                        lm.quiz_line,
                        f"quiz {quiz!r} is already used by {used[quiz]}",
                    )
                )
            else:
                used[quiz] = lm.label
        for href, line in lm.links:
            if href.startswith(MODULE_LINK):
                target = href.removeprefix(MODULE_LINK).split("#")[0].strip("/")
                if target not in slugs:
                    problems.append(
                        Problem(lm.label, line, f"links to missing module {target!r}")
                    )
    for slug in quizzes:
        if slug not in used:
            problems.append(
                Problem(
                    f"quizzes/{slug}.toml",
                    1,
                    "is not used by any module (add quiz = "
                    f'"{slug}" to a module\'s front matter)',
                )
            )
