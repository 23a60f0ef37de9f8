import math
import random
import statistics

import pytest

from academy.domain.itemstats import (
    LOW_EFFICIENCY,
    SAME_QUESTION_SCORE,
    SAME_REST_SCORE,
    ItemStatistics,
    QuizStatistics,
    answer_distribution,
    quiz_statistics,
    score_histogram,
)

# A hand-worked quiz: 6 first attempts at 3 questions, each worth 1 mark.
#
#        q1   q2   q3   total
#   A1   1    1    1    3
#   A2   1    .5   1    2.5
#   A3   1    .5   0    1.5
#   A4   0    1    .5   1.5
#   A5   1    0    0    1
#   A6   0    0    .5   .5
#
# Whole quiz (S = 6, totals in marks)
#   mean   = 10 / 6 = 5/3 = 1.666667
#   median = sorted .5 1 1.5 1.5 2.5 3 -> (1.5 + 1.5) / 2 = 1.5
#   d = T - 5/3, in sixths: 8 5 -1 -1 -4 -7
#   sum d^2 = (64 + 25 + 1 + 1 + 16 + 49) / 36     = 156/36  = 13/3
#   sum d^3 = (512 + 125 - 1 - 1 - 64 - 343) / 216 = 228/216 = 19/18
#   sum d^4 = (4096 + 625 + 1 + 1 + 256 + 2401) / 1296 = 7380/1296 = 205/36
#   SD = sqrt((13/3) / 5) = sqrt(13/15) = 0.930949
#   m2 = 13/18, m3 = 19/108, m4 = 205/216
#   k2 = 6 * m2 / 5 = 13/15
#   k3 = 36 * m3 / (5 * 4) = 19/60
#   skewness = k3 / k2^1.5 = (19/60) / (13/15)^1.5 = 0.392486
#   k4 = 36 * (7 * m4 - 3 * 5 * m2^2) / (5 * 4 * 3)
#      = 36 * (4305/648 - 5070/648) / 60 = 36 * (-85/72) / 60 = -17/24
#   kurtosis = k4 / k2^2 = (-17/24) / (169/225) = -1275/1352 = -0.943047
#
# q1: marks 1 1 1 0 1 0, mean 4/6 = 2/3 -> facility 66.67%
#   deviations 1/3 (x4), -2/3 (x2): sum of squares 4/9 + 8/9 = 4/3
#   variance (4/3) / 5 = 4/15 -> SD sqrt(4/15) = 51.64%
#   rest = total - q1 = 2 1.5 .5 1.5 0 .5, mean 1, deviations 1 .5 -.5 .5 -1 -.5
#   sum of products 1/3 + 1/6 - 1/6 - 1/3 - 1/3 + 1/3 = 0
#   -> discrimination 0%, efficiency 0% (below 15%: flagged)
#   sorted pairing: marks -2/3 -2/3 1/3 1/3 1/3 1/3 against rest -1 -.5 -.5 .5 .5 1
#   sum 2/3 + 1/3 - 1/6 + 1/6 + 1/6 + 1/3 = 3/2 -> covariance max 3/10
# q2: marks 1 .5 .5 1 0 0, mean 1/2 -> facility 50%
#   deviations .5 0 0 .5 -.5 -.5: sum of squares 1 -> variance 1/5, SD 44.72%
#   rest 2 2 1 .5 1 .5, mean 7/6, deviations in sixths 5 5 -1 -4 -1 -4
#   rest variance (25 + 25 + 1 + 16 + 1 + 16) / 36 / 5 = (7/3) / 5 = 7/15
#   sum of products (.5*5 + .5*-4 + -.5*-1 + -.5*-4) / 6 = 3/6 -> covariance 1/10
#   discrimination 100 * (1/10) / sqrt(1/5 * 7/15) = 10 * sqrt(75/7) = 32.7327%
#   sorted pairing: -.5 -.5 0 0 .5 .5 against sixths -4 -4 -1 -1 5 5
#   sum (2 + 2 + 2.5 + 2.5) / 6 = 3/2 -> covariance max 3/10, efficiency 33.33%
# q3: marks 1 1 0 .5 0 .5, mean 1/2 -> facility 50%, variance 1/5, SD 44.72%
#   rest 2 1.5 1.5 1 1 0, mean 7/6, deviations in sixths 5 2 2 -1 -1 -7
#   rest variance (25 + 4 + 4 + 1 + 1 + 49) / 36 / 5 = 7/15
#   sum of products (.5*5 + .5*2 - .5*2 - .5*-1) / 6 = 3/6 -> covariance 1/10
#   discrimination 32.7327% as for q2
#   sorted pairing: -.5 -.5 0 0 .5 .5 against sixths -7 -1 -1 2 2 5
#   sum (3.5 + .5 + 1 + 2.5) / 6 = 5/4 -> covariance max 1/4, efficiency 40%
#
# Internal consistency (P = 3)
#   sum of item variances 4/15 + 1/5 + 1/5 = 2/3
#   CIC = 100 * 3/2 * (1 - (2/3) / (13/15)) = 150 * 3/13 = 450/13 = 34.6154%
#   error ratio = 100 * sqrt(1 - 450/1300) = 100 * sqrt(17/26) = 80.8608%
#   standard error = ER * SD / 100 = sqrt(17/26 * 13/15) = sqrt(17/30) = 0.752773
HAND_WORKED = [
    {"q1": 1.0, "q2": 1.0, "q3": 1.0},
    {"q1": 1.0, "q2": 0.5, "q3": 1.0},
    {"q1": 1.0, "q2": 0.5, "q3": 0.0},
    {"q1": 0.0, "q2": 1.0, "q3": 0.5},
    {"q1": 1.0, "q2": 0.0, "q3": 0.0},
    {"q1": 0.0, "q2": 0.0, "q3": 0.5},
]
QUESTIONS = ["q1", "q2", "q3"]
SAME_ITEM_DI = 100 * 0.1 / math.sqrt(0.2 * 7 / 15)


def _item(stats: QuizStatistics, question_id: str) -> ItemStatistics:
    return next(item for item in stats.items if item.question_id == question_id)


def test_quiz_statistics_hand_worked_quiz_figures() -> None:
    stats = quiz_statistics(HAND_WORKED, QUESTIONS)

    assert stats.attempt_count == 6
    assert stats.max_score == 3.0
    assert stats.mean == pytest.approx(5 / 3)
    assert stats.median == pytest.approx(1.5)
    assert stats.standard_deviation == pytest.approx(math.sqrt(13 / 15))
    assert stats.skewness == pytest.approx((19 / 60) / (13 / 15) ** 1.5)
    assert stats.skewness == pytest.approx(0.392486, abs=1e-6)
    assert stats.kurtosis == pytest.approx(-1275 / 1352)
    assert stats.coefficient_of_internal_consistency == pytest.approx(450 / 13)
    assert stats.error_ratio == pytest.approx(100 * math.sqrt(17 / 26))
    assert stats.standard_error == pytest.approx(math.sqrt(17 / 30))


def test_quiz_statistics_percent_of_max_scales_marks() -> None:
    stats = quiz_statistics(HAND_WORKED, QUESTIONS)

    # 5/3 of 3 marks is 55.56%; sqrt(17/30) of 3 marks is 25.09%.
    assert stats.percent_of_max(stats.mean) == pytest.approx(500 / 9)
    assert stats.percent_of_max(stats.standard_error) == pytest.approx(25.0924, 1e-4)
    assert stats.percent_of_max(None) is None


@pytest.mark.parametrize(
    ("question_id", "facility", "sd", "discrimination", "efficiency", "reason"),
    [
        ("q1", 200 / 3, 100 * math.sqrt(4 / 15), 0.0, 0.0, LOW_EFFICIENCY),
        ("q2", 50.0, 100 * math.sqrt(0.2), SAME_ITEM_DI, 100 / 3, None),
        ("q3", 50.0, 100 * math.sqrt(0.2), SAME_ITEM_DI, 40.0, None),
    ],
    ids=["uncorrelated-flagged", "partial-credit", "higher-efficiency"],
)
def test_item_statistics_hand_worked_items(
    question_id: str,
    facility: float,
    sd: float,
    discrimination: float,
    efficiency: float,
    reason: str | None,
) -> None:
    item = _item(quiz_statistics(HAND_WORKED, QUESTIONS), question_id)

    assert item.count == 6
    assert item.facility_index == pytest.approx(facility)
    assert item.standard_deviation == pytest.approx(sd)
    assert item.discrimination_index == pytest.approx(discrimination, abs=1e-9)
    assert item.discriminative_efficiency == pytest.approx(efficiency, abs=1e-9)
    assert item.needs_review is (reason is not None)
    assert item.reason == reason


def test_item_statistics_nobody_answered() -> None:
    stats = quiz_statistics(HAND_WORKED, [*QUESTIONS, "q4"])
    unanswered = _item(stats, "q4")

    assert unanswered.facility_index == 0.0
    assert unanswered.standard_deviation == 0.0
    assert unanswered.discrimination_index is None
    assert unanswered.discriminative_efficiency is None
    assert unanswered.needs_review
    assert unanswered.reason == SAME_QUESTION_SCORE
    # q4 adds 0 to every total, so the other questions are unchanged ...
    assert _item(stats, "q3").discriminative_efficiency == pytest.approx(40.0)
    # ... while alpha has P = 4: 100 * 4/3 * 3/13 = 400/13.
    assert stats.coefficient_of_internal_consistency == pytest.approx(400 / 13)


def test_quiz_statistics_empty_list() -> None:
    stats = quiz_statistics([], QUESTIONS)

    assert stats.attempt_count == 0
    assert stats.mean is None
    assert stats.median is None
    assert stats.standard_deviation is None
    assert stats.coefficient_of_internal_consistency is None
    assert stats.items == tuple(
        ItemStatistics(q, 0, None, None, None, None, False, None) for q in QUESTIONS
    )


def test_quiz_statistics_no_questions() -> None:
    stats = quiz_statistics([{}, {"stray": 1.0}], [])

    assert stats.items == ()
    assert stats.mean == 0.0
    assert stats.standard_deviation == 0.0
    assert stats.percent_of_max(stats.mean) is None


def test_quiz_statistics_one_attempt() -> None:
    stats = quiz_statistics([{"q1": 1.0, "q2": 0.5}], ["q1", "q2"])

    assert stats.attempt_count == 1
    assert stats.mean == 1.5
    assert stats.median == 1.5
    assert stats.standard_deviation is None
    assert stats.skewness is None
    assert stats.kurtosis is None
    assert stats.coefficient_of_internal_consistency is None
    assert stats.error_ratio is None
    assert stats.standard_error is None
    assert [item.facility_index for item in stats.items] == [100.0, 50.0]
    assert all(item.standard_deviation is None for item in stats.items)
    # One attempt cannot show a question to be bad, so nothing is flagged.
    assert not any(item.needs_review for item in stats.items)


def test_quiz_statistics_identical_scores() -> None:
    stats = quiz_statistics([{"q1": 1.0, "q2": 0.5}] * 5, ["q1", "q2"])

    assert stats.standard_deviation == 0.0
    assert stats.skewness is None
    assert stats.kurtosis is None
    assert stats.coefficient_of_internal_consistency is None
    assert stats.error_ratio is None
    assert stats.standard_error is None
    for item in stats.items:
        assert item.standard_deviation == 0.0
        assert item.discrimination_index is None
        assert item.discriminative_efficiency is None
        assert item.reason == SAME_QUESTION_SCORE


def test_item_statistics_opposed_questions() -> None:
    # q1 = 1 0 1 0 and q2 = 0 1 0 1: each is the other's rest of test.
    # Deviations are +-.5 in opposite directions: covariance 4 * -.25 / 3 = -1/3,
    # variances 1/3 each -> discrimination -100%. Sorted pairing 0 0 1 1 with
    # 0 0 1 1 gives covariance max +1/3 -> efficiency -100%. Every total is 1.
    attempts = [{"q1": 1.0}, {"q2": 1.0}, {"q1": 1.0}, {"q2": 1.0}]
    stats = quiz_statistics(attempts, ["q1", "q2"])

    assert stats.standard_deviation == 0.0
    for item in stats.items:
        assert item.discrimination_index == pytest.approx(-100.0)
        assert item.discriminative_efficiency == pytest.approx(-100.0)
        assert item.reason == LOW_EFFICIENCY


def test_item_statistics_rest_of_quiz_constant() -> None:
    # A one-question quiz: the rest of the test is always 0.
    stats = quiz_statistics([{"q1": 1.0}, {"q1": 0.0}], ["q1"])
    item = stats.items[0]

    assert item.standard_deviation == pytest.approx(100 * math.sqrt(0.5))
    assert item.discrimination_index is None
    assert item.discriminative_efficiency is None
    assert item.reason == SAME_REST_SCORE
    # Alpha needs at least two questions.
    assert stats.coefficient_of_internal_consistency is None


@pytest.mark.parametrize(
    ("attempt_count", "defined", "undefined"),
    [
        (2, {"standard_deviation"}, {"skewness", "kurtosis", "error_ratio"}),
        (3, {"skewness", "coefficient_of_internal_consistency"}, {"kurtosis"}),
        (4, {"kurtosis", "error_ratio", "standard_error"}, set()),
    ],
    ids=["two-attempts", "three-attempts", "four-attempts"],
)
def test_quiz_statistics_minimum_attempts(
    attempt_count: int, defined: set[str], undefined: set[str]
) -> None:
    rows = [{"q1": 1.0, "q2": 1.0}, {}, {"q1": 1.0}, {"q1": 0.5, "q2": 0.5}]
    stats = quiz_statistics(rows[:attempt_count], ["q1", "q2"])

    assert all(getattr(stats, name) is not None for name in defined)
    assert all(getattr(stats, name) is None for name in undefined)


@pytest.mark.parametrize(
    ("attempts", "question_ids"),
    [
        ([{"q1": 1.5}], ["q1"]),
        ([{"q1": -0.1}], ["q1"]),
        ([{"q1": math.nan}], ["q1"]),
        ([{"q1": 1.0}], ["q1", "q1"]),
    ],
    ids=["above-one", "negative", "nan", "repeated-question"],
)
def test_quiz_statistics_bad_input_raises(
    attempts: list[dict[str, float]], question_ids: list[str]
) -> None:
    with pytest.raises(ValueError):
        quiz_statistics(attempts, question_ids)


def test_quiz_statistics_ten_thousand_attempts() -> None:
    rng = random.Random(20240601)
    questions = [f"q{i}" for i in range(8)]
    attempts = []
    for _ in range(10_000):
        ability = rng.gauss(0.0, 1.0)
        attempt = {}
        for i, question in enumerate(questions):
            # Questions get harder with i; partial credit on a third of them.
            chance = 1 / (1 + math.exp(-(ability - 0.3 * i + 0.8)))
            correct = rng.random() < chance
            attempt[question] = (0.5 if i % 3 == 0 else 1.0) if correct else 0.0
        attempts.append(attempt)

    stats = quiz_statistics(attempts, questions)

    quiz_figures = [
        stats.mean,
        stats.median,
        stats.standard_deviation,
        stats.skewness,
        stats.kurtosis,
        stats.coefficient_of_internal_consistency,
        stats.error_ratio,
        stats.standard_error,
    ]
    assert all(v is not None and math.isfinite(v) for v in quiz_figures)
    alpha = stats.coefficient_of_internal_consistency
    assert alpha is not None
    assert 30.0 < alpha < 95.0

    # Cross-check with the standard library's own statistics.
    totals = [math.fsum(a.values()) for a in attempts]
    columns = {q: [a[q] for a in attempts] for q in questions}
    item_variances = math.fsum(statistics.variance(c) for c in columns.values())
    expected_alpha = 100 * 8 / 7 * (1 - item_variances / statistics.variance(totals))
    assert alpha == pytest.approx(expected_alpha)
    assert stats.standard_deviation == pytest.approx(statistics.stdev(totals))
    for item in stats.items:
        marks = columns[item.question_id]
        rest = [t - m for t, m in zip(totals, marks, strict=True)]
        assert item.discrimination_index == pytest.approx(
            100 * statistics.correlation(marks, rest)
        )
        assert item.discriminative_efficiency is not None
        assert 0.0 < item.discriminative_efficiency <= 100.0 + 1e-9


@pytest.mark.parametrize(
    ("percents", "bins", "expected"),
    [
        ([0, 9.99, 10, 55, 100], 10, [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
        ([0, 25, 50, 75, 100], 4, [1, 1, 1, 2]),
        ([], 10, [0] * 10),
        ([0, 42.5, 100], 1, [3]),
    ],
    ids=["deciles-with-edges", "quartiles", "empty", "single-bin"],
)
def test_score_histogram_counts(
    percents: list[float], bins: int, expected: list[int]
) -> None:
    assert score_histogram(percents, bins) == expected


@pytest.mark.parametrize(
    ("percents", "bins"),
    [([-1.0], 10), ([100.5], 10), ([math.nan], 10), ([50.0], 0)],
    ids=["negative", "above-hundred", "nan", "no-bins"],
)
def test_score_histogram_bad_input_raises(percents: list[float], bins: int) -> None:
    with pytest.raises(ValueError):
        score_histogram(percents, bins)


def test_answer_distribution_counts_each_choice() -> None:
    responses = [["a"], ["a", "b"], ["z"], [], ["b", "b"], ["c", "y", "z"]]

    counts = answer_distribution(responses, ["a", "b", "c"])

    assert counts == {"a": 2, "b": 2, "c": 1, "other": 3}
    assert list(counts) == ["a", "b", "c", "other"]


def test_answer_distribution_no_responses() -> None:
    assert answer_distribution([], ["a", "b"]) == {"a": 0, "b": 0, "other": 0}


def test_answer_distribution_reserved_option_raises() -> None:
    with pytest.raises(ValueError):
        answer_distribution([["other"]], ["a", "other"])


def test_answer_distribution_bare_string_raises() -> None:
    with pytest.raises(TypeError):
        answer_distribution(["ab"], ["a", "b"])
