"""Recovery figures after a history import: only items opened since recovery tracking began count,
on the CIO's tile and in the weekly and monthly digests (one rule, `recovery.counted`).

The story, worked out by hand:
- 15 Oct 2026 12:00: two years of history imported (`two_years`): 466 unhappy answers, 9 of them in
  the 14-day window get a recovery item (2–14 Oct), every one past due at the import. Tracking
  begins at that moment, so those 9 are history for the figures (they stay in the lead's queue).
- 29 Oct 2026 12:00: six new unhappy answers (Thu 22 – Tue 27 Oct, 09:00) and a happy one each
  day from 15 to 28 Oct imported; the six items count. Due 24 h later, a weekend answer on Monday: 23 Oct, 26 Oct, 26 Oct, 26 Oct, 27 Oct,
  28 Oct at 09:00. First contacts: L-0 +2 h, L-1 +3 h, L-2 Mon 08:00, L-4 +1 h (in time), L-3 Mon
  10:00 (late), L-5 none. All six are due by the 29th: 4 of 6 in time (67 %); counting the 9
  history items as well would have said 4 of 15.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import sqlalchemy as sa

from data_access import recovery, schema
from data_access.engine import get_engine
from data_access.scope import Scope
from notify import digest as nd
from notify.config import NotifySettings
from notify.render import digest_text
from tests.importer.conftest import PINNED_TODAY
from tests.importer.helpers import do_import, ready
from tests.importer.test_history_and_folder import two_years

IMPORTED_AT = dt.datetime(2026, 10, 15, 12, 0)
LATER = "2026-10-29"
LATER_NOW = dt.datetime(2026, 10, 29, 12, 0)
NEW_SCORES = [0, 2, 4, 5, 6, 3]
NEW_SUBMITTED = [dt.datetime(2026, 10, 22 + i, 9, 0) for i in range(6)]
FIRST_CONTACT = [dt.datetime(2026, 10, 22, 11), dt.datetime(2026, 10, 23, 12), dt.datetime(2026, 10, 26, 8),
                 dt.datetime(2026, 10, 26, 10), dt.datetime(2026, 10, 26, 10), None]


def _wilson(k: int, n: int) -> tuple[float, float]:
    z, p = 1.96, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _history(url, tmp_path) -> int:
    """Two years imported on the pinned day; returns the team's id."""
    ready(url)
    t, r, recent, old = two_years(tmp_path)
    do_import(url, "tickets", t)
    result = do_import(url, "responses", r)
    assert (result.recovery_opened, result.recovery_history) == (recent, old) == (9, 457)
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(schema.teams.c.team_id)).scalar_one()


def _live_answers(url, tmp_path, monkeypatch) -> None:
    """Two weeks later: six new unhappy answers imported, five of them contacted (four in time)."""
    monkeypatch.setenv("SERVICE_PULSE_TODAY", LATER)
    tickets = ["ticket_id,ticket_type,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met"]
    answers = ["ticket_id,happiness,submitted_at"]
    for i, (score, at) in enumerate(zip(NEW_SCORES, NEW_SUBMITTED)):
        tickets.append(f"L-{i},incident,phone,Printing,3,{at - dt.timedelta(hours=3):%Y-%m-%d %H:%M},"
                       f"{at - dt.timedelta(hours=2):%Y-%m-%d %H:%M},Analyst {i},Desk,yes")
        answers.append(f"L-{i},{score},{at:%Y-%m-%d %H:%M}")
    for day in range(15, 29):  # a happy answer a day keeps every week of the CIO's view large enough
        at = dt.datetime(2026, 10, day, 15, 0)
        tickets.append(f"F-{day},request,email,Printing,4,{at - dt.timedelta(hours=3):%Y-%m-%d %H:%M},"
                       f"{at - dt.timedelta(hours=2):%Y-%m-%d %H:%M},Analyst {day % 6},Desk,yes")
        answers.append(f"F-{day},10,{at:%Y-%m-%d %H:%M}")
    (tmp_path / "t2.csv").write_text("\n".join(tickets) + "\n", encoding="utf-8")
    (tmp_path / "r2.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    do_import(url, "tickets", tmp_path / "t2.csv")
    assert do_import(url, "responses", tmp_path / "r2.csv").recovery_opened == 6
    T, RI = schema.tickets, schema.recovery_items
    with get_engine(url).begin() as conn:
        for i, contact in enumerate(FIRST_CONTACT):
            key = conn.execute(sa.select(T.c.ticket_key).where(T.c.ticket_id == f"L-{i}")).scalar_one()
            conn.execute(RI.update().where(RI.c.ticket_key == key).values(first_contact_at=contact))
        dues = [r[0] for r in conn.execute(sa.select(RI.c.due_at).select_from(RI.join(T, T.c.ticket_key == RI.c.ticket_key))
                                           .where(T.c.ticket_id.like("L-%")).order_by(T.c.ticket_id))]
    assert dues == [dt.datetime(2026, 10, d, 9) for d in (23, 26, 26, 26, 27, 28)]


def test_tracking_begins_at_the_first_import_of_answers_and_only_once(empty_sqlite_url, tmp_path, monkeypatch):
    _history(empty_sqlite_url, tmp_path)
    with get_engine(empty_sqlite_url).connect() as conn:
        assert recovery.read_settings(conn).tracking_since == IMPORTED_AT
    _live_answers(empty_sqlite_url, tmp_path, monkeypatch)  # a later import does not move it
    with get_engine(empty_sqlite_url).connect() as conn:
        assert recovery.read_settings(conn).tracking_since == IMPORTED_AT


def test_recovery_rule_is_one_condition_on_the_opening_time():
    RI = schema.recovery_items
    assert recovery.counted(RI.c.created_at, None) == []
    (cond,) = recovery.counted(RI.c.created_at, IMPORTED_AT)
    assert str(cond) == "recovery_items.created_at >= :created_at_1"


def _cio_page(url, monkeypatch, to: str):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from components.viewer import Viewer
    from tests.importer.helpers import SAMPLES

    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    st.cache_data.clear()
    at = AppTest.from_file(str(SAMPLES.parent / "pages" / "culture_trends.py"), default_timeout=90)
    at.session_state["viewer"] = Viewer(user_id=1, username="cio", display_name="Cia Cio", roles=("cio",))
    # Whole weeks (one answer a day): a part-week at either end would be a group too small to show.
    at.query_params.update({"period": "custom", "from": "2025-10-20", "to": to})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}, [c.value for c in at.caption]


def test_cio_recovery_tile_after_two_years_of_history(empty_sqlite_url, tmp_path, monkeypatch):
    """Right after the import: no item since tracking began is due → "—" with its reason, never 0 %.
    Two weeks later: 4 of the 6 new items were contacted in time → 67 %, the history items left out."""
    _history(empty_sqlite_url, tmp_path)
    tiles, captions = _cio_page(empty_sqlite_url, monkeypatch, to="2026-10-11")
    assert tiles["Recovery contacts in time"] == "—"
    assert "no recovery items due since tracking began on 15 Oct 2026" in captions

    _live_answers(empty_sqlite_url, tmp_path, monkeypatch)
    # Read on Monday 2 Nov: a custom range ends at the last full week, so the week of 26 Oct – 1 Nov,
    # which holds the new items' due times, must have ended (on 29 Oct it ended on 25 Oct).
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-02")
    tiles, captions = _cio_page(empty_sqlite_url, monkeypatch, to=LATER)  # snapped to Sunday 1 Nov
    assert tiles["Recovery contacts in time"] == "67%"
    assert any(c.endswith("· n = 6") for c in captions)  # 4 of the 6 items due since tracking began


@pytest.fixture
def lead_and_cio(empty_sqlite_url, tmp_path):
    team = _history(empty_sqlite_url, tmp_path)
    return empty_sqlite_url, Scope("lead", team_ids=(team,)), Scope("cio")


def _queue(d: nd.Digest) -> tuple:
    (q,) = d.queue
    return q.open, q.overdue, q.not_contacted, q.created, q.contacted_in_time, q.decided, q.rate_withheld


def test_digests_count_recovery_items_since_tracking_began(lead_and_cio, tmp_path, monkeypatch):
    url, lead, cio = lead_and_cio
    settings = NotifySettings()
    # The week of the import (8–14 Oct) holds 4 history items (11–14 Oct): open and overdue in the
    # lead's to-do list, but no new item for the rate — not "0 of 4".
    week = nd.lead_weekly_digest(recipient="lee@example.com", scope=lead, week_ending=dt.date(2026, 10, 14),
                                 now=IMPORTED_AT, settings=settings, url=url)
    assert _queue(week) == (9, 9, 9, 0, 0, 0, False)
    assert "first contact within target: no new items" in digest_text(week)

    _live_answers(url, tmp_path, monkeypatch)
    low, high = _wilson(4, 6)
    share = f"4 of 6 (67%, 95% range {100 * low:.0f}–{100 * high:.0f}%)"
    week = nd.lead_weekly_digest(recipient="lee@example.com", scope=lead, week_ending=dt.date(2026, 10, 28),
                                 now=LATER_NOW, settings=settings, url=url)
    # 15 open (9 history + 6 new), all past due; 5 contacted; the week's 6 new items: 4 of 6 in time.
    assert _queue(week) == (15, 15, 10, 6, 4, 6, False)
    assert f"first contact within target: {share}" in digest_text(week)
    # The monthly digest covers a complete month: October's, built once it is over (nothing changes
    # between LATER_NOW and then).
    month = nd.cio_monthly_digest(recipient="cia@example.com", scope=cio, month=dt.date(2026, 10, 1),
                                  now=dt.datetime(2026, 11, 1, 9), settings=settings, url=url)
    # October holds all 15 items; the 9 opened with the history import are left out of the rate.
    assert _queue(month) == (15, 15, 10, 6, 4, 6, False)
    assert f"first contact within target: {share}" in digest_text(month)
    assert PINNED_TODAY == "2026-10-15"
