"""Sign-in through the real app.py in AppTest: each demo role, failures, pause, logout, refusals."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components import auth
from data_access import demo
from data_access.engine import get_engine

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def app_demo_url(tmp_path_factory) -> str:
    """A private demo warehouse: sign-in writes failure counters, so not the shared one."""
    url = f"sqlite:///{tmp_path_factory.mktemp('auth-app') / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=2_000, seed=7, end=TODAY)
    return url


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.delenv(auth.COOKIE_KEY_ENV, raising=False)
    st.cache_data.clear()


def _app(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    return at


def _sign_in(at: AppTest, username: str, password: str = demo.DEMO_PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="FormSubmitter:sign_in-Sign in").click()
    return at.run()


def _sidebar_text(at: AppTest) -> list[str]:
    return [t.value for t in at.sidebar.text] + [c.value for c in at.sidebar.caption]


def _landing(*candidates: str) -> str:
    files = {"Coaching": "coaching", "Culture trends": "culture_trends", "My feedback": "my_feedback",
             "Data": "admin_data", "Users": "admin_users"}
    return next(c for c in candidates if (ROOT / "pages" / f"{files[c]}.py").is_file())


def test_login_page_is_branded_and_the_password_never_echoes(app_demo_url, monkeypatch):
    at = _app(app_demo_url, monkeypatch)
    assert not at.exception
    assert "Service Pulse" in at.title[0].value
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert at.text_input(key="login_password").proto.type == at.text_input(key="login_password").proto.PASSWORD
    assert "viewer" not in at.session_state


@pytest.mark.parametrize("username, roles_label, landing", [
    ("cio", "CIO", ("Culture trends",)),
    ("ivan.schmidt", "Team lead · Analyst", ("Coaching", "Culture trends")),
    ("soren.nunez", "Analyst", ("My feedback",)),
    ("admin", "Admin", ("Data", "Users")),
])
def test_each_demo_role_signs_in_and_lands_on_its_page(app_demo_url, monkeypatch, username, roles_label,
                                                       landing):
    at = _sign_in(_app(app_demo_url, monkeypatch), username)
    assert not at.exception
    viewer = at.session_state["viewer"]
    assert viewer.username == username
    side = _sidebar_text(at)
    assert f"@{username}" in side and roles_label in side and viewer.display_name in side
    assert any(b.label == "Log out" for b in at.sidebar.button)
    assert at.title[0].value == _landing(*landing)
    assert at.session_state["authentication_status"] is True


def test_analyst_and_lead_teams_show_in_the_sidebar(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "ivan.schmidt")
    viewer = at.session_state["viewer"]
    assert viewer.lead_team_ids == (viewer.own_team_id,)
    assert f"Team: {viewer.team_name}" in _sidebar_text(at)


def test_demo_badge_is_shown_for_demo_data(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio")
    assert any("badge[" in m.value and "Demo data" in m.value for m in at.sidebar.markdown)


def test_no_demo_badge_for_imported_data(app_demo_url, monkeypatch, tmp_path):
    import sqlite3

    from data_access import schema
    from data_access.scope import Scope
    from data_access.writes import users as user_writes

    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)

    copy = tmp_path / "imported.sqlite"
    with sqlite3.connect(app_demo_url.removeprefix("sqlite:///")) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)  # the demo file is in WAL mode: a plain file copy could miss pages
    url = f"sqlite:///{copy}"
    with get_engine(url).begin() as conn:
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin")
                     .values(value="imported"))
        # Purely imported data: no demo marker, and the accounts are no longer on the demo password.
        conn.execute(schema.settings.delete().where(schema.settings.c.key == demo.DEMO_MARKER))
        conn.execute(schema.app_users.update().where(schema.app_users.c.username == "admin")
                     .values(email="it-admin@corp.example"))
    user_writes.set_password(scope=Scope("admin"), username="cio", password="a real password 1",
                             url=url)
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, uuid.uuid4().hex + uuid.uuid4().hex)
    at = _sign_in(_app(url, monkeypatch), "cio", "a real password 1")
    assert at.session_state["viewer"].username == "cio"
    assert not any("Demo data" in m.value for m in at.sidebar.markdown)


def test_wrong_password_and_unknown_user_read_the_same(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "cio", "not the password")
    first = [e.value for e in at.error]
    at = _sign_in(at, "no.such.person", "not the password")
    second = [e.value for e in at.error]
    assert first == second == [auth.FAILED_MESSAGE]
    assert "viewer" not in at.session_state
    # (that the browser field is emptied after each try is checked in tests/browser/test_login.py)


def test_too_many_failures_pause_the_form_with_a_clear_message(app_demo_url, monkeypatch):
    at = _app(app_demo_url, monkeypatch)
    for i in range(auth.MAX_FAILED_LOGINS):
        at = _sign_in(at, f"guess{i}", "wrong password")
    assert any("Too many failed sign-in attempts" in e.value for e in at.error)
    assert len(at.text_input) == 0                                # no form while paused


def test_logout_returns_to_the_sign_in_form(app_demo_url, monkeypatch):
    at = _sign_in(_app(app_demo_url, monkeypatch), "soren.nunez")
    at.sidebar.button(key="sidebar_logout").click()
    at.run()
    assert not at.exception
    assert "viewer" not in at.session_state
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert at.session_state["logout"] is True                    # the cookie cannot sign back in


def test_non_demo_database_without_a_cookie_key_refuses_to_start(empty_sqlite_url, monkeypatch):
    at = _app(empty_sqlite_url, monkeypatch)
    assert any("No cookie key is configured" in e.value for e in at.error)
    assert len(at.text_input) == 0


def test_non_demo_database_with_a_weak_key_refuses_to_start(empty_sqlite_url, monkeypatch):
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, "some_key")
    at = _app(empty_sqlite_url, monkeypatch)
    assert any("refused because it is shorter than 32 bytes" in e.value for e in at.error)
    assert len(at.text_input) == 0


def test_non_demo_database_with_a_strong_key_shows_the_form(empty_sqlite_url, monkeypatch):
    monkeypatch.setenv(auth.COOKIE_KEY_ENV, uuid.uuid4().hex + uuid.uuid4().hex)
    at = _app(empty_sqlite_url, monkeypatch)
    assert not at.error and [t.label for t in at.text_input] == ["Username", "Password"]


def test_database_down_gives_a_friendly_message(monkeypatch):
    at = _app("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2", monkeypatch)
    assert not at.exception
    assert any("cannot open its database right now" in e.value for e in at.error)
    assert len(at.text_input) == 0


def test_logout_ends_the_other_sessions_of_the_same_person(app_demo_url, monkeypatch):
    laptop = _sign_in(_app(app_demo_url, monkeypatch), "ximena.xu")
    phone = _sign_in(_app(app_demo_url, monkeypatch), "ximena.xu")
    assert phone.session_state["viewer"].username == "ximena.xu"
    laptop.sidebar.button(key="sidebar_logout").click()
    laptop.run()
    phone.run()                                                  # its next click
    assert "viewer" not in phone.session_state
    assert [t.label for t in phone.text_input] == ["Username", "Password"]
    again = _sign_in(_app(app_demo_url, monkeypatch), "ximena.xu")   # a new sign-in still works
    assert again.session_state["viewer"].username == "ximena.xu"


def test_a_new_password_from_the_admin_ends_running_sessions(app_demo_url, monkeypatch):
    from data_access.scope import Scope
    from data_access.writes import users as user_writes

    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)
    at = _sign_in(_app(app_demo_url, monkeypatch), "elif.garcia")
    assert at.session_state["viewer"].username == "elif.garcia"
    user_writes.set_password(scope=Scope("admin"), username="elif.garcia", password="a fresh password",
                             url=app_demo_url)
    at.run()
    assert "viewer" not in at.session_state
    at = _sign_in(at, "elif.garcia", "a fresh password")
    assert at.session_state["viewer"].username == "elif.garcia"
