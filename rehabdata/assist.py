"""WHO ASSIST v3.0 scoring.

Pure, dependency-free functions so the scoring rules can be tested and reused
by the UI, reports and imports without touching Streamlit or the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SUBSTANCES: tuple[str, ...] = (
    "tobacco",
    "alcohol",
    "cannabis",
    "cocaine",
    "amphetamines",
    "inhalants",
    "sedatives",
    "hallucinogens",
    "opioids",
    "other",
)

# Form options in the order the WHO questionnaire prints them; label keys are
# stable identifiers that the UI translates.
ANSWER_OPTIONS: dict[str, tuple[tuple[int, str], ...]] = {
    "q2": (
        (0, "never"),
        (2, "once_or_twice"),
        (3, "monthly"),
        (4, "weekly"),
        (6, "daily"),
    ),
    "q3": (
        (0, "never"),
        (3, "once_or_twice"),
        (4, "monthly"),
        (5, "weekly"),
        (6, "daily"),
    ),
    "q4": (
        (0, "never"),
        (4, "once_or_twice"),
        (5, "monthly"),
        (6, "weekly"),
        (7, "daily"),
    ),
    "q5": (
        (0, "never"),
        (5, "once_or_twice"),
        (6, "monthly"),
        (7, "weekly"),
        (8, "daily"),
    ),
    "q6": (
        (0, "no"),
        (6, "yes_past_3_months"),
        (3, "yes_not_past_3_months"),
    ),
    "q7": (
        (0, "no"),
        (6, "yes_past_3_months"),
        (3, "yes_not_past_3_months"),
    ),
    "q8": (
        (0, "never"),
        (2, "yes_past_3_months"),
        (1, "yes_not_past_3_months"),
    ),
}

# Allowed points per question, ascending; derived so they cannot drift from
# the form options.
QUESTION_SCALES: dict[str, tuple[int, ...]] = {
    question: tuple(sorted(points for points, _ in options)) for question, options in ANSWER_OPTIONS.items()
}

# Questions that add up to the Specific Substance Involvement Score (q8,
# injecting, is reported separately).
SCORED_QUESTIONS: tuple[str, ...] = ("q2", "q3", "q4", "q5", "q6", "q7")

RISK_LEVELS: tuple[str, ...] = ("low", "moderate", "high")

RECOMMENDATIONS: dict[str, str] = {
    "low": "general_advice",
    "moderate": "brief_intervention",
    "high": "brief_intervention_referral",
}

# ASSIST does not ask q5 (failure to meet expectations) about tobacco.
_NOT_ASKED: dict[str, frozenset[str]] = {"tobacco": frozenset({"q5"})}

# Alcohol has a higher moderate-risk threshold than every other substance.
_MODERATE_FROM: dict[str, int] = {"alcohol": 11}
_DEFAULT_MODERATE_FROM = 4
_HIGH_FROM = 27


def _join(values: Iterable[object]) -> str:
    """Render allowed values the same way in every error message."""
    return ", ".join(str(value) for value in values)


def _check_substance(substance: object) -> str:
    """Reject unknown substances early so typos never score silently as 0."""
    if not isinstance(substance, str) or substance not in SUBSTANCES:
        raise ValueError(f"unknown substance {substance!r}; must be one of {_join(SUBSTANCES)}")
    return substance


def _check_answer(question: str, value: object, substance: str | None) -> None:
    """Validate one answer; the substance only enriches the error message."""
    if question not in QUESTION_SCALES:
        raise ValueError(f"unknown question {question!r}; must be one of {_join(QUESTION_SCALES)}")
    allowed = QUESTION_SCALES[question]
    # bool is an int subclass and 4.0 == 4, so check the exact type first.
    if type(value) is not int or value not in allowed:
        where = f"{question} for {substance}" if substance else question
        raise ValueError(f"{where} must be one of {_join(allowed)} (got {value!r})")


def validate_answer(question: str, value: int) -> None:
    """Raise ValueError unless value is an ASSIST point value for question."""
    _check_answer(question, value, None)


def questions_for(substance: str) -> tuple[str, ...]:
    """Scored questions actually asked for a substance (tobacco skips q5)."""
    skipped = _NOT_ASKED.get(_check_substance(substance), frozenset())
    return tuple(q for q in SCORED_QUESTIONS if q not in skipped)


def max_score(substance: str) -> int:
    """Highest reachable score, used to reject impossible totals."""
    return sum(max(QUESTION_SCALES[q]) for q in questions_for(substance))


def involvement_score(substance: str, answers: dict[str, int]) -> int:
    """Specific Substance Involvement Score: sum of the q2-q7 points.

    Missing questions count as 0 because the questionnaire skips q3-q5 when
    q2 is "never"; q5 is ignored for tobacco because it is never asked.
    """
    asked = questions_for(substance)
    if not isinstance(answers, dict):
        raise TypeError(f"answers for {substance} must be a dict of question to points")
    for key in answers:
        if key not in SCORED_QUESTIONS:
            raise ValueError(
                f"unknown question {key!r} for {substance}; must be one of {_join(SCORED_QUESTIONS)}"
            )
    total = 0
    for question in asked:
        if question in answers:
            value = answers[question]
            _check_answer(question, value, substance)
            total += value
    return total


def risk_level(substance: str, score: int) -> str:
    """Map a substance score to "low", "moderate" or "high" risk."""
    limit = max_score(substance)
    if type(score) is not int or not 0 <= score <= limit:
        raise ValueError(f"score for {substance} must be an integer from 0 to {limit} (got {score!r})")
    if score >= _HIGH_FROM:
        return "high"
    if score >= _MODERATE_FROM.get(substance, _DEFAULT_MODERATE_FROM):
        return "moderate"
    return "low"


def risk_rank(risk: str) -> int:
    """Order risks (0 low, 1 moderate, 2 high) so they can be compared."""
    if risk not in RISK_LEVELS:
        raise ValueError(f"unknown risk {risk!r}; must be one of {_join(RISK_LEVELS)}")
    return RISK_LEVELS.index(risk)


def recommendation(risk: str) -> str:
    """Suggested response for a risk level, as a stable key for the UI."""
    risk_rank(risk)
    return RECOMMENDATIONS[risk]


@dataclass(frozen=True)
class SubstanceResult:
    """Score and risk for one substance of a screening."""

    substance: str
    score: int
    risk: str
    recommendation: str


@dataclass(frozen=True)
class ScreeningResult:
    """Outcome of one ASSIST screening; q8 injecting is kept apart."""

    substances: tuple[SubstanceResult, ...]
    injecting: int
    overall_risk: str
    recommendation: str

    @property
    def scores(self) -> dict[str, int]:
        """Scores by substance, for storage and charts."""
        return {result.substance: result.score for result in self.substances}


def score_substance(substance: str, answers: dict[str, int]) -> SubstanceResult:
    """Score one substance and attach its risk and suggested response."""
    score = involvement_score(substance, answers)
    risk = risk_level(substance, score)
    return SubstanceResult(substance, score, risk, recommendation(risk))


def score_screening(answers_by_substance: dict[str, dict[str, int]], injecting: int = 0) -> ScreeningResult:
    """Score a full screening; keys are the substances ever used (q1 yes).

    The overall risk is the highest substance risk, so the strongest
    indication drives the suggested programme; no substances means low risk.
    """
    if not isinstance(answers_by_substance, dict):
        raise TypeError("answers_by_substance must be a dict of substance to answers")
    for substance in answers_by_substance:
        _check_substance(substance)
    _check_answer("q8", injecting, None)
    results = tuple(
        score_substance(substance, answers_by_substance[substance])
        for substance in SUBSTANCES
        if substance in answers_by_substance
    )
    overall = max((r.risk for r in results), key=risk_rank, default="low")
    return ScreeningResult(
        substances=results,
        injecting=injecting,
        overall_risk=overall,
        recommendation=recommendation(overall),
    )
