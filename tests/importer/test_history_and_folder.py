"""History without a flood (recovery window, close-stale) and the cron'd drop folder."""

from __future__ import annotations

import datetime as dt
import shutil

import sqlalchemy as sa

from data_access import schema
from cli import main
from data_access.engine import get_engine
from data_access.importer.folder import import_folder
from data_access.importer.stale import close_stale
from tests.importer.conftest import PINNED_TODAY
from tests.importer.helpers import SAMPLES, count, do_import, ready

TODAY = dt.datetime.combine(dt.date.fromisoformat(PINNED_TODAY), dt.time(12, 0))


def two_years(tmp_path):
    """One closed ticket a day for 730 days up to today, answered 2 h after resolution with a
    score cycling 0…10 (so every 11th day is a 0)."""
    tickets = ["ticket_id,ticket_type,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met"]
    answers = ["ticket_id,happiness,submitted_at"]
    expected_recent_unhappy = expected_old_unhappy = 0
    for i in range(730):
        opened = TODAY - dt.timedelta(days=730 - i, hours=6)
        resolved = opened + dt.timedelta(hours=1)
        submitted = resolved + dt.timedelta(hours=2)
        score = i % 11
        tickets.append(f"H-{i},incident,phone,Printing,3,{opened:%Y-%m-%d %H:%M},{resolved:%Y-%m-%d %H:%M},"
                       f"Analyst {i % 6},Desk,yes")  # six analysts: enough for the CIO view
        answers.append(f"H-{i},{score},{submitted:%Y-%m-%d %H:%M}")
        if score <= 6:
            if submitted >= TODAY - dt.timedelta(days=14):
                expected_recent_unhappy += 1
            else:
                expected_old_unhappy += 1
    (tmp_path / "t.csv").write_text("\n".join(tickets) + "\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("\n".join(answers) + "\n", encoding="utf-8")
    return tmp_path / "t.csv", tmp_path / "r.csv", expected_recent_unhappy, expected_old_unhappy


def test_two_years_of_history_open_no_item_older_than_the_window(empty_url, tmp_path):
    ready(empty_url)
    t, r, recent, old = two_years(tmp_path)
    assert (recent, old) == (9, 457)  # 466 scores ≤ 6 in 730 days (66 × 7 + 4); 9 in the last 14
    do_import(empty_url, "tickets", t)
    result = do_import(empty_url, "responses", r)
    assert (result.inserted, result.recovery_opened, result.recovery_history) == (730, recent, old)
    ri = schema.recovery_items
    with get_engine(empty_url).connect() as conn:
        oldest = conn.execute(sa.select(sa.func.min(ri.c.created_at))).scalar_one()
        n = conn.execute(sa.select(sa.func.count()).select_from(ri)).scalar_one()
    assert n == recent
    assert oldest >= TODAY - dt.timedelta(days=14)


def test_close_stale_closes_untouched_items_of_old_answers(empty_url, tmp_path):
    engine = ready(empty_url)
    t, r, recent, old = two_years(tmp_path)
    with engine.begin() as conn:  # a wider window, as the earlier importer effectively had
        conn.execute(schema.settings.insert().values(key="recovery_window_days", value="366"))
    do_import(empty_url, "tickets", t)
    do_import(empty_url, "responses", r)
    ri, ra = schema.recovery_items, schema.recovery_actions
    with engine.begin() as conn:
        conn.execute(schema.settings.update().where(schema.settings.c.key == "recovery_window_days").values(value="14"))
        total = conn.execute(sa.select(sa.func.count()).select_from(ri)).scalar_one()
        worked = conn.execute(sa.select(ri.c.ticket_key).order_by(ri.c.created_at).limit(1)).scalar_one()
        conn.execute(ra.insert().values(ticket_key=worked, kind="contacted", note="called back",
                                        acted_at=TODAY - dt.timedelta(days=200)))
    assert total > recent
    dry = close_stale(engine, now=TODAY, dry_run=True)
    assert (dry.closed, dry.kept_worked_on, dry.open_recent) == (total - recent - 1, 1, recent)
    assert count(empty_url, ri) == total
    done = close_stale(engine, now=TODAY)
    assert done.closed == total - recent - 1
    with engine.connect() as conn:
        left = conn.execute(sa.select(ri.c.ticket_key, ri.c.resolved_at)).all()
    assert len(left) == recent + 1 and all(r.resolved_at is None for r in left)
    assert worked in {r.ticket_key for r in left}  # the one a lead worked on stays
    assert close_stale(engine, now=TODAY).closed == 0  # nothing left to close


def test_drop_folder_tickets_first_never_twice_and_reports_beside(empty_sqlite_url, tmp_path):
    engine = ready(empty_sqlite_url)
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "generic_responses.csv", drop / "a_answers.csv")  # sorts before tickets
    shutil.copy(SAMPLES / "generic_tickets.csv", drop / "b_tickets.csv")
    (drop / "c_notes.csv").write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    outcomes = import_folder(engine, drop, settle_seconds=0)
    got = [(o.name, o.status) for o in outcomes]
    assert got == [("c_notes.csv", "failed"), ("b_tickets.csv", "imported"), ("a_answers.csv", "imported")]
    assert count(empty_sqlite_url, schema.tickets) == 3 and count(empty_sqlite_url, schema.responses) == 2
    done = sorted(p.name for p in (drop / "done").iterdir())
    assert done == ["a_answers.csv", "a_answers.csv.report.md",
                    "b_tickets.csv", "b_tickets.csv.report.md"]
    assert sorted(p.name for p in (drop / "failed").iterdir()) == ["c_notes.csv", "c_notes.csv.error.txt"]
    # The same content dropped again (another name) is never imported twice.
    shutil.copy(SAMPLES / "generic_tickets.csv", drop / "b_tickets_again.csv")
    again = import_folder(engine, drop, settle_seconds=0)
    assert [(o.name, o.status) for o in again] == [("b_tickets_again.csv", "already imported")]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.import_runs)).scalar_one() == 2


def test_drop_folder_cli_leaves_fresh_files_and_uses_saved_mapping(empty_sqlite_url, tmp_path, capsys):
    ready(empty_sqlite_url)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "helpdesk-2026-10.csv").write_text(
        "id,kind,channel,service,priority,opened_at,resolved_at,analyst,team,sla_met\n"
        "Q-1,incident,Phone,Mail,High,2026-10-09 08:00,2026-10-09 09:00,Ann Lee,Desk,yes\n", encoding="utf-8")
    (drop / "helpdesk.toml").write_text('pattern = "helpdesk-*.csv"\nkind = "tickets"\n[columns]\nticket_id = "id"\n'
                                        'ticket_type = "kind"\n', encoding="utf-8")
    assert main(["import", "folder", str(drop), "--url", empty_sqlite_url]) == 0
    assert "not settled" in capsys.readouterr().out  # written moments ago: the next run takes it
    assert main(["import", "folder", str(drop), "--settle-seconds", "0", "--url", empty_sqlite_url]) == 0
    assert "helpdesk-2026-10.csv: imported" in capsys.readouterr().out
    assert count(empty_sqlite_url, schema.tickets) == 1


def test_coaching_queue_after_two_years_lists_only_the_window(empty_url, tmp_path):
    """The lead's queue (All time, To do) holds the 9 recent unhappy answers, not two years of them."""
    from data_access import coaching
    from data_access.scope import Scope

    ready(empty_url)
    t, r, recent, _ = two_years(tmp_path)
    do_import(empty_url, "tickets", t)
    do_import(empty_url, "responses", r)
    with get_engine(empty_url).connect() as conn:
        team = conn.execute(sa.select(schema.teams.c.team_id)).scalar_one()
    queue, total, overdue = coaching.recovery_queue(
        scope=Scope("lead", team_ids=(team,)), threshold=6, since=None, now=TODAY,
        target_hours=24, status="open", url=empty_url)
    assert total == recent == queue.height == 9
    assert queue["submitted_at"].min() >= TODAY - dt.timedelta(days=14)
    assert queue["version"].min() == 1  # every one has its recovery item


def test_drop_folder_reports_a_broken_mapping_and_goes_on(empty_sqlite_url, tmp_path):
    engine = ready(empty_sqlite_url)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "broken.toml").write_text("pattern = [", encoding="utf-8")
    shutil.copy(SAMPLES / "generic_tickets.csv", drop / "t.csv")
    got = [(o.name, o.status) for o in import_folder(engine, drop, settle_seconds=0)]
    assert got == [("broken.toml", "failed"), ("t.csv", "imported")]
    assert (drop / "broken.toml").exists()


def test_coaching_page_after_two_years_shows_the_window_only(empty_sqlite_url, tmp_path, monkeypatch):
    """AppTest: the lead's Recovery queue (All time) lists the 9 items of the window."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from components.viewer import Viewer

    ready(empty_sqlite_url)
    t, r, recent, _ = two_years(tmp_path)
    do_import(empty_sqlite_url, "tickets", t)
    do_import(empty_sqlite_url, "responses", r)
    with get_engine(empty_sqlite_url).connect() as conn:
        team = conn.execute(sa.select(schema.teams.c.team_id)).scalar_one()
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", empty_sqlite_url)
    st.cache_data.clear()
    at = AppTest.from_file(str(SAMPLES.parent / "pages" / "coaching.py"), default_timeout=60)
    at.session_state["viewer"] = Viewer(user_id=99, username="lee", display_name="Lee Lead", roles=("lead",),
                                        lead_team_ids=(team,), own_team_id=team, team_name="Desk")
    at.session_state["coaching_tab"] = "Recovery queue"
    at.session_state["coaching_rq_window"] = "all"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    queue = at.dataframe[0].value
    assert len(queue) == recent == 9
    assert any("9 items match" in c.value for c in at.caption)
