"""Per-run context for pages: the prepared database engine and the user's language."""

import streamlit as st
from sqlalchemy import Engine

from rehabdata.bootstrap import demo_on_empty, prepare_database
from rehabdata.db import database_url, get_engine
from rehabdata.i18n import DEFAULT_LANG, LANGUAGES, Lang, t

LANG_KEY = "lang"
LANG_CHOICE_KEY = "lang_choice"  # the widget; LANG_KEY keeps the language when it is not shown


@st.cache_resource(show_spinner=False)
def _prepared_engine(url: str) -> Engine:
    """Migrate (and on first start fill with demo data) once per process; failures are not cached."""
    engine = get_engine(url)
    prepare_database(engine, load_demo_if_empty=demo_on_empty())
    return engine


def engine() -> Engine:
    """The app's database engine, ready to query."""
    return _prepared_engine(database_url())


def lang() -> Lang:
    """The UI language: the session's choice, else the ``lang`` link parameter, else Indonesian."""
    if st.session_state.get(LANG_KEY) not in LANGUAGES:
        requested = st.query_params.get(LANG_KEY, DEFAULT_LANG)
        st.session_state[LANG_KEY] = requested if requested in LANGUAGES else DEFAULT_LANG
    return st.session_state[LANG_KEY]


def tr(key: str, **values: object) -> str:
    """Translate ``key`` into the user's language."""
    return t(key, lang(), **values)


def _choose_language() -> None:
    choice = st.session_state.get(LANG_CHOICE_KEY)
    if choice in LANGUAGES:  # clicking the selected option again deselects it: keep the language
        st.session_state[LANG_KEY] = choice
        st.query_params[LANG_KEY] = choice


def language_switch() -> None:
    """Sidebar control to switch between Bahasa Indonesia and English."""
    st.sidebar.segmented_control(
        t("app.language", lang()),
        options=LANGUAGES,
        default=lang(),
        format_func=lambda code: {"id": "Bahasa Indonesia", "en": "English"}[code],
        key=LANG_CHOICE_KEY,
        on_change=_choose_language,
    )
