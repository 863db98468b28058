"""Coaching page in AppTest: overview numbers against raw SQL, sharing rules, recovery, kudos, notes."""

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access import demo
from data_access.engine import get_engine
from components.viewer import Viewer
from metrics.coaching import name_key

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "coaching.py")
TODAY = dt.date(2026, 11, 20)
START, END = dt.datetime(2026, 8, 17), dt.datetime(2026, 11, 16)
TEAM = 6


def _raw(url, sql, **params):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def _lead(url, team=TEAM) -> Viewer:
    user_id, username, name, analyst_id = _raw(
        url, "SELECT u.user_id, u.username, u.display_name, u.analyst_id FROM app_users u "
             "JOIN user_teams ut ON ut.user_id = u.user_id JOIN user_roles r ON r.user_id = u.user_id "
             "WHERE r.role = 'lead' AND ut.team_id = :t", t=team)[0]
    return Viewer(user_id=user_id, username=username, display_name=name, roles=("analyst", "lead"),
                  analyst_id=analyst_id, lead_team_ids=(team,), own_team_id=team, team_name="Team")


def _app(url, monkeypatch, viewer, tab="Overview", **state) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = viewer
    at.session_state["coaching_tab"] = tab
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def writable_url(tmp_path_factory):
    """A private small demo warehouse these tests may write into."""
    url = f"sqlite:///{tmp_path_factory.mktemp('coaching-page') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=1500, seed=7, end=TODAY)
    return url


# ---------------------------------------------------------------- overview

def test_overview_matches_independent_counts(demo_url, monkeypatch):
    url = demo_url  # SQLite and PostgreSQL
    at = _app(url, monkeypatch, _lead(url))
    table = at.dataframe[0].value
    raw = {name: (n, happy, unhappy) for name, n, happy, unhappy in _raw(
        url, "SELECT a.name, count(r.ticket_key), sum(CASE WHEN r.happiness >= 9 THEN 1 ELSE 0 END), "
             "sum(CASE WHEN r.happiness <= 6 THEN 1 ELSE 0 END) FROM analysts a "
             "LEFT JOIN tickets t ON t.analyst_id = a.analyst_id AND t.team_id = :t "
             "LEFT JOIN responses r ON r.ticket_key = t.ticket_key AND r.submitted_at >= :s AND r.submitted_at < :e "
             "WHERE a.team_id = :t AND a.analyst_id <> :lead GROUP BY a.name",  # the lead coaches not themself
        t=TEAM, s=START, e=END, lead=_lead(url).analyst_id)}
    names = table["Analyst"].str.replace(" (inactive)", "", regex=False).tolist()
    assert names == sorted(raw, key=name_key)  # alphabetical (accents ignored), not by score
    checked_small = checked_big = 0
    for _, row in table.iterrows():
        n, happy, unhappy = raw[row["Analyst"].replace(" (inactive)", "")]
        assert row["Responses"] == n
        if n < 5:
            assert row["Happiness"] == "not enough yet"
            assert row["Happiness (shrunk)"] != row["Happiness (shrunk)"] or row["Happiness (shrunk)"] is None
            checked_small += 1
        else:
            p, d = happy / n, unhappy / n
            score = 100 * (p - d)
            margin = 1.96 * 100 * ((p + d - (p - d) ** 2) / n) ** 0.5
            expected = (f"{round(score):+d}" if round(score) else "0") + f" ± {margin:.0f}"
            assert row["Happiness"] == expected
            assert -100 <= row["Happiness (shrunk)"] <= 100
            checked_big += 1
    assert checked_small >= 1 and checked_big >= 5
    # The team tile: all responses of the team in the window.
    total = sum(v[0] for v in raw.values())
    assert any(f"n = {total:,}" in c.value for c in at.caption)


def test_a_raised_minimum_is_the_one_the_page_states_and_applies(sqlite_demo_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_MIN_RESPONSES", "12")
    url = sqlite_demo_url
    at = _app(url, monkeypatch, _lead(url))
    assert "Figures appear from 12 responses up; comparisons use shrunk values." in at.caption[0].value
    table = at.dataframe[0].value
    small = table[table["Responses"] < 12]
    assert len(small) >= 1 and set(small["Happiness"]) == {"not enough yet"}
    assert "not enough yet" not in set(table[table["Responses"] >= 12]["Happiness"])


def test_page_refuses_people_without_the_lead_role(sqlite_demo_url, monkeypatch):
    viewer = Viewer(user_id=1, username="cio", display_name="CIO", roles=("cio",))
    at = _app(sqlite_demo_url, monkeypatch, viewer)
    assert at.error and "not available for your role" in at.error[0].value
    assert not at.dataframe


# ---------------------------------------------------------------- analyst detail and sharing

def _analyst_with_latest(url, shared: bool):
    rows = _raw(url, "SELECT s.analyst_id FROM self_assessments s JOIN analysts a ON a.analyst_id = s.analyst_id "
                     "WHERE a.team_id = :t AND s.shared_with_lead = :sh AND s.submitted_at = "
                     "(SELECT max(submitted_at) FROM self_assessments s2 WHERE s2.analyst_id = s.analyst_id) "
                     "AND s.analyst_id <> :lead ORDER BY 1", t=TEAM, sh=shared, lead=_lead(url).analyst_id)
    return rows[0][0] if rows else None


def test_perception_gap_only_when_shared(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    shared = _analyst_with_latest(url, True)
    private = _analyst_with_latest(url, False)
    assert shared and private
    at = _app(url, monkeypatch, _lead(url), tab="Analyst", coaching_analyst=shared)
    gap = [df.value for df in at.dataframe if "Reading" in df.value.columns]
    assert gap and set(gap[0]["Reading"]) <= {"blind spot", "hidden strength", "aligned",
                                              "no comparable customer figure"}
    assert len(gap[0]) == 10  # four CARE dimensions and six competencies
    percentiles = [float(v) for v in gap[0]["Customer view, team percentile"] if v != "—"]
    assert percentiles and all(0 <= v <= 100 for v in percentiles)
    at = _app(url, monkeypatch, _lead(url), tab="Analyst", coaching_analyst=private)
    assert not [df for df in at.dataframe if "Reading" in df.value.columns]
    assert any("self-assessment is private" in i.value for i in at.info)


def test_analyst_tiles_match_raw_sql(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    analyst, n, happy, unhappy = _raw(
        url, "SELECT t.analyst_id, count(*), sum(CASE WHEN r.happiness >= 9 THEN 1 ELSE 0 END), "
             "sum(CASE WHEN r.happiness <= 6 THEN 1 ELSE 0 END) FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
             "WHERE t.team_id = :t AND r.submitted_at >= :s AND r.submitted_at < :e GROUP BY 1 ORDER BY 2 DESC",
        t=TEAM, s=START, e=END)[0]
    at = _app(url, monkeypatch, _lead(url), tab="Analyst", coaching_analyst=analyst)
    metric = next(m for m in at.metric if m.label == "Happiness")
    assert metric.value == f"{round(100 * (happy - unhappy) / n):+d}"
    assert any(f"(n = {n:,})" in c.value for c in at.caption)
    assert [s.value for s in at.subheader][:3] == ["Trend vs team", "CARE profile vs team", "Talking points"]


def test_analyst_with_too_few_responses_gets_one_line_and_no_charts(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    rows = _raw(url, "SELECT a.analyst_id, a.name, count(r.ticket_key) FROM analysts a JOIN tickets t "
                     "ON t.analyst_id = a.analyst_id JOIN responses r ON r.ticket_key = t.ticket_key "
                     "WHERE a.team_id = :t AND r.submitted_at >= :s AND r.submitted_at < :e GROUP BY 1, 2 "
                     "HAVING count(*) BETWEEN 1 AND 4 ORDER BY 3, 1", t=TEAM, s=START, e=END)
    if not rows:
        pytest.skip("every analyst of the team has enough responses in this demo")
    analyst, name, n = rows[0]
    at = _app(url, monkeypatch, _lead(url), tab="Analyst", coaching_analyst=analyst)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Happiness"] == "—" and tiles["Shrunk (fair)"] == "—"
    assert [i.value for i in at.info if "charts" in i.value] == [
        f"Not enough responses yet for {name}'s charts: {n} in the last 90 days, shown from 5. "
        "Their responses are listed below."]
    subheaders = [s.value for s in at.subheader]
    assert "Trend vs team" not in subheaders and "Factors customers mention" not in subheaders
    captions = " ".join(c.value for c in at.caption)
    assert not at.get("vega_lite_chart") and "None of the 0" not in captions


def test_analyst_outside_the_team_cannot_be_forced(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    outsider = _raw(url, "SELECT min(analyst_id) FROM analysts WHERE team_id <> :t", t=TEAM)[0][0]
    at = _app(url, monkeypatch, _lead(url), tab="Analyst", coaching_analyst=outsider)
    name = _raw(url, "SELECT name FROM analysts WHERE analyst_id = :a", a=outsider)[0][0]
    assert at.selectbox(key="coaching_analyst_detail").value != outsider  # falls back to the lead's own team
    assert not any(name in m.value for m in at.markdown)



def _linked_app(url, monkeypatch, viewer, **params) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = viewer
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_email_link_opens_the_named_analyst(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    member = _raw(url, "SELECT max(analyst_id) FROM analysts WHERE team_id = :t", t=TEAM)[0][0]
    at = _linked_app(url, monkeypatch, _lead(url), analyst=str(member))
    assert at.session_state["coaching_tab"] == "Analyst"
    assert at.selectbox(key="coaching_analyst_detail").value == member


def test_email_link_to_another_teams_analyst_shows_nothing_of_them(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    outsider = _raw(url, "SELECT min(analyst_id) FROM analysts WHERE team_id <> :t", t=TEAM)[0][0]
    name = _raw(url, "SELECT name FROM analysts WHERE analyst_id = :a", a=outsider)[0][0]
    at = _linked_app(url, monkeypatch, _lead(url), analyst=str(outsider))
    assert at.selectbox(key="coaching_analyst_detail").value != outsider
    assert not any(name in m.value for m in at.markdown)
    at = _linked_app(url, monkeypatch, _lead(url), analyst="1 OR 1=1", tab="recovery")
    assert at.session_state["coaching_tab"] == "Recovery queue"


# ---------------------------------------------------------------- writes through the page

def _select_row(at: AppTest, row: int) -> None:
    """Tick a row of the recovery table, as the lead does with the box at its start."""
    generation = at.session_state["coaching_rq_table_generation"] if "coaching_rq_table_generation" in \
        at.session_state else 0
    at.session_state[f"coaching_rq_table_{generation}"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()


def test_recovery_queue_puts_waiting_items_first_and_acts_only_on_the_picked_row(writable_url, monkeypatch):
    url = writable_url
    at = _app(url, monkeypatch, _lead(url), tab="Recovery queue", coaching_rq_window="all")
    table = at.dataframe[0].value
    contacted = (table["Contacted"] != "—").tolist()
    # Every item still waiting for a first contact comes before every contacted one.
    assert contacted == sorted(contacted) and not contacted[0]
    # Among the waiting ones the overdue come first (they are the oldest targets).
    states = [s for s, c in zip(table["State"], contacted) if not c]
    assert states == sorted(states, key=lambda s: s != "⚠ overdue")
    # Nothing picked: no action form, a hint instead.
    assert not [b for b in at.button if b.label == "Record"]
    assert any("Select an item" in i.value for i in at.info)
    _select_row(at, 1)
    assert [b for b in at.button if b.label == "Record"]
    key = _raw(url, "SELECT ticket_key FROM tickets WHERE ticket_id = :i", i=table.iloc[1]["Ticket"])[0][0]
    assert at.button(key="FormSubmitter:coaching_rq_form_%d-Record" % key)


def test_recovery_contact_and_close(writable_url, monkeypatch):
    url = writable_url
    lead = _lead(url)
    at = _app(url, monkeypatch, lead, tab="Recovery queue", coaching_rq_window="all")
    _select_row(at, 0)
    first = at.dataframe[0].value.iloc[0]
    ticket_id = first["Ticket"]
    key = _raw(url, "SELECT ticket_key FROM tickets WHERE ticket_id = :i", i=ticket_id)[0][0]
    before = _raw(url, "SELECT count(*) FROM recovery_actions WHERE ticket_key = :k", k=key)[0][0]
    at.radio[0].set_value("contacted")
    at.text_area[0].input("Called the user; they are fine now.")
    at.button(key="FormSubmitter:coaching_rq_form_%d-Record" % key).click().run()
    assert not at.exception
    assert any("Recorded for" in s.value for s in at.success)
    acts = _raw(url, "SELECT kind, note, acted_by FROM recovery_actions WHERE ticket_key = :k ORDER BY action_id", k=key)
    assert len(acts) == before + 1 and acts[-1] == ("contacted", "Called the user; they are fine now.", lead.user_id)
    # close it with an outcome: it leaves the open queue but stays in history
    # The recorded action reset the pick (the order changed); pick the same item again.
    assert not [b for b in at.button if b.label == "Record"]
    _select_row(at, at.dataframe[0].value["Ticket"].tolist().index(ticket_id))
    at.radio[0].set_value("resolved")
    outcome = next(s for s in at.selectbox if s.label.startswith("Outcome"))
    outcome.set_value("recovered")
    at.button(key="FormSubmitter:coaching_rq_form_%d-Record" % key).click().run()
    resolved = _raw(url, "SELECT resolved_at, outcome FROM recovery_items WHERE ticket_key = :k", k=key)[0]
    assert resolved[0] is not None and resolved[1] == "recovered"
    assert ticket_id not in at.dataframe[0].value["Ticket"].tolist()


def test_recovery_bad_input_shows_a_sentence(writable_url, monkeypatch):
    at = _app(writable_url, monkeypatch, _lead(writable_url), tab="Recovery queue", coaching_rq_window="all")
    _select_row(at, 0)
    at.radio[0].set_value("resolved")
    next(b for b in at.button if b.label == "Record").click().run()
    assert any("choose the outcome" in e.value for e in at.error)


def test_kudos_from_the_verbatim_list(writable_url, monkeypatch):
    url = writable_url
    lead = _lead(url)
    analyst = _raw(url, "SELECT t.analyst_id FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                        "LEFT JOIN kudos k ON k.ticket_key = r.ticket_key WHERE t.team_id = :t AND r.happiness >= 9 "
                        "AND r.comment IS NOT NULL AND k.ticket_key IS NULL AND r.submitted_at >= :s "
                        "GROUP BY 1 ORDER BY count(*) DESC", t=TEAM, s=START)[0][0]
    at = _app(url, monkeypatch, lead, tab="Analyst", coaching_analyst=analyst, coaching_vb_band="happy")
    buttons = [b for b in at.button if b.key and b.key.startswith("coaching_kudos_")]
    assert buttons
    key = int(buttons[0].key.rsplit("_", 1)[1])
    at.text_input(key="coaching_kudos_note").input("Lovely, thank you!")
    buttons[0].click().run()
    assert not at.exception
    rows = _raw(url, "SELECT analyst_id, given_by, note FROM kudos WHERE ticket_key = :k", k=key)
    assert rows == [(analyst, lead.user_id, "Lovely, thank you!")]
    assert not [b for b in at.button if b.key == f"coaching_kudos_{key}"]  # now shows "Kudos sent"


def test_notes_validation_add_and_share(writable_url, monkeypatch):
    url = writable_url
    lead = _lead(url)
    analyst = _raw(url, "SELECT max(analyst_id) FROM analysts WHERE team_id = :t", t=TEAM)[0][0]
    at = _app(url, monkeypatch, lead, tab="Notes", coaching_analyst=analyst)
    save = lambda: next(b for b in at.button if b.label == "Save note").click().run()  # noqa: E731
    save()
    assert any("Please write the note" in e.value for e in at.error)
    at.text_area(key="coaching_note_body_0").input("Agreed to confirm fixes with the user.")
    at.date_input(key="coaching_note_follow_0").set_value(TODAY - dt.timedelta(days=2))
    save()
    assert any("in the past" in e.value for e in at.error)
    at.date_input(key="coaching_note_follow_0").set_value(TODAY + dt.timedelta(days=7))
    save()
    assert any("Note saved" in s.value and "does not see it until you share it" in s.value for s in at.success)
    note_id, shared = _raw(url, "SELECT note_id, shared_with_analyst FROM coaching_notes WHERE analyst_id = :a "
                                "AND body = 'Agreed to confirm fixes with the user.'", a=analyst)[0]
    assert not shared  # private until the lead shares it
    assert any(t.value == "Agreed to confirm fixes with the user." for t in at.text)  # shown as text
    # The saved note's form starts empty again, so a second click cannot save a duplicate.
    assert at.text_area(key="coaching_note_body_1").value == ""
    save()
    assert any("Please write the note" in e.value for e in at.error)
    assert _raw(url, "SELECT count(*) FROM coaching_notes WHERE analyst_id = :a "
                     "AND body = 'Agreed to confirm fixes with the user.'", a=analyst)[0][0] == 1
    at.button(key=f"coaching_note_share_{note_id}").click().run()
    assert _raw(url, "SELECT shared_with_analyst FROM coaching_notes WHERE note_id = :n", n=note_id)[0][0]


def test_database_down_gives_a_friendly_message(monkeypatch):
    viewer = Viewer(user_id=3, username="lead", display_name="Lead", roles=("analyst", "lead"), analyst_id=1,
                    lead_team_ids=(1,), own_team_id=1, team_name="North")
    at = _app("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", monkeypatch, viewer)
    assert at.error and "cannot be reached" in at.error[0].value
    assert "secret" not in at.error[0].value


def test_talking_point_links_to_its_evidence(sqlite_demo_url, monkeypatch):
    url = sqlite_demo_url
    analyst = _raw(url, "SELECT t.analyst_id FROM responses r JOIN tickets t ON t.ticket_key = r.ticket_key "
                        "JOIN response_factors rf ON rf.ticket_key = r.ticket_key WHERE t.team_id = :t "
                        "AND r.happiness >= 9 AND r.submitted_at >= :s GROUP BY 1 ORDER BY count(*) DESC",
                   t=TEAM, s=START)[0][0]
    at = _app(url, monkeypatch, _lead(url), tab="Analyst", coaching_analyst=analyst)
    headline = next(m.value for m in at.markdown if "praised" in m.value)
    count = int(headline.split(" ")[0])
    at.button(key="coaching_tp_recognition").click().run()
    assert at.selectbox(key="coaching_vb_band").value == "happy"
    factor = at.selectbox(key="coaching_vb_factor").value
    assert factor is not None
    pager = next(c.value for c in at.caption if c.value.startswith("Page 1 of"))
    assert pager.endswith(f"· {count:,} responses")  # the list shows exactly the evidence of the point


def test_small_team_is_marked_not_enough_and_queue_lists_new_items(empty_sqlite_url, monkeypatch):
    from tests.data_access.test_coaching_writes import _seed

    url = _seed(empty_sqlite_url)  # analyst 2 has 3 responses this week (Tue 17 Nov), analyst 1 none
    # A lead who works no tickets (a lead who does is not on their own Coaching page).
    lead = Viewer(user_id=1, username="asa", display_name="Team Lead", roles=("lead",), lead_team_ids=(1,))
    at = _app(url, monkeypatch, lead)
    table = at.dataframe[0].value
    assert table["Analyst"].tolist() == ["Åsa Lindqvist", "Bo Berg"]
    # The overview's "last 90 days" are whole weeks up to the last full one: this week's answers
    # join it on Monday, but the queue below has the unhappy one at once.
    assert table["Responses"].tolist() == [0, 0]
    assert table["Happiness"].tolist() == ["not enough yet"] * 2
    at = _app(url, monkeypatch, lead, tab="Recovery queue")
    queue = at.dataframe[0].value
    assert queue["Ticket"].tolist() == ["INC00001"]  # the unhappy response, before anyone created an item
    assert queue["State"].tolist() == ["⚠ overdue"]  # Tue 10:00 response, target Wed 10:00, now Fri noon
