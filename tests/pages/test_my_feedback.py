"""AppTest of the analyst's private My feedback page: figures, gap labels, self-assessment, sharing, scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import schema
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.self_assessments import shared_self_assessment
from data_access.writes.self_assessment import submit_self_assessment
from metrics.self_view import LABELS
from tests.data_access.test_my_feedback import CRAFTED_SELF, build_crafted

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "my_feedback.py")
TAB_KEY = "my_tab"
FORM_ORDER = ["communication", "application", "resolution", "expectation", "facilitation",
              "adaptability", "teamwork", "problem_solving", "client_management", "self_management"]


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def viewer(analyst_id: int, team_id: int = 1, roles=("analyst",)) -> Viewer:
    return Viewer(user_id=100 + analyst_id, username=f"analyst{analyst_id}", display_name=f"Analyst {analyst_id}",
                  roles=tuple(roles), analyst_id=analyst_id, own_team_id=team_id,
                  lead_team_ids=(team_id,) if "lead" in roles else (), team_name="North")


def run_page(monkeypatch, url: str, who: Viewer, *, tab: str | None = None, period: str | None = None,
             **state) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = who
    if tab:
        at.session_state[TAB_KEY] = tab
    for key, value in state.items():
        at.session_state[key] = value
    if period:
        at.session_state["my_period"] = period
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "success", "error", "warning", "text")
             for e in getattr(at, kind)]
    parts += [m.label for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def crafted_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'crafted.sqlite'}"
    schema.create_schema(get_engine(url))
    build_crafted(url)
    return url


# --- figures ----------------------------------------------------------------------------------------

def _own_counts(url: str, analyst_id: int, start: dt.date, end: dt.date) -> tuple[int, int, int]:
    with get_engine(url).connect() as conn:
        return tuple(conn.execute(sa.text(
            "SELECT count(*), sum(CASE WHEN r.happiness >= 9 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN r.happiness <= 6 THEN 1 ELSE 0 END) FROM responses r "
            "JOIN tickets t ON t.ticket_key = r.ticket_key WHERE t.analyst_id = :a "
            "AND r.submitted_at >= :s AND r.submitted_at < :e"),
            {"a": analyst_id, "s": dt.datetime.combine(start, dt.time()),
             "e": dt.datetime.combine(end, dt.time())}).one())


def _busiest(url: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        return tuple(conn.execute(sa.text(
            "SELECT t.analyst_id, a.team_id FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
            "JOIN analysts a ON a.analyst_id = t.analyst_id WHERE r.submitted_at >= '2025-12-01' "
            "GROUP BY t.analyst_id, a.team_id ORDER BY count(*) DESC, t.analyst_id LIMIT 1")).one())


def test_figures_match_independent_sql(monkeypatch, sqlite_demo_url):
    analyst_id, team_id = _busiest(sqlite_demo_url)
    at = run_page(monkeypatch, sqlite_demo_url, viewer(analyst_id, team_id))
    n, happy, unhappy = _own_counts(sqlite_demo_url, analyst_id, dt.date(2025, 12, 1), dt.date(2026, 11, 16))
    assert n >= 5
    p, d = happy / n, unhappy / n
    expected = 100 * (p - d)
    margin = 1.96 * 100 * ((p + d - (p - d) ** 2) / n) ** 0.5
    tile = metric(at, "Happiness")
    assert tile.value == (f"{round(expected):+d}" if round(expected) else "0")
    assert f"± {round(margin)} (n = {n:,})" in all_text(at)
    assert metric(at, "Scored 9–10 · 0–6").value == f"{100 * p:.0f}% · {100 * d:.0f}%"


def test_under_the_minimum_an_encouraging_message_replaces_numbers(monkeypatch, crafted_url):
    at = run_page(monkeypatch, crafted_url, viewer(5))   # analyst 5 has 3 responses
    assert any("Not enough responses yet" in i.value and "you have 3" in i.value for i in at.info)
    assert not [m for m in at.metric if m.label == "Happiness"]


def test_query_params_and_session_state_cannot_show_another_analyst(monkeypatch, crafted_url):
    # Analyst 3: all twelve responses scored 10 → Happiness +100. Analyst 1 would show +50.
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", crafted_url)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = viewer(3)
    at.query_params["analyst_id"] = "1"
    at.query_params["analyst"] = "1"
    for key in ("analyst_id", "my_analyst_id", "scope", "my_feedback_analyst"):
        at.session_state[key] = 1
    at.session_state["my_scope"] = Scope("analyst", analyst_id=1, team_ids=(1,))
    at.run()
    assert not at.exception
    assert metric(at, "Happiness").value == "+100"
    at.session_state[TAB_KEY] = "What customers say"
    at.run()
    texts = [t.value for t in at.text]
    assert any("comment 3-0" in t for t in texts)
    assert not any("comment 1-" in t for t in texts)


def test_a_role_without_analyst_sees_a_polite_refusal(monkeypatch, crafted_url):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", crafted_url)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = Viewer(user_id=1, username="cio", display_name="CIO", roles=("cio",))
    at.run()
    assert [e.value for e in at.error] == ["This page is not available for your role."]
    assert not at.metric


def test_each_tab_renders_without_errors(monkeypatch, sqlite_demo_url):
    analyst_id, team_id = _busiest(sqlite_demo_url)
    for tab in ("My figures", "Self vs customers", "Self-assessment", "What customers say"):
        at = run_page(monkeypatch, sqlite_demo_url, viewer(analyst_id, team_id), tab=tab)
        assert not at.error, [e.value for e in at.error]
    downloads = at.get("download_button")
    assert len(downloads) == 1


def test_a_lead_who_is_also_an_analyst_sees_their_own_data(monkeypatch, crafted_url):
    at = run_page(monkeypatch, crafted_url, viewer(1, roles=("analyst", "lead")))
    assert metric(at, "Happiness").value == "+50"   # 8×10, 2×8, 2×3 → (8 − 2)/12


# --- self vs customers --------------------------------------------------------------------------------

def test_gap_labels_at_and_around_the_threshold(monkeypatch, crafted_url):
    submit_self_assessment(scope=Scope("analyst", analyst_id=2, team_ids=(1,)), ratings=CRAFTED_SELF,
                           note=None, submission_token="page-gap", url=crafted_url)
    at = run_page(monkeypatch, crafted_url, viewer(2), tab="Self vs customers")
    table = next(df.value for df in at.dataframe if "Reading" in df.value.columns)
    readings = dict(zip(table["Dimension"], table["Reading"]))
    assert readings == {"Communication": "aligned", "Application": "blind spot",
                        "Resolution": "hidden strength", "Expectation": "aligned"}
    gaps = dict(zip(table["Dimension"], table["Gap"]))
    assert gaps["Communication"] == pytest.approx(1.33) and gaps["Expectation"] == pytest.approx(-1.33)
    text = all_text(at)
    assert "Blind spot: Application" in text and "Hidden strength: Resolution" in text
    assert "Something to try" in text
    lowered = text.lower()
    assert "overrate" not in lowered and "dunning" not in lowered and "incompetent" not in lowered


# --- self-assessment: form, history, sharing ----------------------------------------------------------

def _fill(at: AppTest, values: list[int], note: str = "") -> None:
    for dim, value in zip(FORM_ORDER, values):
        at.radio(key=f"my_sa_{dim}").set_value(value)
    at.text_area(key="my_sa_note").input(note)


def _submit(at: AppTest) -> AppTest:
    at.button(key="FormSubmitter:my_sa-Save my self-assessment").click()
    return at.run()


def _count(url: str, analyst_id: int) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(schema.self_assessments)
                            .where(schema.self_assessments.c.analyst_id == analyst_id)).scalar_one()


def test_validation_messages_and_history_of_submissions(monkeypatch, crafted_url):
    at = run_page(monkeypatch, crafted_url, viewer(2), tab="Self-assessment")
    assert any("not filled in a self-assessment yet" in i.value for i in at.info)
    _fill(at, [4, 4, 4, 4, 3, 3, 3, None, 3, 3])
    _submit(at)
    assert any("Please answer every item — still open: Problem solving." in e.value for e in at.error)
    assert _count(crafted_url, 2) == 0

    _fill(at, [4, 4, 4, 4, 3, 3, 3, 3, 3, 3], note="First check-in.")
    _submit(at)
    assert not at.exception
    assert any("Saved — thank you" in s.value for s in at.success)
    assert _count(crafted_url, 2) == 1
    # A double submit of the same answers is the same record.
    _submit(at)
    assert _count(crafted_url, 2) == 1

    _fill(at, [5, 3, 4, 4, 3, 4, 3, 3, 4, 3], note="Second one.")
    _submit(at)
    assert _count(crafted_url, 2) == 2
    history = next(df.value for df in at.dataframe if "Reflection" in df.value.columns)
    assert list(history["Reflection"]) == ["Second one.", "First check-in."]
    assert list(history[LABELS["communication"]]) == [5, 4]
    assert not any("not filled in a self-assessment yet" in i.value for i in at.info)
    # The gap view now reads the latest submission.
    at.session_state[TAB_KEY] = "Self vs customers"
    at.run()
    table = next(df.value for df in at.dataframe if "Reading" in df.value.columns)
    assert dict(zip(table["Dimension"], table["You"]))["Communication"] == 5


def test_sharing_switch_controls_what_the_lead_sees(monkeypatch, crafted_url):
    submit_self_assessment(scope=Scope("analyst", analyst_id=2, team_ids=(1,)), ratings=CRAFTED_SELF,
                           note="for my lead", submission_token="share-1", url=crafted_url)
    lead = Scope("lead", team_ids=(1,))
    at = run_page(monkeypatch, crafted_url, viewer(2), tab="Self-assessment")
    switch = at.toggle[0]
    assert switch.value is False
    assert shared_self_assessment(scope=lead, analyst_id=2, url=crafted_url) is None
    switch.set_value(True).run()
    assert not at.exception
    seen = shared_self_assessment(scope=lead, analyst_id=2, url=crafted_url)
    assert seen is not None and seen.note == "for my lead" and seen.ratings == CRAFTED_SELF
    assert any("Your lead can see" in c.value for c in at.caption)
    at.toggle[0].set_value(False).run()
    assert shared_self_assessment(scope=lead, analyst_id=2, url=crafted_url) is None
    assert any("Private: only you can see" in c.value for c in at.caption)


def test_reminder_when_the_last_assessment_is_older_than_90_days(monkeypatch, crafted_url):
    with get_engine(crafted_url).begin() as conn:
        result = conn.execute(schema.self_assessments.insert().values(
            analyst_id=2, submitted_at=dt.datetime(2026, 8, 1, 9, 0), shared_with_lead=False))
        conn.execute(schema.self_assessment_ratings.insert(), [
            dict(assessment_id=result.inserted_primary_key[0], dimension=d, rating=r)
            for d, r in CRAFTED_SELF.items()])
    at = run_page(monkeypatch, crafted_url, viewer(2))
    assert any("last self-assessment was 111 days ago" in i.value for i in at.info)


def test_csv_download_is_mine_only_and_formula_safe(monkeypatch, crafted_url):
    from components.my_feedback import responses_csv
    from data_access.filters import Filters

    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", crafted_url)
    with get_engine(crafted_url).begin() as conn:
        key = conn.execute(sa.select(sa.func.min(schema.tickets.c.ticket_key))
                           .where(schema.tickets.c.analyst_id == 2)).scalar_one()
        conn.execute(schema.responses.update().where(schema.responses.c.ticket_key == key)
                     .values(comment='=HYPERLINK("http://x","click")'))
    data = responses_csv(Scope("analyst", analyst_id=2, team_ids=(1,)),
                         Filters(dt.date(2025, 12, 1), dt.date(2026, 11, 21))).decode("utf-8-sig")
    lines = data.strip().splitlines()
    assert len(lines) == 1 + 12                       # header + analyst 2's twelve responses
    assert "'=HYPERLINK" in data and ",=HYPERLINK" not in data
    assert "comment 1-" not in data and "comment 3-" not in data


def test_database_down_gives_a_friendly_message(monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:9/none")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = viewer(2)
    at.run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "cannot be reached right now" in message and "secret" not in message


def test_same_answers_after_leaving_the_tab_are_a_new_submission(monkeypatch, crafted_url):
    at = run_page(monkeypatch, crafted_url, viewer(2), tab="Self-assessment")
    answers = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
    _fill(at, answers, note="same")
    _submit(at)
    _submit(at)                                   # double click: still one
    assert _count(crafted_url, 2) == 1
    at.session_state[TAB_KEY] = "My figures"
    at.run()
    at.session_state[TAB_KEY] = "Self-assessment"
    at.run()
    _fill(at, answers, note="same")               # a deliberate new check-in with the same answers
    _submit(at)
    assert _count(crafted_url, 2) == 2
