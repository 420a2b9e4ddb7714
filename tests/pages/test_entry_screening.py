"""Input Skrining under AppTest: live ASSIST scores at the risk thresholds, saving, refusals and the dashboards."""

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from rehabdata import clock, services
from rehabdata.models import AuditLog, Participant, Screening
from tests.pages.apptest import metric, run_app
from tests.pages.entry_support import STAFF, count, errors_under

PAGE = "pages/entry_screening.py"
TODAY = clock.today()
NAMES = {"cannabis": "Ganja", "alcohol": "Alkohol", "tobacco": "Tembakau"}


def open_form(substances: list[str] = ()):
    """The screening page as Kabanjahe staff, with the Q1 substances chosen."""
    at = run_app({}, PAGE, username=STAFF)
    assert not at.exception
    at.text_input(key="screening_screener").input("Perawat klinik")  # required: who screened
    if substances:
        at.multiselect(key="screening_used").set_value(list(substances)).run()
    return at


def answer(at, substance: str, **points: int) -> None:
    """Pick answers of one substance; Q2 first, since Q3–Q5 appear only when Q2 is not "never"."""
    if "q2" in points:
        at.radio(key=f"screening_{substance}_q2").set_value(points.pop("q2")).run()
    for question, value in points.items():
        at.radio(key=f"screening_{substance}_{question}").set_value(value)
    at.run()
    assert not at.exception


def badge(at, substance: str) -> str:
    """The live score badge drawn below a substance's questions."""
    texts = [m.value for m in at.main.markdown]
    return texts[texts.index(f"**{NAMES[substance]}**") + 1]


def overall(at) -> str:
    [line] = [m.value for m in at.main.markdown if m.value.startswith("### Risiko keseluruhan")]
    return line


def save(at) -> None:
    at.button(key="screening_submit").click().run()
    assert not at.exception


def stored(engine: Engine, participant_id: int) -> Screening:
    with Session(engine) as s:
        return s.exec(
            select(Screening).where(
                Screening.participant_id == participant_id, Screening.screened_on == TODAY
            )
        ).one()


def code_of(engine: Engine, participant_id: int) -> str:
    with Session(engine) as s:
        return s.get(Participant, participant_id).code


def test_cannabis_3_is_low_and_4_is_moderate(db):
    """Own facility only; cannabis at 3 shows low risk, at 4 moderate, and 4/moderate is what is saved."""
    at = open_form(["cannabis"])
    facility = at.selectbox(key="screening_facility")
    assert (len(facility.options), facility.disabled) == (1, True)
    with Session(db) as s:
        present = s.exec(
            select(Participant.code).where(
                Participant.facility_id == facility.value, Participant.exited_on.is_(None)
            )
        ).all()
    assert sorted(at.selectbox(key="screening_participant").options) == sorted(present)
    keys = {r.key for r in at.radio}
    assert "screening_cannabis_q3" not in keys, "Q3–Q5 are skipped while Q2 is 'never'"
    answer(at, "cannabis", q2=3)
    assert badge(at, "cannabis") == ":green-badge[Skor 3 · risiko Rendah]"
    assert overall(at) == "### Risiko keseluruhan: :green[Rendah]"
    answer(at, "cannabis", q2=4)
    assert badge(at, "cannabis") == ":orange-badge[Skor 4 · risiko Sedang]"
    assert overall(at) == "### Risiko keseluruhan: :orange[Sedang]"

    participant = at.selectbox(key="screening_participant").value
    audits = count(db, AuditLog)
    save(at)
    assert at.success.values == [f"Skrining {code_of(db, participant)} tersimpan: risiko Sedang."]
    row = stored(db, participant)
    assert (row.score_cannabis, row.max_score, row.overall_risk, row.recommendation) == (
        4,
        4,
        "moderate",
        "brief_intervention",
    )
    assert row.answers["cannabis"] == {"q2": 4, "q3": 0, "q4": 0, "q5": 0, "q6": 0, "q7": 0}
    assert count(db, AuditLog) == audits + 1
    assert count(db, AuditLog, AuditLog.entity == "screening", AuditLog.entity_id == row.id) == 1


def test_alcohol_10_is_low_and_11_is_moderate(db):
    """Alcohol's higher threshold: 10 is still low, 11 is moderate, and 11 is what is stored."""
    at = open_form(["alcohol"])
    answer(at, "alcohol", q2=4, q3=6)
    assert badge(at, "alcohol") == ":green-badge[Skor 10 · risiko Rendah]"
    assert overall(at).endswith(":green[Rendah]")
    answer(at, "alcohol", q2=6, q3=5)
    assert badge(at, "alcohol") == ":orange-badge[Skor 11 · risiko Sedang]"
    assert overall(at).endswith(":orange[Sedang]")

    participant = at.selectbox(key="screening_participant").value
    save(at)
    row = stored(db, participant)
    assert (row.score_alcohol, row.score_cannabis, row.overall_risk) == (11, None, "moderate")


def test_26_is_moderate_and_27_is_high(db):
    """26 is moderate and 27 high; the overall risk is the highest substance's, and Q8 is stored."""
    at = open_form(["tobacco", "cannabis"])
    answer(at, "tobacco", q2=6)
    answer(at, "cannabis", q2=6, q3=6, q4=7, q5=7)
    assert badge(at, "cannabis") == ":orange-badge[Skor 26 · risiko Sedang]"
    assert badge(at, "tobacco") == ":orange-badge[Skor 6 · risiko Sedang]"
    answer(at, "cannabis", q5=8)
    assert badge(at, "cannabis") == ":red-badge[Skor 27 · risiko Tinggi]"
    assert overall(at) == "### Risiko keseluruhan: :red[Tinggi]"
    at.radio(key="screening_q8").set_value(2).run()
    at.selectbox(key="screening_urine").set_value("positive").run()

    participant = at.selectbox(key="screening_participant").value
    save(at)
    assert at.success.values == [f"Skrining {code_of(db, participant)} tersimpan: risiko Tinggi."]
    row = stored(db, participant)
    assert (row.score_cannabis, row.score_tobacco, row.max_score) == (27, 6, 27)
    assert (row.overall_risk, row.recommendation) == ("high", "brief_intervention_referral")
    assert (row.injecting, row.urine_result) == (2, "positive")


def test_second_screening_same_day_is_refused(db):
    """Saving the same participant twice on one day is refused under the date, naming the screening."""
    at = open_form()
    participant = at.selectbox(key="screening_participant").value
    save(at)
    assert at.error.values == []
    screenings, audits = count(db, Screening), count(db, AuditLog)
    save(at)
    message = f"Peserta {code_of(db, participant)} sudah diskrining pada {TODAY.isoformat()}."
    assert errors_under(at, "screening_screener") == [message]
    assert at.success.values == []
    assert (count(db, Screening), count(db, AuditLog)) == (screenings, audits)


def test_dashboard_shows_the_new_screening_at_once(db):
    """After a save, Ringkasan counts one more screening and one more moderate/high (caches cleared)."""
    state = {"filters_preset": "custom", "filters_from": date(2025, 8, 1), "filters_to": TODAY}
    at = run_app(state, username=STAFF)
    assert not at.exception

    def cards() -> tuple[int, str]:
        screenings = int(metric(at, "Skrining").value.replace(".", ""))
        return screenings, metric(at, "Risiko sedang + tinggi").help

    screenings, share = cards()
    part, whole = (int(n.replace(".", "")) for n in share.split(" dari "))
    assert screenings == whole > 0

    at.switch_page(PAGE).run()
    at.text_input(key="screening_screener").input("Perawat klinik")
    at.multiselect(key="screening_used").set_value(["cannabis"]).run()
    answer(at, "cannabis", q2=4)
    save(at)
    assert at.success.values, at.error.values
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert cards() == (screenings + 1, f"{part + 1:,} dari {whole + 1:,}".replace(",", "."))


def test_database_error_keeps_the_answers(db, monkeypatch):
    """A database failure shows "Data belum tersimpan", writes nothing and keeps every answer."""
    screenings = count(db, Screening)

    def unreachable(**_):
        raise OperationalError("INSERT INTO screening", {}, Exception("server closed the connection"))

    at = open_form(["cannabis"])
    answer(at, "cannabis", q2=4, q6=3)
    at.text_input(key="screening_screener").input("Bu Ginting").run()
    monkeypatch.setattr(services, "create", unreachable)
    save(at)
    [message] = at.error.values
    assert message.startswith("Data belum tersimpan")
    assert at.multiselect(key="screening_used").value == ["cannabis"]
    assert (at.radio(key="screening_cannabis_q2").value, at.radio(key="screening_cannabis_q6").value) == (
        4,
        3,
    )
    assert at.text_input(key="screening_screener").value == "Bu Ginting"
    assert badge(at, "cannabis") == ":orange-badge[Skor 7 · risiko Sedang]"
    assert count(db, Screening) == screenings


def test_answer_changed_with_the_click_is_saved(db):
    """An answer sent together with the Save click is the one stored."""
    at = open_form(["cannabis"])
    participant = at.selectbox(key="screening_participant").value
    at.radio(key="screening_cannabis_q2").set_value(6)
    save(at)
    assert badge(at, "cannabis") == ":orange-badge[Skor 6 · risiko Sedang]"
    assert stored(db, participant).score_cannabis == 6


def test_urine_test_defaults_to_not_done(db):
    """Without a choice, the urine test is recorded as not done, never as a negative result."""
    at = open_form()
    assert at.selectbox(key="screening_urine").value == "not_done"


def test_a_screening_without_its_screener_is_refused(db):
    """Who screened is part of the record: left empty, the save is refused under that field."""
    at = open_form()
    at.text_input(key="screening_screener").input("").run()
    screenings = count(db, Screening)
    save(at)
    assert errors_under(at, "screening_screener") == ["Wajib diisi."]
    assert at.success.values == []
    assert count(db, Screening) == screenings


def test_the_form_preselects_a_participant_not_yet_screened_that_day(db):
    """After a save, a new visit to the form offers the next participant, and marks the one just
    screened, so the next click on Simpan is not refused as a duplicate."""
    at = open_form()
    screened = at.selectbox(key="screening_participant").value
    save(at)
    assert at.success.values
    again = open_form()
    picker = again.selectbox(key="screening_participant")
    assert picker.value != screened
    assert f"{code_of(db, screened)} (sudah diskrining tanggal ini)" in picker.options
