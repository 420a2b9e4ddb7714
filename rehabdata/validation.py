"""Validation results in the user's language: a list of problems, each tied to a field.

Forms show each problem next to its field; the importer lists them by row and column. Field rules
live on the ``*Create`` models in ``models.py`` (pydantic); rules that need the database (a
participant's stay, duplicates) live in ``services.py``. Both report ``Problem`` values, and a
write happens only when there are none.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from rehabdata import clock
from rehabdata.i18n import Lang, t

EARLIEST_EVENT = date(2025, 1, 1)  # no programme record (screening, session, …) predates 2025
EARLIEST_ADMISSION = date(1990, 1, 1)
EARLIEST_AGREEMENT = date(2000, 1, 1)  # an older MoU is a typing error, not a programme

Model = TypeVar("Model", bound=BaseModel)

# pydantic's built-in error types → our message keys (the rest fall back to "invalid")
_PYDANTIC_KEYS = {
    "missing": "validation.required",
    "string_too_short": "validation.required",
    "greater_than": "validation.greater_than",
    "greater_than_equal": "validation.at_least",
    "less_than": "validation.less_than",
    "less_than_equal": "validation.at_most",
    "string_too_long": "validation.too_long",
    "int_parsing": "validation.not_a_number",
    "int_type": "validation.not_a_number",
    "int_from_float": "validation.not_a_number",
    "date_parsing": "validation.not_a_date",
    "date_from_datetime_parsing": "validation.not_a_date",
    "date_type": "validation.not_a_date",
    "enum": "validation.not_allowed",
    "literal_error": "validation.not_allowed",
    "bool_parsing": "validation.not_allowed",
    "string_pattern_mismatch": "validation.pattern",
}


@dataclass(frozen=True)
class Problem:
    """One reason a record cannot be saved: which field, which message, with what values."""

    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: Lang) -> str:
        """The message in ``lang`` (substance and programme codes in the values are translated too)."""
        params = dict(self.params)
        for name in ("substance", "programme"):  # codes shown in the user's language
            if params.get(name):
                params[name] = t(f"{name}.{params[name]}", lang)
        return t(self.key, lang, **params)


class ValidationFailed(ValueError):
    """A write was refused before touching the database; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message('en')}" for p in problems))


def rule(key: str, **params: Any) -> PydanticCustomError:
    """An error for a model validator, carrying our message key and its values."""
    return PydanticCustomError(key, key, params)


def _problem(error: dict[str, Any]) -> Problem:
    location = ".".join(str(part) for part in error["loc"]) or "__all__"
    kind = error["type"]
    context = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in (error.get("ctx") or {}).items()}
    if kind.startswith("validation."):
        return Problem(location, kind, context)
    if error.get("input") is None:  # an empty field, whatever type it should have had
        return Problem(location, "validation.required")
    limit = next((context[k] for k in ("gt", "ge", "lt", "le", "max_length") if k in context), None)
    return Problem(
        location,
        _PYDANTIC_KEYS.get(kind, "validation.invalid"),
        {"limit": limit} if limit is not None else {},
    )


def check(model: type[Model], data: dict[str, Any]) -> tuple[Model | None, list[Problem]]:
    """Validate ``data`` against ``model``: the instance and no problems, or None and the problems."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, [_problem(e) for e in error.errors()]


def validated(model: type[Model], data: dict[str, Any] | BaseModel) -> Model:
    """The validated instance, or ``ValidationFailed`` with every problem."""
    if isinstance(data, model):
        return data
    values = data.model_dump() if isinstance(data, BaseModel) else data
    instance, problems = check(model, values)
    if instance is None:
        raise ValidationFailed(problems)
    return instance


def not_in_future(day: date | None, field_name: str = "date") -> None:
    """Raise a field rule error for a date after today."""
    if day is not None and day > clock.today():
        raise rule("validation.future_date", field=field_name)
