"""The WHO ASSIST questionnaire with live scores, shared by screening and follow-up entry.

Q1 (lifetime use) picks the substances; Q2–Q7 are asked only for those (Q3–Q5 only when used in
the past three months, as the WHO form skips them); Q8 asks about injecting. Every change reruns
the page, so each substance's score, risk and recommendation come straight from ``assist``.
"""

import streamlit as st

from rehabdata import assist
from rehabdata.ui.context import tr

RISK_BADGE = {"low": "green", "moderate": "orange", "high": "red"}


def _question(prefix: str, substance: str, question: str) -> int:
    options = assist.ANSWER_OPTIONS[question]
    labels = dict(options)
    return st.radio(
        tr(f"assist.{question}", substance=tr(f"substance.{substance}")),
        [points for points, _ in options],
        format_func=lambda points: tr(f"assist.answer.{labels[points]}"),
        horizontal=True,
        key=f"{prefix}_{substance}_{question}",
    )


def show(prefix: str) -> tuple[dict[str, dict[str, int]], int]:
    """Render the questionnaire; return the answers per substance used and the Q8 points."""
    used = st.multiselect(
        tr("assist.q1"),
        assist.SUBSTANCES,
        format_func=lambda s: tr(f"substance.{s}"),
        key=f"{prefix}_used",
        placeholder=tr("assist.q1_none"),
    )
    answers: dict[str, dict[str, int]] = {}
    for substance in used:
        with st.container(border=True):
            st.markdown(f"**{tr(f'substance.{substance}')}**")
            given: dict[str, int] = {}
            for question in assist.questions_for(substance):
                if question in {"q3", "q4", "q5"} and given.get("q2") == 0:
                    continue  # not used in the past 3 months: the WHO form skips Q3–Q5
                given[question] = _question(prefix, substance, question)
            result = assist.score_substance(substance, given)
            st.badge(
                tr("assist.result", score=result.score, risk=tr(f"risk.{result.risk}")),
                color=RISK_BADGE[result.risk],
            )
            st.caption(tr(f"assist.recommendation.{result.recommendation}"))
            answers[substance] = given
    injecting = st.radio(
        tr("assist.q8"),
        [points for points, _ in assist.ANSWER_OPTIONS["q8"]],
        format_func=lambda points: tr(f"assist.answer.{dict(assist.ANSWER_OPTIONS['q8'])[points]}"),
        horizontal=True,
        key=f"{prefix}_q8",
    )
    overall = assist.score_screening(answers, injecting)
    st.markdown(
        f"### {tr('assist.overall')}: :{RISK_BADGE[overall.overall_risk]}[{tr(f'risk.{overall.overall_risk}')}]"
    )
    st.caption(tr(f"assist.recommendation.{overall.recommendation}"))
    return answers, injecting
