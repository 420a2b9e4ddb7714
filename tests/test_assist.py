"""Tests for WHO ASSIST v3.0 scoring; expected values are computed by hand."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from pathlib import Path

import pytest

from rehabdata import assist
from rehabdata.assist import (
    ANSWER_OPTIONS,
    QUESTION_SCALES,
    RISK_LEVELS,
    SUBSTANCES,
    ScreeningResult,
    SubstanceResult,
    involvement_score,
    recommendation,
    risk_level,
    risk_rank,
    score_screening,
    validate_answer,
)

NON_TOBACCO = tuple(s for s in SUBSTANCES if s != "tobacco")
OTHER_THAN_ALCOHOL_AND_TOBACCO = tuple(s for s in SUBSTANCES if s not in ("tobacco", "alcohol"))

EXPECTED_SCALES = {
    "q2": (0, 2, 3, 4, 6),
    "q3": (0, 3, 4, 5, 6),
    "q4": (0, 4, 5, 6, 7),
    "q5": (0, 5, 6, 7, 8),
    "q6": (0, 3, 6),
    "q7": (0, 3, 6),
    "q8": (0, 1, 2),
}

ALL_MAX = {"q2": 6, "q3": 6, "q4": 7, "q5": 8, "q6": 6, "q7": 6}


def _impossible_values() -> list[tuple[str, object]]:
    """Every off-scale integer from -1 to 9 plus wrong types, per question."""
    cases: list[tuple[str, object]] = []
    for question, allowed in EXPECTED_SCALES.items():
        cases += [(question, v) for v in range(-1, 10) if v not in allowed]
        cases += [(question, True), (question, False), (question, float(allowed[-1]))]
        cases += [(question, str(allowed[-1])), (question, None)]
    return cases


IMPOSSIBLE = _impossible_values()
SCORED_IMPOSSIBLE = [(q, v) for q, v in IMPOSSIBLE if q != "q8"]


# --- constants -------------------------------------------------------------


def test_substances_exact_keys_and_order() -> None:
    """SUBSTANCES lists the ten ASSIST substances in questionnaire order."""
    assert SUBSTANCES == (
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


def test_question_scales_match_assist_points() -> None:
    """QUESTION_SCALES holds the ASSIST point values for q2 to q8."""
    assert QUESTION_SCALES == EXPECTED_SCALES


@pytest.mark.parametrize("question", list(EXPECTED_SCALES))
def test_answer_options_cover_exactly_the_scale(question: str) -> None:
    """Form options offer each allowed point value exactly once."""
    points = [p for p, _ in ANSWER_OPTIONS[question]]
    assert sorted(points) == list(EXPECTED_SCALES[question])
    assert len(points) == len(set(points))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "q2",
            (
                (0, "never"),
                (2, "once_or_twice"),
                (3, "monthly"),
                (4, "weekly"),
                (6, "daily"),
            ),
        ),
        (
            "q5",
            (
                (0, "never"),
                (5, "once_or_twice"),
                (6, "monthly"),
                (7, "weekly"),
                (8, "daily"),
            ),
        ),
        ("q6", ((0, "no"), (6, "yes_past_3_months"), (3, "yes_not_past_3_months"))),
        ("q7", ((0, "no"), (6, "yes_past_3_months"), (3, "yes_not_past_3_months"))),
        (
            "q8",
            ((0, "never"), (2, "yes_past_3_months"), (1, "yes_not_past_3_months")),
        ),
    ],
)
def test_answer_option_labels(question: str, expected: tuple[tuple[int, str], ...]) -> None:
    """Option label keys pair with the right points in form order."""
    assert ANSWER_OPTIONS[question] == expected


def test_answer_option_labels_are_snake_case() -> None:
    """Label keys are stable snake_case identifiers for translation."""
    for options in ANSWER_OPTIONS.values():
        for _, label in options:
            assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", label)


# --- involvement_score -----------------------------------------------------


@pytest.mark.parametrize(
    ("substance", "answers", "expected"),
    [
        ("alcohol", {"q2": 6, "q3": 4}, 10),
        ("alcohol", {"q2": 6, "q3": 5}, 11),
        ("alcohol", {"q2": 6, "q3": 6, "q4": 7, "q5": 7}, 26),
        ("alcohol", {"q2": 6, "q3": 6, "q4": 7, "q5": 8}, 27),
        ("cannabis", {"q2": 3}, 3),
        ("cannabis", {"q2": 4}, 4),
        ("cannabis", {"q2": 2, "q3": 3, "q4": 4, "q5": 5, "q6": 3, "q7": 3}, 20),
        ("opioids", {"q2": 4, "q3": 5, "q4": 6, "q5": 7, "q6": 6, "q7": 3}, 31),
        ("tobacco", {"q2": 6, "q3": 6, "q4": 5, "q6": 6, "q7": 3}, 26),
        ("tobacco", {"q2": 6, "q3": 6, "q4": 6, "q6": 6, "q7": 3}, 27),
    ],
)
def test_involvement_score_sums_points(substance: str, answers: dict[str, int], expected: int) -> None:
    """The score is the plain sum of the q2-q7 points."""
    assert involvement_score(substance, answers) == expected


@pytest.mark.parametrize("substance", NON_TOBACCO)
def test_max_score_non_tobacco(substance: str) -> None:
    """Top answers on every question give 39 for non-tobacco substances."""
    assert involvement_score(substance, ALL_MAX) == 39
    assert risk_level(substance, 39) == "high"


def test_max_score_tobacco() -> None:
    """Top answers give 31 for tobacco because q5 is not asked."""
    assert involvement_score("tobacco", ALL_MAX) == 31
    assert risk_level("tobacco", 31) == "high"


@pytest.mark.parametrize("q5", [0, 5, 8, 3, 99, -1, True, "daily", None])
def test_tobacco_ignores_q5(q5: object) -> None:
    """Tobacco ignores q5 entirely, even an off-scale value."""
    answers = {"q2": 4, "q3": 3, "q5": q5}
    assert involvement_score("tobacco", answers) == 7  # type: ignore[arg-type]


@pytest.mark.parametrize("substance", NON_TOBACCO)
def test_q5_counts_for_non_tobacco(substance: str) -> None:
    """q5 is part of the score for every substance except tobacco."""
    assert involvement_score(substance, {"q2": 4, "q3": 3, "q5": 8}) == 15


@pytest.mark.parametrize(
    ("substance", "answers", "expected"),
    [
        ("alcohol", {}, 0),
        ("tobacco", {}, 0),
        ("cannabis", {"q2": 0, "q6": 3}, 3),
        ("cocaine", {"q6": 6, "q7": 6}, 12),
        ("sedatives", {"q7": 3}, 3),
        ("opioids", {"q2": 2}, 2),
    ],
)
def test_missing_keys_count_as_zero(substance: str, answers: dict[str, int], expected: int) -> None:
    """Skipped questions contribute nothing to the score."""
    assert involvement_score(substance, answers) == expected


@pytest.mark.parametrize(("question", "value"), SCORED_IMPOSSIBLE)
@pytest.mark.parametrize("substance", ["cannabis", "alcohol"])
def test_impossible_answer_raises_naming_question_and_allowed(
    substance: str, question: str, value: object
) -> None:
    """Off-scale or wrongly typed answers raise with question, substance, values."""
    allowed = ", ".join(str(v) for v in EXPECTED_SCALES[question])
    message = f"{question} for {substance} must be one of {allowed} (got {value!r})"
    with pytest.raises(ValueError, match=re.escape(message)):
        involvement_score(substance, {question: value})  # type: ignore[dict-item]


def test_impossible_answer_message_example() -> None:
    """The error message has the documented wording."""
    with pytest.raises(ValueError) as excinfo:
        involvement_score("cannabis", {"q2": 4, "q4": 3})
    assert str(excinfo.value) == "q4 for cannabis must be one of 0, 4, 5, 6, 7 (got 3)"


@pytest.mark.parametrize(("question", "value"), [(q, v) for q, v in SCORED_IMPOSSIBLE if q != "q5"])
def test_tobacco_still_validates_asked_questions(question: str, value: object) -> None:
    """Tobacco only skips q5; other off-scale answers still raise."""
    with pytest.raises(ValueError, match=rf"^{question} for tobacco must be one of"):
        involvement_score("tobacco", {question: value})  # type: ignore[dict-item]


@pytest.mark.parametrize("key", ["q1", "q8", "q9", "Q2", "q 2", "", "2"])
def test_unknown_question_key_raises(key: str) -> None:
    """Keys other than q2-q7 raise instead of being silently dropped."""
    with pytest.raises(ValueError, match=r"unknown question .*q2, q3, q4, q5, q6, q7"):
        involvement_score("alcohol", {"q2": 2, key: 0})


def test_unknown_question_key_raises_for_tobacco() -> None:
    """Unknown keys raise for tobacco too, not only for q5 leniency."""
    with pytest.raises(ValueError, match="unknown question 'q8' for tobacco"):
        involvement_score("tobacco", {"q8": 0})


@pytest.mark.parametrize("substance", ["heroin", "Alcohol", "", " alcohol", "shabu"])
def test_unknown_substance_raises_listing_valid(substance: str) -> None:
    """Unknown substances raise and list the valid substance keys."""
    listing = ", ".join(SUBSTANCES)
    with pytest.raises(ValueError, match=re.escape(listing)):
        involvement_score(substance, {})
    with pytest.raises(ValueError, match=re.escape(listing)):
        risk_level(substance, 0)
    with pytest.raises(ValueError, match=re.escape(listing)):
        score_screening({substance: {}})


def test_non_dict_answers_raise_type_error() -> None:
    """Answers must be a dict; anything else is a programming error."""
    with pytest.raises(TypeError):
        involvement_score("alcohol", [("q2", 2)])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        score_screening([("alcohol", {})])  # type: ignore[arg-type]


# --- risk_level ------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "low"),
        (10, "low"),
        (11, "moderate"),
        (26, "moderate"),
        (27, "high"),
        (39, "high"),
    ],
)
def test_alcohol_risk_boundaries(score: int, expected: str) -> None:
    """Alcohol is low to 10, moderate 11-26, high from 27."""
    assert risk_level("alcohol", score) == expected


@pytest.mark.parametrize("substance", OTHER_THAN_ALCOHOL_AND_TOBACCO)
@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "low"),
        (3, "low"),
        (4, "moderate"),
        (10, "moderate"),
        (11, "moderate"),
        (26, "moderate"),
        (27, "high"),
        (39, "high"),
    ],
)
def test_other_substance_risk_boundaries(substance: str, score: int, expected: str) -> None:
    """Non-alcohol substances are low to 3, moderate 4-26, high from 27."""
    assert risk_level(substance, score) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, "low"), (3, "low"), (4, "moderate"), (26, "moderate"), (27, "high")],
)
def test_tobacco_risk_boundaries(score: int, expected: str) -> None:
    """Tobacco uses the non-alcohol thresholds."""
    assert risk_level("tobacco", score) == expected


@pytest.mark.parametrize(
    ("substance", "answers", "expected"),
    [
        ("alcohol", {"q2": 6, "q3": 4}, "low"),
        ("alcohol", {"q2": 6, "q3": 5}, "moderate"),
        ("alcohol", {"q2": 6, "q3": 6, "q4": 7, "q5": 7}, "moderate"),
        ("alcohol", {"q2": 6, "q3": 6, "q4": 7, "q5": 8}, "high"),
        ("cannabis", {"q2": 3}, "low"),
        ("cannabis", {"q2": 4}, "moderate"),
        ("cannabis", {"q2": 6, "q3": 6, "q4": 7, "q5": 7}, "moderate"),
        ("cannabis", {"q2": 6, "q3": 6, "q4": 7, "q5": 8}, "high"),
        ("tobacco", {"q2": 3}, "low"),
        ("tobacco", {"q2": 4}, "moderate"),
        ("tobacco", {"q2": 6, "q3": 6, "q4": 5, "q6": 6, "q7": 3}, "moderate"),
        ("tobacco", {"q2": 6, "q3": 6, "q4": 6, "q6": 6, "q7": 3}, "high"),
    ],
)
def test_boundaries_from_answers(substance: str, answers: dict[str, int], expected: str) -> None:
    """Threshold boundaries hold end to end, from answers to risk."""
    assert risk_level(substance, involvement_score(substance, answers)) == expected


@pytest.mark.parametrize(
    ("substance", "score"),
    [
        ("alcohol", -1),
        ("alcohol", 40),
        ("cannabis", 40),
        ("opioids", 100),
        ("tobacco", 32),
        ("tobacco", -1),
    ],
)
def test_risk_level_rejects_out_of_range_score(substance: str, score: int) -> None:
    """Negative scores or scores above the maximum raise."""
    with pytest.raises(ValueError, match=substance):
        risk_level(substance, score)


@pytest.mark.parametrize("score", [True, False, 4.0, "4", None])
def test_risk_level_rejects_non_int_score(score: object) -> None:
    """Only real integers are scores."""
    with pytest.raises(ValueError):
        risk_level("cannabis", score)  # type: ignore[arg-type]


# --- recommendation and ranking --------------------------------------------


@pytest.mark.parametrize(
    ("risk", "expected"),
    [
        ("low", "general_advice"),
        ("moderate", "brief_intervention"),
        ("high", "brief_intervention_referral"),
    ],
)
def test_recommendation_mapping(risk: str, expected: str) -> None:
    """Each risk level maps to its WHO suggested response."""
    assert recommendation(risk) == expected


@pytest.mark.parametrize("risk", ["", "Low", "severe", "medium"])
def test_recommendation_unknown_risk_raises(risk: str) -> None:
    """Unknown risk levels raise and list the valid ones."""
    with pytest.raises(ValueError, match="low, moderate, high"):
        recommendation(risk)
    with pytest.raises(ValueError, match="low, moderate, high"):
        risk_rank(risk)


def test_risk_levels_and_rank() -> None:
    """Risk levels are ordered low < moderate < high."""
    assert RISK_LEVELS == ("low", "moderate", "high")
    assert [risk_rank(r) for r in RISK_LEVELS] == [0, 1, 2]


# --- validate_answer and q8 ------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value"),
    [(q, v) for q, allowed in EXPECTED_SCALES.items() for v in allowed],
)
def test_validate_answer_accepts_scale_values(question: str, value: int) -> None:
    """Every value on a question's scale is accepted."""
    assert validate_answer(question, value) is None


@pytest.mark.parametrize(("question", "value"), IMPOSSIBLE)
def test_validate_answer_rejects_impossible(question: str, value: object) -> None:
    """validate_answer names the question and lists the allowed values."""
    allowed = ", ".join(str(v) for v in EXPECTED_SCALES[question])
    message = f"{question} must be one of {allowed} (got {value!r})"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        validate_answer(question, value)  # type: ignore[arg-type]


@pytest.mark.parametrize("question", ["q1", "q9", "Q2", ""])
def test_validate_answer_unknown_question(question: str) -> None:
    """Unknown question names raise and list q2 to q8."""
    with pytest.raises(ValueError, match="q2, q3, q4, q5, q6, q7, q8"):
        validate_answer(question, 0)


@pytest.mark.parametrize("injecting", [0, 1, 2])
def test_screening_accepts_q8_values(injecting: int) -> None:
    """Injecting is stored as given and does not change any score."""
    result = score_screening({"opioids": {"q2": 6}}, injecting=injecting)
    assert result.injecting == injecting
    assert result.scores == {"opioids": 6}


@pytest.mark.parametrize("injecting", [-1, 3, 6, True, 1.0, "2", None])
def test_screening_rejects_bad_q8(injecting: object) -> None:
    """An off-scale injecting answer raises naming q8 and its values."""
    with pytest.raises(ValueError, match=re.escape("q8 must be one of 0, 1, 2")):
        score_screening({}, injecting=injecting)  # type: ignore[arg-type]


# --- score_screening -------------------------------------------------------


def test_screening_overall_risk_is_max() -> None:
    """The overall risk is the highest substance risk."""
    result = score_screening(
        {
            "cannabis": {"q2": 4},  # 4 -> moderate
            "alcohol": {"q2": 6, "q3": 4},  # 10 -> low
            "tobacco": {"q2": 6, "q3": 6, "q4": 6, "q6": 6, "q7": 3},  # 27 -> high
        },
        injecting=1,
    )
    assert result == ScreeningResult(
        substances=(
            SubstanceResult("tobacco", 27, "high", "brief_intervention_referral"),
            SubstanceResult("alcohol", 10, "low", "general_advice"),
            SubstanceResult("cannabis", 4, "moderate", "brief_intervention"),
        ),
        injecting=1,
        overall_risk="high",
        recommendation="brief_intervention_referral",
    )
    assert result.scores == {"tobacco": 27, "alcohol": 10, "cannabis": 4}
    assert list(result.scores) == ["tobacco", "alcohol", "cannabis"]


@pytest.mark.parametrize(
    ("answers", "overall", "advice"),
    [
        (
            {"alcohol": {"q2": 6, "q3": 4}, "cannabis": {"q2": 3}},
            "low",
            "general_advice",
        ),
        (
            {"alcohol": {"q2": 6, "q3": 5}, "cannabis": {"q2": 3}},
            "moderate",
            "brief_intervention",
        ),
        (
            {"alcohol": {"q2": 6, "q3": 4}, "amphetamines": {"q6": 3, "q7": 3}},
            "moderate",
            "brief_intervention",
        ),
        (
            {"inhalants": {"q2": 2}, "opioids": ALL_MAX},
            "high",
            "brief_intervention_referral",
        ),
    ],
)
def test_screening_overall_recommendation(
    answers: dict[str, dict[str, int]], overall: str, advice: str
) -> None:
    """The overall recommendation follows the highest risk."""
    result = score_screening(answers)
    assert result.overall_risk == overall
    assert result.recommendation == advice


def test_screening_with_no_substances_is_low() -> None:
    """A screening with no substance ever used is low risk, general advice."""
    result = score_screening({})
    assert result.substances == ()
    assert result.injecting == 0
    assert result.overall_risk == "low"
    assert result.recommendation == "general_advice"
    assert result.scores == {}


def test_screening_lifetime_use_only_scores_zero() -> None:
    """A substance used once in a lifetime but not recently scores 0, low."""
    result = score_screening({"hallucinogens": {"q2": 0}})
    assert result.substances == (SubstanceResult("hallucinogens", 0, "low", "general_advice"),)


def test_screening_validates_every_substance() -> None:
    """A bad answer for any substance rejects the whole screening."""
    with pytest.raises(ValueError, match=re.escape("q3 for cocaine must be one of")):
        score_screening({"alcohol": {"q2": 2}, "cocaine": {"q2": 2, "q3": 2}})


def test_screening_tobacco_q5_ignored() -> None:
    """Tobacco's q5 is ignored inside a full screening too."""
    result = score_screening({"tobacco": {"q2": 6, "q5": 8}})
    assert result.scores == {"tobacco": 6}
    assert result.overall_risk == "moderate"


def test_results_are_frozen() -> None:
    """Results are immutable so stored screenings cannot drift."""
    result = score_screening({"alcohol": {"q2": 2}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.overall_risk = "high"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.substances[0].score = 39  # type: ignore[misc]


def test_module_is_pure() -> None:
    """The scoring module imports only the standard library."""
    tree = ast.parse(Path(assist.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
