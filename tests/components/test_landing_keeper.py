"""The CIO's landing view, kept computed in the background: the page finds it instead of working it out."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

import views.cache
from components import landing_keeper
from components.viewer import Viewer
from data_access import users
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.settings import from_environment

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "culture_trends.py")
CIO = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))


@pytest.fixture
def demo(sqlite_demo_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", sqlite_demo_url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    yield sqlite_demo_url
    st.cache_data.clear()


def _render_as_cio() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = CIO
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def cell_reads(monkeypatch) -> list:
    """Every grouped read of a report build's cells (the heavy part of Culture trends)."""
    import views.culture_cells as cells

    seen, read = [], cells.cell_groups

    def counted(*args, **kwargs):
        seen.append(args)
        return read(*args, **kwargs)

    monkeypatch.setattr(cells, "cell_groups", counted)
    return seen


def test_the_landing_link_is_the_one_a_fresh_culture_trends_session_asks_for(demo, monkeypatch):
    asked = []
    real = views.cache.culture.culture_report

    def spy(*, scope, filters, url=None):
        asked.append((scope, filters, url))
        return real(scope=scope, filters=filters, url=url)

    monkeypatch.setattr(views.cache.culture, "culture_report", spy)
    _render_as_cio()
    # The default preset, "last 12 months": whole weeks from Monday 1 Dec 2025 up to the last full
    # one before Friday 20 Nov 2026 (Sunday 15 Nov; the end is exclusive).
    assert landing_link_now() == (Scope("cio"), Filters(dt.date(2025, 12, 1), dt.date(2026, 11, 16)))
    assert asked == [(*landing_link_now(), None)]


def landing_link_now() -> tuple[Scope, Filters]:
    return landing_keeper.landing_link()


def test_a_warmed_landing_view_is_found_by_the_first_cio_who_signs_in(demo, cell_reads):
    _render_as_cio()
    assert len(cell_reads) > 0  # cold: the page reads its cells
    st.cache_data.clear()
    landing_keeper.warm_once(demo)
    warmed = len(cell_reads)
    assert warmed > 0
    at = _render_as_cio()
    assert len(cell_reads) == warmed  # the page read no cell: it found the report and its extras
    assert [m.value for m in at.metric][:1] == [m.value for m in _render_as_cio().metric][:1]


def test_a_page_with_a_filter_is_not_what_is_kept_warm(demo, cell_reads):
    landing_keeper.warm_once(demo)
    warmed = len(cell_reads)
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = CIO
    at.query_params["channel"] = "phone"
    at.run()
    assert not at.exception and len(cell_reads) > warmed


def test_an_active_cio_account_is_what_it_is_kept_for(empty_sqlite_url):
    engine = get_engine(empty_sqlite_url)
    assert users.has_active_role("cio", url=empty_sqlite_url) is False
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO app_users (user_id, username, display_name, password_hash, active, "
                             "created_at) VALUES (1, 'cio', 'C', 'x', :no, '2026-01-01 00:00:00')"), {"no": False})
        conn.execute(sa.text("INSERT INTO user_roles (user_id, role) VALUES (1, 'cio')"))
    assert users.has_active_role("cio", url=empty_sqlite_url) is False  # disabled
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE app_users SET active = :yes"), {"yes": True})
    assert users.has_active_role("cio", url=empty_sqlite_url) is True
    assert users.has_active_role("lead", url=empty_sqlite_url) is False


class _Calls:
    def __init__(self, monkeypatch, has_cio: bool = True):
        self.warmed, self.asked = [], 0
        monkeypatch.setattr(landing_keeper, "warm_once", self.warmed.append)

        def has_active_role(role, *, url=None):
            assert role == "cio"
            self.asked += 1
            return has_cio

        monkeypatch.setattr(landing_keeper.users, "has_active_role", has_active_role)


def test_a_round_warms_while_the_app_is_in_use_and_a_cio_exists(monkeypatch):
    calls = _Calls(monkeypatch)
    keeper = landing_keeper._Keeper("sqlite:///w.sqlite", seen=1000.0)
    assert landing_keeper.round_of(keeper, 1000.0 + 60) is True
    assert landing_keeper.round_of(keeper, 1000.0 + 90) is True
    assert calls.warmed == ["sqlite:///w.sqlite"] * 2
    assert calls.asked == 1  # whether a CIO exists is asked now and then, not every round
    idle = 1000.0 + landing_keeper.IDLE_AFTER_SECONDS + 1
    assert landing_keeper.round_of(keeper, idle) is False  # nobody used the app for an hour
    assert calls.warmed == ["sqlite:///w.sqlite"] * 2
    keeper.seen = idle
    assert landing_keeper.round_of(keeper, idle) is True


def test_no_cio_account_means_nothing_to_keep(monkeypatch):
    calls = _Calls(monkeypatch, has_cio=False)
    keeper = landing_keeper._Keeper("sqlite:///w.sqlite", seen=0.0)
    assert landing_keeper.round_of(keeper, 1.0) is False
    assert calls.warmed == [] and calls.asked == 1
    assert landing_keeper.round_of(keeper, 2.0) is False and calls.asked == 1
    later = 2.0 + landing_keeper.CHECK_SECONDS * 20  # a CIO account added since is found later on
    keeper.seen = later
    assert landing_keeper.round_of(keeper, later) is False and calls.asked == 2


class _Stop(Exception):
    pass


def test_a_failed_round_is_logged_and_the_keeper_goes_on(monkeypatch, caplog):
    rounds = []

    def failing(keeper, now):
        rounds.append(now)
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    def sleep(seconds):
        assert seconds == landing_keeper.CHECK_SECONDS
        if len(rounds) == 2:
            raise _Stop

    monkeypatch.setattr(landing_keeper, "round_of", failing)
    with caplog.at_level(logging.WARNING, logger=landing_keeper.__name__), pytest.raises(_Stop):
        landing_keeper._keep(landing_keeper._Keeper("sqlite:///w.sqlite", seen=0.0), sleep=sleep)
    assert len(rounds) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "Could not prepare the CIO's landing view; trying again in 30 s"] * 2


def test_one_keeper_per_process_started_by_the_first_run_and_only_when_switched_on(monkeypatch):
    started = []

    class FakeThread:
        def __init__(self, target, args, name, daemon):
            self.name, self.daemon = name, daemon
            started.append(self)

        def start(self):
            pass

    monkeypatch.setattr(landing_keeper.threading, "Thread", FakeThread)
    monkeypatch.setattr(landing_keeper, "_keeper", [])
    monkeypatch.setenv("SERVICE_PULSE_WARM_LANDING", "off")
    assert landing_keeper.note_run("sqlite:///a.sqlite") is None and started == []
    monkeypatch.setenv("SERVICE_PULSE_WARM_LANDING", "on")
    first = landing_keeper.note_run("sqlite:///a.sqlite")
    assert landing_keeper.note_run("sqlite:///b.sqlite") is first
    assert started == [first] and first.name == "pulse-landing" and first.daemon
    assert landing_keeper._keeper[0].url == "sqlite:///b.sqlite"


def test_the_switch_is_on_unless_turned_off():
    no_file = {"SERVICE_PULSE_SECRETS": "/nonexistent/secrets.toml"}
    assert from_environment(no_file).warm_landing is True
    assert from_environment({**no_file, "SERVICE_PULSE_WARM_LANDING": "off"}).warm_landing is False


def test_only_a_signed_in_run_keeps_the_keeper_going_and_another_warehouse_is_asked_anew(monkeypatch):
    """The first run starts the keeper whoever it is; after that, loads of the sign-in form (an uptime
    monitor's, say) do not count as use, and a run against another warehouse asks again whether it
    has a CIO instead of trusting the answer about the old one."""
    class FakeThread:
        def __init__(self, target, args, name, daemon):
            pass

        def start(self):
            pass

    clock = iter([100.0, 200.0, 300.0, 400.0])
    monkeypatch.setattr(landing_keeper.threading, "Thread", FakeThread)
    monkeypatch.setattr(landing_keeper.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(landing_keeper, "_keeper", [])
    monkeypatch.setenv("SERVICE_PULSE_WARM_LANDING", "on")
    landing_keeper.note_run("sqlite:///a.sqlite", signed_in=False)  # the first person on the form
    keeper = landing_keeper._keeper[0]
    assert keeper.seen == 100.0
    landing_keeper.note_run("sqlite:///a.sqlite", signed_in=False)  # a monitor, later
    assert keeper.seen == 100.0
    keeper.cio_checked, keeper.has_cio = 150.0, True
    landing_keeper.note_run("sqlite:///a.sqlite")  # someone signed in
    assert keeper.seen == 300.0 and keeper.cio_checked == 150.0
    landing_keeper.note_run("sqlite:///b.sqlite")
    assert keeper.url == "sqlite:///b.sqlite" and keeper.cio_checked is None and keeper.seen == 400.0


def test_a_lead_after_the_keeper_gets_their_own_teams_not_the_warmed_organisation(demo):
    """An attacker's check: the warmed entry is the CIO's; a lead opening the same page at the same
    link is computed for their own teams, never handed the organisation's figures. On the demo, that
    lead's teams at this link are withheld (a neighbouring link differs by a small group), so the page
    must show the notice with their own count and no tile at all, while the CIO sees eight."""
    from bench.pages import bench_viewers

    lead = bench_viewers(demo)["lead"]
    assert "cio" not in lead.roles and lead.lead_team_ids
    landing_keeper.warm_once(demo)
    assert len(_render_as_cio().metric) == 8
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["viewer"] = lead
    at.run()
    assert not at.exception
    assert "your teams." in at.caption[0].value
    assert len(at.metric) == 0
    assert [e.value for e in at.info] == [
        "This selection differs from a neighbouring one (one filter value, or a week at either end, more or "
        "less) by a group too small to show, so its figures are withheld (n = 296; every figure needs at "
        "least 5 responses from 3 analysts). Widen the period or remove a filter."]
