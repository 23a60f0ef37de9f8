"""Load modules/, quizzes/ and certificates/ under one folder, or say what is wrong."""

import logging
from dataclasses import dataclass
from pathlib import Path

from academy.content.certificate import check_certificate_files
from academy.content.modules import LoadedModule, load_module
from academy.content.program import load_program
from academy.content.quizzes import load_quiz
from academy.content.source import Problem
from academy.domain.curriculum import Curriculum, Quiz
from academy.domain.program import Program

logger = logging.getLogger(__name__)

MODULE_LINK = "/modules/"
FOLDERS = ("modules", "quizzes", "certificates")


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
    folder_problem = _folder_problem(root)
    if folder_problem is not None:
        raise ContentError([Problem(str(root), 0, folder_problem)])

    problems: list[Problem] = []
    modules = _load_modules(root, problems)
    quizzes, quiz_files = _load_quizzes(root, problems)
    program = None
    certificates = root / "certificates"
    if _has_folder(root, "certificates", problems):
        program = load_program(certificates, "certificates/program.toml", problems)
        check_certificate_files(certificates, problems)
    _cross_check(modules, quiz_files, problems)
    ready = [lm.module for lm in modules if lm.module is not None]
    if problems or program is None or len(ready) < len(modules):
        raise ContentError(problems)

    ordered = sorted(ready, key=lambda m: (m.day, m.slug))
    curriculum = Curriculum(modules=tuple(ordered), quizzes=dict(quizzes))
    logger.info(
        "content loaded: %d modules, %d quizzes, %d questions",
        len(curriculum.modules),
        len(quizzes),
        sum(len(q.questions) for q in quizzes.values()),
    )
    return Content(curriculum, program, certificates)


def _folder_problem(root: Path) -> str | None:
    """Why `root` cannot be a content folder at all, said once."""
    if not root.exists():
        return f"content folder {root} does not exist"
    if not root.is_dir():
        return f"content folder {root} is not a folder"
    if not any((root / folder).is_dir() for folder in FOLDERS):
        return (
            f"content folder {root} has no modules/, quizzes/ or certificates/ folder"
        )
    return None


def _has_folder(root: Path, folder: str, problems: list[Problem]) -> bool:
    if (root / folder).is_dir():
        return True
    problems.append(
        Problem(f"{folder}/", 0, f"content folder {root} has no {folder}/ folder")
    )
    return False


def _files(root: Path, folder: str, suffix: str, problems: list[Problem]) -> list[Path]:
    if not _has_folder(root, folder, problems):
        return []
    # Editors leave hidden files beside the ones they edit (an Emacs lock is a
    # dangling symlink named .#file.md); they are not content.
    files = sorted(
        path
        for path in (root / folder).glob(f"*{suffix}")
        if not path.name.startswith(".")
    )
    if not files:
        problems.append(
            Problem(f"{folder}/", 0, f"{folder}/ has no {suffix} files in {root}")
        )
    return files


def _load_modules(root: Path, problems: list[Problem]) -> list[LoadedModule]:
    return [
        load_module(path, f"modules/{path.name}", problems)
        for path in _files(root, "modules", ".md", problems)
    ]


def _load_quizzes(
    root: Path, problems: list[Problem]
) -> tuple[dict[str, Quiz], set[str]]:
    """The quizzes without problems, and the names of all quiz files."""
    quizzes = {}
    names = set()
    for path in _files(root, "quizzes", ".toml", problems):
        names.add(path.stem)
        quiz = load_quiz(path, f"quizzes/{path.name}", problems)
        if quiz is not None:
            quizzes[quiz.slug] = quiz
    return quizzes, names


def _cross_check(
    modules: list[LoadedModule], quiz_files: set[str], problems: list[Problem]
) -> None:
    """Links between files: quizzes named, module links, quizzes used once.

    A file with problems of its own still counts as there, so its mistakes
    are not reported again as missing links or unused quizzes elsewhere.
    """
    used = _check_quiz_names(modules, quiz_files, problems)
    slugs = {lm.slug for lm in modules}
    for lm in modules:
        for href, line in lm.links:
            if href.startswith(MODULE_LINK):
                target = href.removeprefix(MODULE_LINK).split("#")[0].strip("/")
                if target not in slugs:
                    problems.append(
                        Problem(lm.label, line, f"links to missing module {target!r}")
                    )
    # A module whose front matter cannot be read may be the one using a quiz.
    if not all(lm.quiz_known for lm in modules):
        return
    for slug in sorted(quiz_files - set(used)):
        problems.append(
            Problem(
                f"quizzes/{slug}.toml",
                1,
                "is not used by any module (add quiz = "
                f'"{slug}" to a module\'s front matter)',
            )
        )


def _check_quiz_names(
    modules: list[LoadedModule], quiz_files: set[str], problems: list[Problem]
) -> dict[str, str]:
    """Which module uses each quiz, after reporting missing and shared quizzes."""
    used: dict[str, str] = {}
    for lm in modules:
        quiz = lm.quiz_slug
        if quiz is None:
            continue
        # With no quiz files at all, the folder's one problem says enough.
        if quiz not in quiz_files and quiz_files:
            problems.append(
                Problem(
                    lm.label,
                    lm.quiz_line,
                    f"names quiz {quiz!r}, which does not exist "
                    f"(there is no quizzes/{quiz}.toml)",
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
        elif quiz in quiz_files:
            used[quiz] = lm.label
    return used
