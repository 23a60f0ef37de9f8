"""Quiz and question statistics over first attempts, computed the way Moodle does.

The formulas follow the MoodleDocs developer page "Quiz statistics calculations"
and the quiz statistics report code that implements it. Every question is worth
one mark and the test score is the sum of the question marks, so "percent of
the maximum" means percent of one mark for a question and percent of the number
of questions for the whole quiz.

Units follow Moodle. Facility, question standard deviation, discrimination
index, discriminative efficiency, internal consistency and error ratio are
percentages. The quiz mean, median, standard deviation and standard error are
in marks, as Moodle stores them; its report shows those four as a percentage of
the maximum, which `QuizStatistics.percent_of_max` gives.
"""

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Moodle's report marks a question as dubious below this efficiency.
REVIEW_THRESHOLD_PERCENT = 15.0

LOW_EFFICIENCY = "discriminative efficiency is below 15%"
SAME_QUESTION_SCORE = "every learner scored the same on this question"
SAME_REST_SCORE = "every learner scored the same on the rest of the quiz"

# Scores differing by less than this are treated as equal. The rest-of-test
# score is a total minus a mark, so equal scores can differ by rounding (about
# 1e-16 per question); an exact comparison would then report a huge or
# meaningless correlation instead of "undefined".
_SAME_SCORE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ItemStatistics:
    """One question's statistics; None where the data cannot define a value.

    `reason` says why `needs_review` is set and is None when it is not. Moodle
    flags only an efficiency under 15%; an undefined efficiency is flagged here
    too. With fewer than two attempts nothing can be judged, so nothing is.
    """

    question_id: str
    count: int
    facility_index: float | None
    standard_deviation: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    needs_review: bool
    reason: str | None


@dataclass(frozen=True)
class QuizStatistics:
    """Whole-quiz statistics; marks-valued fields are in marks, not percent."""

    attempt_count: int
    max_score: float
    mean: float | None
    median: float | None
    standard_deviation: float | None
    skewness: float | None
    kurtosis: float | None
    coefficient_of_internal_consistency: float | None
    error_ratio: float | None
    standard_error: float | None
    items: tuple[ItemStatistics, ...]

    def percent_of_max(self, marks: float | None) -> float | None:
        """Express a value in marks as a percentage of the maximum score."""
        if marks is None or self.max_score == 0:
            return None
        return 100.0 * marks / self.max_score


def quiz_statistics(
    attempts: Sequence[Mapping[str, float]], question_ids: Sequence[str]
) -> QuizStatistics:
    """Compute Moodle's quiz and question statistics over first attempts.

    A question missing from an attempt counts 0; keys not in `question_ids`
    are ignored. Raises ValueError for a repeated question id or a mark that
    is not a number in [0, 1].
    """
    if len(set(question_ids)) != len(question_ids):
        raise ValueError(f"question ids repeat: {list(question_ids)!r}")

    columns = [_marks_for(question_id, attempts) for question_id in question_ids]
    totals = [math.fsum(row) for row in zip(*columns, strict=True)]
    if not columns:
        totals = [0.0] * len(attempts)

    items: list[ItemStatistics] = []
    variances: list[float] = []
    for question_id, marks in zip(question_ids, columns, strict=True):
        item, variance = _item_statistics(question_id, marks, totals)
        items.append(item)
        if variance is not None:
            variances.append(variance)

    return _test_statistics(totals, len(question_ids), math.fsum(variances), items)


def score_histogram(percents: Sequence[float], bins: int = 10) -> list[int]:
    """Count scores in equal-width bins over 0-100; 100 falls in the last bin."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")

    counts = [0] * bins
    for percent in percents:
        if not 0.0 <= percent <= 100.0:
            raise ValueError(f"score {percent!r} is not a percentage in 0-100")
        counts[min(math.floor(percent * bins / 100.0), bins - 1)] += 1
    return counts


def answer_distribution(
    responses: Sequence[Sequence[str]], option_ids: Sequence[str]
) -> dict[str, int]:
    """Count how many responses chose each option; unknown ids go under "other".

    The result has every option id, in order, then "other", even when a count
    is zero. An id listed twice in one response is one choice.
    """
    if "other" in option_ids:
        raise ValueError('"other" is reserved for unknown options')

    known = set(option_ids)
    counts = dict.fromkeys(option_ids, 0)
    counts["other"] = 0
    for response in responses:
        # A bare string is a Sequence[str] too; counting its letters would
        # silently produce nonsense.
        if isinstance(response, str):
            raise TypeError(f"response {response!r} must be a list of option ids")
        for option_id in set(response):
            counts[option_id if option_id in known else "other"] += 1
    return counts


def _marks_for(
    question_id: str, attempts: Sequence[Mapping[str, float]]
) -> list[float]:
    """One question's marks across attempts, checked to lie in [0, 1]."""
    marks = [float(attempt.get(question_id, 0.0)) for attempt in attempts]
    for mark in marks:
        # Written so that NaN fails too.
        if not 0.0 <= mark <= 1.0:
            raise ValueError(f"mark {mark!r} for question {question_id!r} not in 0-1")
    return marks


def _item_statistics(
    question_id: str, marks: list[float], totals: list[float]
) -> tuple[ItemStatistics, float | None]:
    """A question's statistics and its sample variance (for Cronbach's alpha)."""
    count = len(marks)
    if count == 0:
        return ItemStatistics(question_id, 0, None, None, None, None, False, None), None

    mean = math.fsum(marks) / count
    if count < 2:
        item = ItemStatistics(
            question_id, count, 100.0 * mean, None, None, None, False, None
        )
        return item, None

    # The rest of the test leaves this question out, so the question is not
    # correlated with itself.
    rest = [total - mark for total, mark in zip(totals, marks, strict=True)]
    rest_mean = math.fsum(rest) / count
    mark_deviations = [mark - mean for mark in marks]
    rest_deviations = [score - rest_mean for score in rest]

    variance = math.fsum(d * d for d in mark_deviations) / (count - 1)
    rest_variance = math.fsum(d * d for d in rest_deviations) / (count - 1)
    covariance = math.fsum(
        a * b for a, b in zip(mark_deviations, rest_deviations, strict=True)
    ) / (count - 1)
    # Pairing both lists sorted gives the largest covariance these marks could
    # have with these rest scores; efficiency is the share of it achieved.
    covariance_max = math.fsum(
        (a - mean) * (b - rest_mean)
        for a, b in zip(sorted(marks), sorted(rest), strict=True)
    ) / (count - 1)

    discrimination: float | None = None
    efficiency: float | None = None
    reason: str | None
    if _all_same(marks):
        variance, reason = 0.0, SAME_QUESTION_SCORE
    elif _all_same(rest):
        reason = SAME_REST_SCORE
    else:
        discrimination = 100.0 * covariance / math.sqrt(variance * rest_variance)
        # Positive whenever both vary; only spreads at the edge of the tolerance
        # can round it to zero, and such an item shows no measurable efficiency.
        if covariance_max > 0:
            efficiency = 100.0 * covariance / covariance_max
        too_low = efficiency is None or efficiency < REVIEW_THRESHOLD_PERCENT
        reason = LOW_EFFICIENCY if too_low else None

    item = ItemStatistics(
        question_id=question_id,
        count=count,
        facility_index=100.0 * mean,
        standard_deviation=100.0 * math.sqrt(variance),
        discrimination_index=discrimination,
        discriminative_efficiency=efficiency,
        needs_review=reason is not None,
        reason=reason,
    )
    return item, variance


def _test_statistics(
    totals: list[float],
    question_count: int,
    sum_of_item_variances: float,
    items: list[ItemStatistics],
) -> QuizStatistics:
    """The whole-quiz figures, each None below the attempt count Moodle needs."""
    s = len(totals)
    mean = math.fsum(totals) / s if s else None
    sd: float | None = None
    skewness: float | None = None
    kurtosis: float | None = None
    cic: float | None = None
    error_ratio: float | None = None
    standard_error: float | None = None

    if mean is not None and s > 1:
        deviations = [total - mean for total in totals]
        power2 = math.fsum(d**2 for d in deviations)
        sd = 0.0 if _all_same(totals) else math.sqrt(power2 / (s - 1))

        # Moodle needs 3 attempts for skewness and internal consistency and 4
        # for kurtosis, and computes none of them when every total is equal.
        if sd and s > 2:
            m2 = power2 / s
            m3 = math.fsum(d**3 for d in deviations) / s
            m4 = math.fsum(d**4 for d in deviations) / s
            k2 = s * m2 / (s - 1)  # the sample variance of the totals
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            skewness = k3 / k2**1.5
            if s > 3:
                k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2)
                kurtosis = k4 / ((s - 1) * (s - 2) * (s - 3)) / (k2 * k2)
            if question_count > 1:
                p = question_count
                cic = 100.0 * p / (p - 1) * (1 - sum_of_item_variances / k2)
                # Alpha cannot pass 100% in exact arithmetic; clamp the rounding.
                error_ratio = 100.0 * math.sqrt(max(0.0, 1 - cic / 100.0))
                standard_error = error_ratio * sd / 100.0

    return QuizStatistics(
        attempt_count=s,
        max_score=float(question_count),
        mean=mean,
        median=statistics.median(totals) if s else None,
        standard_deviation=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        coefficient_of_internal_consistency=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
        items=tuple(items),
    )


def _all_same(scores: list[float]) -> bool:
    """True when the scores differ by no more than rounding."""
    return max(scores) - min(scores) <= _SAME_SCORE_TOLERANCE
