"""Validation problems: messages in both languages, pydantic errors mapped to our keys, and the field rules."""

from datetime import date, timedelta

import pytest
from pydantic_core import PydanticCustomError

from rehabdata import clock
from rehabdata.models import (
    EnrollmentEnd,
    FollowUpCreate,
    MonevActionCreate,
    OutreachCreate,
    ParticipantCreate,
    PopulationCreate,
    ScreeningCreate,
    SessionCreate,
)
from rehabdata.validation import Problem, ValidationFailed, check, not_in_future, rule, validated

TODAY = clock.today()
TOMORROW = TODAY + timedelta(days=1)
PARTICIPANT = {
    "facility_id": 1,
    "code": "KBJ-2025-0001",
    "sex": "m",
    "birth_year": 1990,
    "legal_status": "tahanan",
    "admitted_on": date(2025, 3, 1),
}
SCREENING = {"participant_id": 1, "screened_on": date(2025, 9, 1), "screener": "Perawat klinik"}
POPULATION = {"facility_id": 1, "month": date(2025, 9, 1), "wbp_total": 100, "wbp_narcotics": 60}
OUTREACH = {
    "region_id": 1,
    "held_on": date(2025, 9, 1),
    "place": "Aula",
    "event_type": "penyuluhan",
    "audience": "wbp",
    "people_reached": 40,
}


def problems(model, data) -> list[tuple[str, str, dict]]:
    """``check``'s problems as (field, key, params) triples."""
    instance, found = check(model, data)
    assert instance is None, "the data should have been refused"
    return [(p.field, p.key, p.params) for p in found]


# --- Problem.message ----------------------------------------------------------------------------


def test_message_in_indonesian_and_english():
    """A problem reads in the user's language with its values filled in."""
    problem = Problem("code", "validation.duplicate_code", {"code": "KBJ-2025-0001"})
    assert problem.message("id") == "Kode KBJ-2025-0001 sudah dipakai di UPT ini."
    assert problem.message("en") == "Code KBJ-2025-0001 is already used in this facility."


def test_message_translates_the_substance():
    """A substance code in the values is shown by its name in each language."""
    problem = Problem(
        "answers",
        "validation.assist_scale",
        {"substance": "cannabis", "question": "Q2", "allowed": "0, 2, 3, 4, 6", "value": 5},
    )
    assert problem.message("id") == "Jawaban Q2 Ganja harus salah satu dari 0, 2, 3, 4, 6 (tertulis 5)."
    assert problem.message("en") == "Answer Q2 Cannabis must be one of 0, 2, 3, 4, 6 (got 5)."
    assert problem.params["substance"] == "cannabis", "the problem itself keeps the code"


def test_message_without_values():
    """A message without placeholders is the plain text."""
    assert Problem("team", "validation.required").message("id") == "Wajib diisi."
    assert Problem("team", "validation.required").message("en") == "Required."


def test_unknown_substance_message_names_it():
    """An unknown substance code has no translation; the message still names what was typed."""
    message = Problem("answers", "validation.unknown_substance", {"substance": "kratom"}).message("id")
    assert message.startswith("Zat ") and "kratom" in message


# --- check: pydantic errors → our keys -----------------------------------------------------------


def test_valid_data_gives_instance_and_no_problems():
    """Valid data returns the model instance (code normalised) and an empty problem list."""
    instance, found = check(ParticipantCreate, {**PARTICIPANT, "code": " kbj-2025-0001 "})
    assert found == []
    assert instance is not None and instance.code == "KBJ-2025-0001"


def test_missing_field_is_required():
    """A field left out entirely is reported as required."""
    data = {k: v for k, v in PARTICIPANT.items() if k != "admitted_on"}
    assert problems(ParticipantCreate, data) == [("admitted_on", "validation.required", {})]


def test_empty_text_is_required():
    """An empty text where at least one character is needed is reported as required, not "too short"."""
    assert problems(OutreachCreate, {**OUTREACH, "place": ""}) == [("place", "validation.required", {})]


def test_greater_than_carries_its_limit():
    """wbp_total must be > 0: the limit travels with the problem and into the message."""
    found = check(PopulationCreate, {**POPULATION, "wbp_total": 0, "wbp_narcotics": 0})[1]
    assert [(p.field, p.key, p.params) for p in found] == [
        ("wbp_total", "validation.greater_than", {"limit": 0})
    ]
    assert found[0].message("id") == "Harus lebih dari 0."


@pytest.mark.parametrize(
    ("model", "data", "expected"),
    [
        (OutreachCreate, {**OUTREACH, "people_reached": -1}, ("people_reached", "validation.at_least", 0)),
        (PopulationCreate, {**POPULATION, "wbp_total": 20_001}, ("wbp_total", "validation.at_most", 20_000)),
        (OutreachCreate, {**OUTREACH, "place": "x" * 201}, ("place", "validation.too_long", 200)),
        (
            SessionCreate,
            {
                "facility_id": 1,
                "programme": "social",
                "held_on": date(2025, 9, 1),
                "session_type": "group",
                "topic": "Relaps",
                "duration_minutes": 5,
            },
            ("duration_minutes", "validation.at_least", 10),
        ),
    ],
)
def test_bounds_carry_their_limit(model, data, expected):
    """ge, le and max_length errors map to at_least, at_most and too_long with the limit."""
    field, key, limit = expected
    assert problems(model, data) == [(field, key, {"limit": limit})]


def test_parsing_and_enum_errors():
    """A non-number, an impossible date and a value outside an enum each get their own key."""
    data = {**PARTICIPANT, "birth_year": "abc", "admitted_on": "2025-13-01", "sex": "x"}
    assert sorted(problems(ParticipantCreate, data)) == [
        ("admitted_on", "validation.not_a_date", {}),
        ("birth_year", "validation.not_a_number", {}),
        ("sex", "validation.not_allowed", {}),
    ]


def test_date_text_is_parsed():
    """An ISO date string is accepted and becomes a date (imports send text)."""
    instance, found = check(ParticipantCreate, {**PARTICIPANT, "admitted_on": "2025-03-01"})
    assert found == [] and instance.admitted_on == date(2025, 3, 1)


def test_nested_location_is_dotted():
    """A bad answer inside the answers dict is located as answers.<substance>.<question>."""
    data = {**SCREENING, "answers": {"cannabis": {"q2": "often"}}}
    assert problems(ScreeningCreate, data) == [("answers.cannabis.q2", "validation.not_a_number", {})]


def test_other_pydantic_errors_fall_back_to_invalid():
    """An error type without its own message (a list where a dict belongs) reads "invalid"."""
    assert problems(ScreeningCreate, {**SCREENING, "answers": ["cannabis"]}) == [
        ("answers", "validation.invalid", {})
    ]


def test_empty_number_is_required():
    """A number input left empty (None) is reported as required, as a missing key is."""
    data = {**POPULATION, "wbp_total": None}
    assert problems(PopulationCreate, data) == [("wbp_total", "validation.required", {})]


# --- validated -----------------------------------------------------------------------------------


def test_validated_raises_with_every_problem():
    """All problems of all fields come back together, each tied to its field."""
    data = {**PARTICIPANT, "code": "kode salah!", "birth_year": 1900, "admitted_on": TOMORROW}
    with pytest.raises(ValidationFailed) as refused:
        validated(ParticipantCreate, data)
    found = {p.field: p for p in refused.value.problems}
    assert set(found) == {"code", "birth_year", "admitted_on"}
    assert found["code"].key == "validation.code_pattern"
    assert found["birth_year"] == Problem(
        "birth_year", "validation.birth_year", {"earliest": 1930, "latest": TODAY.year - 15}
    )
    assert found["admitted_on"].key == "validation.future_date"
    assert "birth_year: Birth year must be between 1930" in str(refused.value)


def test_validated_returns_an_instance_unchanged():
    """An already validated instance passes through as is."""
    instance = ParticipantCreate.model_validate(PARTICIPANT)
    assert validated(ParticipantCreate, instance) is instance


def test_validated_revalidates_another_model():
    """Another model's fields are validated again against the target model."""
    follow_up = FollowUpCreate.model_validate({**SCREENING, "stage": "during"})
    screening = validated(ScreeningCreate, follow_up)
    assert isinstance(screening, ScreeningCreate) and screening.screened_on == date(2025, 9, 1)


def test_not_in_future():
    """not_in_future accepts today and None and raises a rule error for tomorrow."""
    not_in_future(TODAY)
    not_in_future(None)
    with pytest.raises(PydanticCustomError) as error:
        not_in_future(TOMORROW, "held_on")
    assert error.value.type == "validation.future_date"


def test_rule_carries_key_and_values():
    """rule() builds a custom error whose type is our message key and whose context holds the values."""
    error = rule("validation.too_early", earliest="2025-01-01")
    assert error.type == "validation.too_early"
    assert error.context == {"earliest": "2025-01-01"}


# --- field rules on the *Create models -------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "data", "expected"),
    [
        (
            ScreeningCreate,
            {**SCREENING, "screened_on": TOMORROW},
            ("screened_on", "validation.future_date", {}),
        ),
        (
            ScreeningCreate,
            {**SCREENING, "screened_on": date(2024, 12, 31)},
            ("screened_on", "validation.too_early", {"earliest": "2025-01-01"}),
        ),
        (
            ParticipantCreate,
            {**PARTICIPANT, "admitted_on": date(1989, 12, 31)},
            ("admitted_on", "validation.too_early", {"earliest": "1990-01-01"}),
        ),
        (
            ParticipantCreate,
            {**PARTICIPANT, "admitted_on": TOMORROW},
            ("admitted_on", "validation.future_date", {}),
        ),
        (
            ParticipantCreate,
            {**PARTICIPANT, "exited_on": date(2025, 2, 28), "exit_reason": "released"},
            ("exited_on", "validation.exit_before_admission", {}),
        ),
        (
            ParticipantCreate,
            {**PARTICIPANT, "exited_on": date(2025, 4, 1), "exit_reason": None},
            ("exit_reason", "validation.exit_reason_required", {}),
        ),
        (ParticipantCreate, {**PARTICIPANT, "code": "K"}, ("code", "validation.code_pattern", {})),
        (
            PopulationCreate,
            {**POPULATION, "wbp_narcotics": 101},
            ("wbp_narcotics", "validation.narcotics_above_total", {}),
        ),
        (
            PopulationCreate,
            {**POPULATION, "month": date(2024, 12, 15)},
            ("month", "validation.too_early", {"earliest": "2025-01-01"}),
        ),
        (
            PopulationCreate,
            {**POPULATION, "month": (TODAY.replace(day=1) + timedelta(days=32))},
            ("month", "validation.future_date", {}),
        ),
        (
            EnrollmentEnd,
            {"status": "active", "ended_on": date(2025, 9, 1)},
            ("status", "validation.not_allowed", {}),
        ),
        (MonevActionCreate, {"visit_id": 1, "description": ""}, ("description", "validation.required", {})),
    ],
    ids=[
        "screening-future",
        "screening-before-2025",
        "admission-before-1990",
        "admission-future",
        "exit-before-admission",
        "exit-without-reason",
        "code-pattern",
        "narcotics-above-total",
        "month-before-2025",
        "month-future",
        "end-as-active",
        "action-without-description",
    ],
)
def test_field_rules(model, data, expected):
    """Each field rule refuses its case with its own key and values."""
    assert problems(model, data) == [expected]


def test_population_month_is_stored_as_its_first_day():
    """Any day of a month is accepted and normalised to the 1st."""
    instance, found = check(PopulationCreate, {**POPULATION, "month": date(2025, 9, 17)})
    assert found == [] and instance.month == date(2025, 9, 1)


def test_admission_on_1990_01_01_and_event_on_2025_01_01_are_accepted():
    """The earliest dates themselves are allowed."""
    assert check(ParticipantCreate, {**PARTICIPANT, "admitted_on": date(1990, 1, 1)})[1] == []
    assert check(ScreeningCreate, {**SCREENING, "screened_on": date(2025, 1, 1)})[1] == []


def test_assist_answer_off_scale_names_question_and_allowed_values():
    """Q2 = 5 is not an ASSIST value: the problem names Q2, the substance and the allowed values."""
    found = check(ScreeningCreate, {**SCREENING, "answers": {"cannabis": {"q2": 5}}})[1]
    assert [(p.field, p.key, p.params) for p in found] == [
        (
            "answers",
            "validation.assist_scale",
            {"substance": "cannabis", "question": "Q2", "allowed": "0, 2, 3, 4, 6", "value": 5},
        )
    ]
    message = found[0].message("id")
    assert "Q2" in message and "Ganja" in message and "0, 2, 3, 4, 6" in message and "5" in message


@pytest.mark.parametrize(
    ("answers", "injecting", "expected"),
    [
        ({"kratom": {"q2": 2}}, 0, ("answers", "validation.unknown_substance", {"substance": "kratom"})),
        ({"cannabis": {"q9": 2}}, 0, ("answers", "validation.unknown_question", {"question": "q9"})),
        ({"cannabis": {"q8": 2}}, 0, ("answers", "validation.unknown_question", {"question": "q8"})),
        (
            {},
            3,
            (
                "injecting",
                "validation.injecting_scale",
                {"allowed": "0, 1, 2", "value": 3},
            ),
        ),
    ],
    ids=["unknown-substance", "unknown-question", "q8-inside-a-substance", "q8-off-scale"],
)
def test_assist_structure_rules(answers, injecting, expected):
    """Unknown substances and questions, and an off-scale Q8, are refused with their own keys."""
    data = {**SCREENING, "answers": answers, "injecting": injecting}
    assert problems(ScreeningCreate, data) == [expected]


def test_every_scale_value_is_accepted():
    """Every printed answer of every question is a valid value (the rules match the form)."""
    from rehabdata.assist import ANSWER_OPTIONS

    for question in ("q2", "q3", "q4", "q5", "q6", "q7"):
        for points, _ in ANSWER_OPTIONS[question]:
            data = {**SCREENING, "answers": {"cannabis": {question: points}}}
            assert check(ScreeningCreate, data)[1] == [], (question, points)


def test_exit_date_without_reason_key_is_refused():
    """An exit date with the reason left out entirely needs a reason too."""
    data = {**PARTICIPANT, "exited_on": date(2025, 4, 1)}
    assert problems(ParticipantCreate, data) == [("exit_reason", "validation.exit_reason_required", {})]


@pytest.mark.parametrize("screener", [None, "", "   "])
def test_a_screening_names_who_screened(screener):
    """The screener is part of the record: missing, empty or blank is "Wajib diisi."."""
    data = (
        {**SCREENING, "screener": screener}
        if screener is not None
        else {k: v for k, v in SCREENING.items() if k != "screener"}
    )
    assert problems(ScreeningCreate, data) == [("screener", "validation.required", {})]
