"""Loading quizzes: one TOML file each, checked question by question."""

from pathlib import Path
from typing import Any

from academy.content.markdown import render_block, render_inline
from academy.content.source import SLUG, Problem, SourceFile, check_keys, read_text
from academy.domain.curriculum import (
    ForumPost,
    Option,
    Question,
    QuestionKind,
    Quiz,
    ReviewPolicy,
)

QUIZ_REQUIRED: dict[str, Any] = {
    "title": str,
    "pass_percent": int,
    "max_attempts": int,
    "questions": list,
}
QUIZ_OPTIONAL: dict[str, Any] = {"shuffle": bool, "review": str, "intro": str}
BASE: dict[str, Any] = {"id": str, "kind": str, "prompt": str}
KIND_KEYS: dict[QuestionKind, tuple[dict[str, Any], dict[str, Any]]] = {
    QuestionKind.SINGLE: ({"options": list, "explanation": str}, {}),
    QuestionKind.MULTIPLE: ({"options": list, "explanation": str}, {}),
    QuestionKind.TRUE_FALSE: ({"answer": bool, "explanation": str}, {}),
    QuestionKind.SHORT: ({"answers": list, "explanation": str}, {}),
    QuestionKind.PRACTICE_REPLY: (
        {"post": dict, "rubric": list},
        {"min_words": int},
    ),
}
OPTION_REQUIRED: dict[str, Any] = {"id": str, "text": str, "correct": bool}
OPTION_OPTIONAL: dict[str, Any] = {"feedback": str}
POST_REQUIRED: dict[str, Any] = {"author": str, "title": str, "body": str}


def load_quiz(path: Path, label: str, problems: list[Problem]) -> Quiz | None:
    """Parse and check one quiz file; record every problem found."""
    text = read_text(path, label, problems)
    if text is None:
        return None
    source = SourceFile(path, label, text)
    data = source.parse_toml()
    quiz = _build_quiz(path.stem, source, data) if data is not None else None
    problems.extend(source.problems)
    return quiz


def _build_quiz(slug: str, source: SourceFile, data: dict[str, Any]) -> Quiz | None:
    if not SLUG.match(slug):
        source.problem(
            1, "file name must be a slug: lowercase letters, digits, hyphens"
        )
    if not check_keys(source, data, QUIZ_REQUIRED, QUIZ_OPTIONAL, "the quiz", 1):
        return None
    ok = True
    if not 1 <= data["pass_percent"] <= 100:
        source.problem(source.key_line("pass_percent"), "pass_percent must be 1 to 100")
        ok = False
    if not 1 <= data["max_attempts"] <= 20:
        source.problem(source.key_line("max_attempts"), "max_attempts must be 1 to 20")
        ok = False
    review = data.get("review", ReviewPolicy.AFTER_SUBMIT.value)
    if review not in {p.value for p in ReviewPolicy}:
        allowed = ", ".join(p.value for p in ReviewPolicy)
        source.problem(
            source.key_line("review"),
            f"review must be one of {allowed}, not {review!r}",
        )
        ok = False
    if not data["questions"]:
        source.problem(1, "the quiz has no questions")
        ok = False

    questions: list[Question] = []
    seen: set[str] = set()
    header_line = 1
    for index, raw in enumerate(data["questions"], start=1):
        header_line = source.line_of(r"^\s*\[\[\s*questions\s*\]\]", header_line + 1)
        where = f"question {index}"
        if not isinstance(raw, dict):
            source.problem(header_line, f"{where} must be a table")
            ok = False
            continue
        question = _build_question(source, raw, where, header_line, seen)
        if question is None:
            ok = False
        else:
            questions.append(question)
    if not ok:
        return None
    return Quiz(
        slug=slug,
        title=data["title"].strip(),
        pass_percent=data["pass_percent"],
        max_attempts=data["max_attempts"],
        shuffle=data.get("shuffle", True),
        review=ReviewPolicy(review),
        questions=tuple(questions),
        intro_html=render_block(data.get("intro", "")),
    )


def _build_question(
    source: SourceFile, raw: dict[str, Any], where: str, line: int, seen: set[str]
) -> Question | None:
    for key in BASE:
        if not isinstance(raw.get(key), str):
            state = "missing" if key not in raw else "not a string"
            source.problem(line, f"{where}: key {key!r} is {state}")
            return None
    qid, kind_name = raw["id"], raw["kind"]
    id_line = source.line_of(r"^\s*id\s*=", line)
    if not SLUG.match(qid):
        source.problem(
            id_line, f"question id {qid!r} must be lowercase letters, digits, hyphens"
        )
        return None
    where = f"question {qid!r}"
    if qid in seen:
        source.problem(id_line, f"duplicate question id {qid!r}")
        return None
    seen.add(qid)
    try:
        kind = QuestionKind(kind_name)
    except ValueError:
        allowed = ", ".join(k.value for k in QuestionKind)
        source.problem(
            source.key_line("kind", line), f"{where}: kind must be one of {allowed}"
        )
        return None
    required, optional = KIND_KEYS[kind]
    if not check_keys(source, raw, {**BASE, **required}, optional, where, line):
        return None
    if not raw["prompt"].strip():
        source.problem(source.key_line("prompt", line), f"{where} has an empty prompt")
        return None

    common = {
        "id": qid,
        "kind": kind,
        "prompt_html": render_block(raw["prompt"]),
        "explanation_html": render_block(raw.get("explanation", "")),
    }
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = _build_options(source, raw["options"], kind, where, line)
        return None if options is None else Question(**common, options=options)
    if kind is QuestionKind.TRUE_FALSE:
        return Question(**common, answer=raw["answer"])
    if kind is QuestionKind.SHORT:
        answers = raw["answers"]
        if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
            source.problem(
                source.key_line("answers", line),
                f"{where}: answers must be a non-empty list of text",
            )
            return None
        return Question(**common, accepted=tuple(answers))
    return _build_practice(source, raw, common, where, line)


def _build_options(
    source: SourceFile,
    raw_options: list[Any],
    kind: QuestionKind,
    where: str,
    line: int,
) -> tuple[Option, ...] | None:
    options: list[Option] = []
    ids: set[str] = set()
    ok = True
    option_line = line
    for raw in raw_options:
        option_line = source.line_of(
            r"^\s*\[\[\s*questions\.options\s*\]\]", option_line + 1
        )
        if not isinstance(raw, dict) or not check_keys(
            source,
            raw,
            OPTION_REQUIRED,
            OPTION_OPTIONAL,
            f"{where}, an option",
            option_line,
        ):
            ok = False
            continue
        oid = raw["id"]
        if oid in ids or not SLUG.match(oid):
            problem = "duplicate option id" if oid in ids else "invalid option id"
            source.problem(
                source.line_of(r"^\s*id\s*=", option_line),
                f"{where}: {problem} {oid!r}",
            )
            ok = False
            continue
        ids.add(oid)
        options.append(
            Option(
                id=oid,
                text_html=render_inline(raw["text"]),
                correct=raw["correct"],
                feedback_html=render_inline(raw.get("feedback", "")),
            )
        )
    if not ok:
        return None
    correct = sum(1 for o in options if o.correct)
    if len(options) < 2:
        source.problem(line, f"{where} needs at least two options")
        return None
    if correct == 0:
        source.problem(line, f"{where} has no correct option")
        return None
    if kind is QuestionKind.SINGLE and correct > 1:
        source.problem(line, f"{where} is 'single' but has {correct} correct options")
        return None
    return tuple(options)


def _build_practice(
    source: SourceFile,
    raw: dict[str, Any],
    common: dict[str, Any],
    where: str,
    line: int,
) -> Question | None:
    post_line = source.line_of(r"^\s*\[\s*questions\.post\s*\]", line)
    post = raw["post"]
    if not check_keys(source, post, POST_REQUIRED, {}, f"{where}, its post", post_line):
        return None
    rubric = raw["rubric"]
    if not rubric or not all(isinstance(r, str) and r.strip() for r in rubric):
        source.problem(
            source.key_line("rubric", line),
            f"{where}: rubric must be a non-empty list of text",
        )
        return None
    min_words = raw.get("min_words", 0)
    if min_words < 0:
        source.problem(
            source.key_line("min_words", line), f"{where}: min_words must be 0 or more"
        )
        return None
    return Question(
        **common,
        post=ForumPost(
            author=post["author"],
            title=post["title"],
            body_html=render_block(post["body"]),
        ),
        rubric=tuple(rubric),
        min_words=min_words,
    )
