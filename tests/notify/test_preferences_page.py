"""AppTest of My settings: own preferences, admin's extra recipients, and the digest preview."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import notify_reads
from data_access.engine import get_engine
from tests.notify.conftest import add_response, lead_of_team, team_member

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "preferences.py")


def _app(monkeypatch, url, viewer) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = viewer
    at.run()
    assert not at.exception, at.exception
    return at


def _lead_viewer(url) -> Viewer:
    lead = lead_of_team(url, 1)
    return Viewer(user_id=lead["user_id"], username=lead["username"], display_name=lead["display_name"],
                  roles=("analyst", "lead"), analyst_id=lead["analyst_id"], lead_team_ids=(1,), own_team_id=1)


def test_lead_saves_preferences_and_sees_the_escaped_digest_preview(notify_db, monkeypatch):
    url = notify_db
    viewer = _lead_viewer(url)
    add_response(url, analyst_id=team_member(url, 1), happiness=10, submitted_at=dt.datetime(2026, 11, 18, 10),
                 comment="<script>alert('preview')</script> superb")
    at = _app(monkeypatch, url, viewer)

    [frame] = at.get("iframe")
    html = frame.proto.srcdoc
    assert "Weekly digest: Service Desk North" in html and "13 Nov 2026 – 19 Nov 2026" in html
    assert "&lt;script&gt;alert(&#x27;preview&#x27;)&lt;/script&gt; superb" in html
    assert "<script" not in html.lower()
    assert not at.get("text_area")  # extra recipients are an admin's job

    at.toggle(key="settings_receive_digest").set_value(False)
    at.checkbox(key="settings_own_threshold").check()
    at.slider(key="settings_alert_threshold").set_value(3)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Your settings are saved."]
    prefs = notify_reads.user_preferences(viewer.user_id, url=url)
    assert prefs["receive_digest"] is False or prefs["receive_digest"] == 0
    assert prefs["alert_threshold"] == 3


def test_week_from_a_view_in_browser_link(notify_db, monkeypatch):
    url = notify_db
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = _lead_viewer(url)
    at.query_params["digest"] = "weekly"
    at.query_params["week_ending"] = "2026-11-08"
    at.run()
    assert "2 Nov 2026 – 8 Nov 2026" in at.get("iframe")[0].proto.srcdoc


def test_admin_sets_extra_recipients_and_bad_addresses_are_refused(notify_db, monkeypatch):
    url = notify_db
    lead = lead_of_team(url, 2)
    admin = Viewer(user_id=2, username="admin", display_name="Sam Admin", roles=("admin",))
    at = _app(monkeypatch, url, admin)
    assert not at.get("iframe")  # no digest for an admin
    at.selectbox(key="settings_extra_user").set_value(lead["user_id"])
    at.run()
    at.text_area(key=f"settings_extra_text_{lead['user_id']}").input("oncall@example.com, not an address")
    next(b for b in at.button if b.label == "Save recipients").click()
    at.run()
    assert any("Not an email address: not an address" in e.value for e in at.error)
    assert notify_reads.user_preferences(lead["user_id"], url=url)["extra_recipients"] is None

    at.text_area(key=f"settings_extra_text_{lead['user_id']}").input("OnCall@example.com; desk@example.com")
    next(b for b in at.button if b.label == "Save recipients").click()
    at.run()
    assert notify_reads.user_preferences(lead["user_id"], url=url)["extra_recipients"] == \
        "oncall@example.com, desk@example.com"


def test_cio_preview_is_monthly_without_names(notify_db, monkeypatch):
    url = notify_db
    cio = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))
    at = _app(monkeypatch, url, cio)
    html = at.get("iframe")[0].proto.srcdoc
    assert "Monthly digest" in html and "October 2026" in html
    with get_engine(url).connect() as conn:
        names = conn.execute(sa.text("SELECT name FROM analysts")).scalars().all()
    assert not [n for n in names if n in html]


def test_analyst_sees_own_settings_only(notify_db, monkeypatch):
    url = notify_db
    with get_engine(url).connect() as conn:
        user_id, username, name, analyst_id = conn.execute(sa.text(
            "SELECT u.user_id, u.username, u.display_name, u.analyst_id FROM app_users u "
            "JOIN analysts a ON a.analyst_id = u.analyst_id WHERE a.tier <> 'lead' ORDER BY u.user_id")).first()
    at = _app(monkeypatch, url, Viewer(user_id=user_id, username=username, display_name=name,
                                       roles=("analyst",), analyst_id=analyst_id, own_team_id=1))
    assert not at.get("iframe") and not at.get("text_area")
    # An analyst receives no email from Service Pulse: no digest switch, no alert threshold.
    assert not at.get("toggle") and not at.get("slider") and not at.get("checkbox")
    assert any("Service Pulse sends no email in your role" in c.value for c in at.caption)


def test_cio_sees_only_the_monthly_digest_switch(notify_db, monkeypatch):
    """Alerts go to team leads only (notify/alerts.py): the CIO's form has no alert threshold, and
    saving keeps whatever threshold is stored."""
    url = notify_db
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("UPDATE app_users SET alert_threshold = 4 WHERE user_id = 1"))
    cio = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))
    at = _app(monkeypatch, url, cio)
    assert not at.get("slider") and not at.get("checkbox")
    assert any(c.value == "You receive the monthly digest of the organisation. Sent to:" for c in at.caption)
    at.toggle(key="settings_receive_digest").set_value(False)
    at.button[0].click()
    at.run()
    assert [s.value for s in at.success] == ["Your settings are saved."]
    prefs = notify_reads.user_preferences(1, url=url)
    assert not prefs["receive_digest"] and prefs["alert_threshold"] == 4


def test_lead_reads_what_they_receive_and_keeps_the_threshold(notify_db, monkeypatch):
    at = _app(monkeypatch, notify_db, _lead_viewer(notify_db))
    assert any(c.value == "You receive a weekly digest of your teams and alerts about unhappy users. Sent to:"
               for c in at.caption)
    assert at.toggle(key="settings_receive_digest") and at.checkbox(key="settings_own_threshold")
    assert at.slider(key="settings_alert_threshold").value == notify_reads.recovery_settings(url=notify_db).threshold


def test_database_down_is_a_friendly_message(monkeypatch):
    from tests.notify.conftest import free_port

    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", f"postgresql+psycopg://pulse:x@127.0.0.1:{free_port()}/pulse")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))
    at.run()
    assert not at.exception
    assert "cannot be reached right now" in at.error[0].value


def test_cio_preview_of_the_month_under_way_falls_back_to_the_last_complete_one(notify_db, monkeypatch):
    """The month under way would change every day: one day's preview minus the next day's would be
    that day's answers (an attack review: two answers of one analyst). A link naming it gets a
    notice and the last complete month; the month list offers complete months only."""
    url = notify_db
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = Viewer(user_id=1, username="cio", display_name="Morgan Reyes", roles=("cio",))
    at.query_params["digest"] = "monthly"
    at.query_params["month"] = "2026-11"
    at.run()
    assert not at.exception
    assert any("month" in w.value for w in [*at.warning, *at.info]), [w.value for w in [*at.warning, *at.info]]
    [month] = [box for box in at.selectbox if box.label == "Month"]
    assert month.value == dt.date(2026, 10, 1) and "November 2026" not in month.options and "October 2026" in month.options
    html = at.get("iframe")[0].proto.srcdoc
    assert "October 2026" in html and "November 2026" not in html


def test_the_monthly_digest_of_a_month_under_way_is_refused(notify_db, capsys, monkeypatch):
    from cli.main import main
    from data_access.scope import Scope
    from notify.config import notify_settings
    from notify.digest import MonthNotOver, cio_monthly_digest

    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    with pytest.raises(MonthNotOver):
        cio_monthly_digest(recipient="Cio", scope=Scope("cio"), month=dt.date(2026, 11, 1),
                           now=dt.datetime(2026, 11, 20, 9), settings=notify_settings(), url=notify_db)
    assert main(["digest", "monthly", "--url", notify_db, "--month", "2026-11", "--dry-run", "/nonexistent"]) == 2
    assert "November 2026 is not over yet" in capsys.readouterr().err
