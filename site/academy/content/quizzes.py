"""Loading quizzes: one TOML file each, checked question by question."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from academy.content.markdown import render_block, render_inline
from academy.content.source import (
    SLUG,
    Problem,
    SourceFile,
    Table,
    check_table,
    is_text_list,
    read_text,
)
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
# A question of an unknown kind may use any kind's keys; only typos are reported.
ANY_KIND: dict[str, Any] = {
    key: expected
    for required, optional in KIND_KEYS.values()
    for key, expected in {**required, **optional}.items()
}
OPTION_REQUIRED: dict[str, Any] = {"id": str, "text": str, "correct": bool}
OPTION_OPTIONAL: dict[str, Any] = {"feedback": str}
POST_REQUIRED: dict[str, Any] = {"author": str, "title": str, "body": str}

QUESTION_HEADER = r"^\s*\[\[\s*questions\s*\]\]"
OPTION_HEADER = r"^\s*\[\[\s*questions\.options\s*\]\]"
POST_HEADER = r"^\s*\[\s*questions\.post\s*\]"
SUBTABLE_HEADER = rf"{OPTION_HEADER}|{POST_HEADER}"

Span = tuple[int, int | None]  # a table's first line and the line after its last


@dataclass(frozen=True)
class Layout:
    """Where one [[questions]] table and the tables under it are in the file."""

    own: Span
    options: tuple[Span, ...]
    post: Span | None

    @classmethod
    def of(cls, source: SourceFile, span: Span) -> "Layout":
        start, end = span
        subtables = source.lines_matching(SUBTABLE_HEADER, start + 1, end)
        # Each table under the question runs to the next one, or to its end.
        spans = [
            (line, subtables[i + 1] if i + 1 < len(subtables) else end)
            for i, line in enumerate(subtables)
        ]
        options = [s for s in spans if re.search(OPTION_HEADER, source.lines[s[0] - 1])]
        posts = [s for s in spans if re.search(POST_HEADER, source.lines[s[0] - 1])]
        return cls(
            own=(start, subtables[0] if subtables else end),
            options=tuple(options),
            post=posts[0] if posts else None,
        )


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


def _build_quiz(slug: str, source: SourceFile, raw: dict[str, Any]) -> Quiz | None:
    if not SLUG.match(slug):
        source.problem(
            1, "file name must be a slug: lowercase letters, digits, hyphens"
        )
    headers = source.lines_matching(QUESTION_HEADER)
    top_end = headers[0] if headers else None
    data = check_table(
        source, raw, QUIZ_REQUIRED, QUIZ_OPTIONAL, "the quiz", 1, top_end
    )
    pass_percent = data.get("pass_percent")
    if pass_percent is not None and not 1 <= pass_percent <= 100:
        data.problem("pass_percent", "pass_percent must be 1 to 100")
    max_attempts = data.get("max_attempts")
    if max_attempts is not None and not 1 <= max_attempts <= 20:
        data.problem("max_attempts", "max_attempts must be 1 to 20")
    review = data.get("review", ReviewPolicy.AFTER_SUBMIT.value)
    if review not in {p.value for p in ReviewPolicy}:
        allowed = ", ".join(p.value for p in ReviewPolicy)
        data.problem("review", f"review must be one of {allowed}, not {review!r}")
    if data.get("questions") == []:
        source.problem(1, "the quiz has no questions")

    questions: list[Question] = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("questions", []), start=1):
        # Questions written as [[questions]] tables: each runs to the next one.
        start = headers[index - 1] if index <= len(headers) else 1
        end = headers[index] if index < len(headers) else None
        if not isinstance(item, dict):
            source.problem(start, f"question {index} must be a table")
            continue
        question = _build_question(source, item, index, (start, end), seen)
        if question is not None:
            questions.append(question)
    if source.problems:
        return None
    return Quiz(
        slug=slug,
        title=data.get("title").strip(),
        pass_percent=pass_percent,
        max_attempts=max_attempts,
        shuffle=data.get("shuffle", True),
        review=ReviewPolicy(review),
        questions=tuple(questions),
        intro_html=render_block(data.get("intro", "")),
    )


def _build_question(
    source: SourceFile,
    raw: dict[str, Any],
    index: int,
    span: tuple[int, int | None],
    seen: set[str],
) -> Question | None:
    """Check one question, reporting all its problems; the question if none."""
    before = len(source.problems)
    layout = Layout.of(source, span)

    named = raw.get("id")
    valid_id = isinstance(named, str) and SLUG.match(named)
    where = f"question {named!r}" if valid_id else f"question {index}"
    kind_name = raw.get("kind")
    kind = next((k for k in QuestionKind if k.value == kind_name), None)
    required, optional = KIND_KEYS[kind] if kind else ({}, ANY_KIND)
    table = check_table(source, raw, {**BASE, **required}, optional, where, *layout.own)

    qid: str = table.get("id", "")
    if "id" in table:
        if not valid_id:
            table.problem(
                "id", f"question id {qid!r} must be lowercase letters, digits, hyphens"
            )
        elif qid in seen:
            table.problem("id", f"duplicate question id {qid!r}")
        seen.add(qid)
    if "kind" in table and kind is None:
        allowed = ", ".join(k.value for k in QuestionKind)
        table.problem("kind", f"{where}: kind must be one of {allowed}")

    options: tuple[Option, ...] = ()
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and "options" in table:
        options = _build_options(source, table, kind, where, layout.options)
    answers = table.get("answers")
    if kind is QuestionKind.SHORT and answers is not None and not is_text_list(answers):
        table.problem("answers", f"{where}: answers must be a non-empty list of text")
    practice: dict[str, Any] = {}
    if kind is QuestionKind.PRACTICE_REPLY:
        practice = _build_practice(source, table, where, layout.post)
    if len(source.problems) > before or kind is None:
        return None

    common: dict[str, Any] = {
        "id": qid,
        "kind": kind,
        "prompt_html": render_block(table.get("prompt")),
        "explanation_html": render_block(table.get("explanation", "")),
    }
    if kind is QuestionKind.TRUE_FALSE:
        return Question(**common, answer=table.get("answer"))
    if kind is QuestionKind.SHORT:
        return Question(**common, accepted=tuple(answers))
    if kind is QuestionKind.PRACTICE_REPLY:
        return Question(**common, **practice)
    return Question(**common, options=options)


def _build_options(
    source: SourceFile,
    question: Table,
    kind: QuestionKind,
    where: str,
    spans: tuple[Span, ...],
) -> tuple[Option, ...]:
    """The question's options, after reporting every problem with them."""
    before = len(source.problems)
    raw_options: list[Any] = question.get("options")
    options: list[Option] = []
    ids: set[str] = set()
    correct: list[bool] = []
    for index, raw in enumerate(raw_options):
        # Options written inline, not as tables, are placed at their question.
        start, option_end = (
            spans[index]
            if index < len(spans)
            else (question.start_line, question.end_line)
        )
        if not isinstance(raw, dict):
            source.problem(start, f"{where}: option {index + 1} must be a table")
            continue
        option = check_table(
            source,
            raw,
            OPTION_REQUIRED,
            OPTION_OPTIONAL,
            f"{where}, an option",
            start,
            option_end,
        )
        if "correct" in option:
            correct.append(option.get("correct"))
        oid = option.get("id")
        if oid is None:
            continue
        if oid in ids or not SLUG.match(oid):
            problem = "duplicate option id" if oid in ids else "invalid option id"
            option.problem("id", f"{where}: {problem} {oid!r}")
        ids.add(oid)
        if "text" in option and "correct" in option:
            options.append(
                Option(
                    id=oid,
                    text_html=render_inline(option.get("text")),
                    correct=option.get("correct"),
                    feedback_html=render_inline(option.get("feedback", "")),
                )
            )

    if len(raw_options) < 2:
        question.problem("options", f"{where} needs at least two options")
    # Count the correct options only when every option says whether it is.
    if len(correct) == len(raw_options) >= 2:
        count = sum(correct)
        if count == 0:
            question.problem(None, f"{where} has no correct option")
        elif kind is QuestionKind.SINGLE and count > 1:
            question.problem(
                None, f"{where} is 'single' but has {count} correct options"
            )
        elif kind is QuestionKind.MULTIPLE and count == 1:
            question.problem(
                None,
                f"{where} is 'multiple' but has only one correct option; "
                "make it 'single' or mark another option correct",
            )
    return tuple(options) if len(source.problems) == before else ()


def _build_practice(
    source: SourceFile,
    question: Table,
    where: str,
    span: Span | None,
) -> dict[str, Any]:
    """A practice reply's own fields, after reporting every problem with them."""
    fields: dict[str, Any] = {}
    if "post" in question:
        start, end = span or (question.start_line, question.end_line)
        post = check_table(
            source,
            question.get("post"),
            POST_REQUIRED,
            {},
            f"{where}, its post",
            start,
            end,
        )
        if all(key in post for key in POST_REQUIRED):
            fields["post"] = ForumPost(
                author=post.get("author"),
                title=post.get("title"),
                body_html=render_block(post.get("body")),
            )
    if "rubric" in question:
        if is_text_list(question.get("rubric")):
            fields["rubric"] = tuple(question.get("rubric"))
        else:
            question.problem(
                "rubric", f"{where}: rubric must be a non-empty list of text"
            )
    min_words = question.get("min_words", 0)
    if min_words < 0:
        question.problem("min_words", f"{where}: min_words must be 0 or more")
    fields["min_words"] = min_words
    return fields
