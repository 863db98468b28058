"""The admin Users page in AppTest: list, add with validation, new password, links, disable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import bcrypt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.text import literal
from components.viewer import Viewer
from data_access import demo
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.users import find_user
from data_access.writes import users as user_writes

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Viewer(2, "admin", "Sam Admin", ("admin",))


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=300, seed=7, end=dt.date(2026, 11, 20))
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)
    st.cache_data.clear()
    return url


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/admin_users.py"), default_timeout=60)
    at.session_state["viewer"] = ADMIN
    return at.run()


def _submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_lists_every_user_with_roles(url):
    at = _page()
    assert not at.exception
    table = at.dataframe[0].value
    with get_engine(url).connect() as conn:
        count = conn.exec_driver_sql("SELECT count(*) FROM app_users").scalar_one()
    assert len(table) == count
    row = table[table["username"] == "cio"].iloc[0]
    assert row["roles"] == "cio" and bool(row["active"])
    assert "password_hash" not in table.columns


def test_empty_cells_read_empty_not_none(url):
    """The CIO links no analyst and nobody is locked: those cells are blank, never "None"; a
    locked account shows its lock time as day, month, year and minute."""
    until = dt.datetime(2026, 11, 20, 14, 5, 33)
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("UPDATE app_users SET locked_until = ? WHERE username = 'admin'", (until,))
    table = _page().dataframe[0].value
    cio = table[table["username"] == "cio"].iloc[0]
    assert (cio["analyst"], cio["locked_until"]) == ("", "")
    assert table[table["username"] == "admin"].iloc[0]["locked_until"] == "20 Nov 2026, 14:05"
    assert not table.astype(str).isin(["None", "nan", "NaT"]).any().any()


def test_add_user_then_sign_in_hash(url):
    at = _page()
    at.text_input(key="add_username").input("new.person")
    at.text_input(key="add_display_name").input("New Person")
    at.multiselect(key="add_roles").select("analyst")
    at.selectbox(key="add_analyst").select(5)
    at.text_input(key="add_pw1").input("a-long-password")
    at.text_input(key="add_pw2").input("a-long-password")
    at = _submit(at, "Add user")
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [f"Added {literal('new.person')}."]  # shown as text
    user = find_user("new.person", url=url)
    assert user.analyst_id == 5 and user.roles == ("analyst",)
    assert bcrypt.checkpw(b"a-long-password", user.password_hash.encode())


@pytest.mark.parametrize("fill, message", [
    (dict(add_pw2="something-else"), "The two passwords differ."),
    (dict(add_roles=["lead"]), "A team lead must lead at least one team."),
    (dict(add_username="Bad Name!"), "A username is 2–80 characters"),
    (dict(add_username="cio"), "already taken"),
    (dict(add_pw1="short", add_pw2="short"), "at least 10 characters"),
])
def test_add_user_validation_is_shown(url, fill, message):
    values = dict(add_username="someone", add_display_name="Some One", add_roles=["cio"],
                  add_pw1="a-long-password", add_pw2="a-long-password") | fill
    at = _page()
    for key, value in values.items():
        if key == "add_roles":
            for role in value:
                at.multiselect(key=key).select(role)
        else:
            at.text_input(key=key).input(value)
    at = _submit(at, "Add user")
    assert any(message in e.value for e in at.error)
    assert find_user("someone", url=url) is None


def test_set_password_and_disable_from_the_change_tab(url):
    at = _page()
    at.selectbox(key="admin_users_chosen").select("cio")
    at.run()
    pw = [t for t in at.text_input if t.label in ("New password", "Repeat it")]
    for t in pw:
        t.input("brand new password")
    at = _submit(at, "Set password")
    assert [s.value for s in at.success] == ["Password of cio replaced."]
    assert bcrypt.checkpw(b"brand new password", find_user("cio", url=url).password_hash.encode())
    at = _submit(at, "Disable this user")
    assert not find_user("cio", url=url).active
    assert any(b.label == "Enable this user" for b in at.button)


def test_admin_cannot_disable_themself(url):
    at = _page()
    at.selectbox(key="admin_users_chosen").select("admin")
    at.run()
    assert not any(b.label == "Disable this user" for b in at.button)
    assert any("cannot disable your own account" in c.value for c in at.caption)


def test_change_roles_and_teams(url):
    at = _page()
    at.selectbox(key="admin_users_chosen").select("cio")
    at.run()
    teams = next(m for m in at.multiselect if m.label == "Teams they lead")
    roles = next(m for m in at.multiselect if m.label == "Roles" and m.value == ["cio"])
    roles.select("lead")
    teams.select(2)
    at = _submit(at, "Save roles and links")
    assert not at.error, [e.value for e in at.error]
    user = find_user("cio", url=url)
    assert user.roles == ("cio", "lead") and user.lead_team_ids == (2,)


def test_the_page_names_each_lead_nobody_coaches(url):
    """Every demo team is led by one of its own analysts and has no second lead: nobody follows
    up that lead's own customers (a lead never coaches themself). A deputy lead clears the team."""
    def warned(at: AppTest) -> tuple[str, list[str]]:
        (text,) = [w.value for w in at.warning if "nobody coaches" in w.value]
        return text, [m.value for m in at.markdown if m.value.startswith("- ")]

    text, listed = warned(_page())
    assert text.startswith("**8 leads nobody coaches.**") and len(listed) == 8
    assert any(line.startswith("- Ivan Schmidt — ") for line in listed)
    with get_engine(url).connect() as conn:
        team, = conn.exec_driver_sql("SELECT ut.team_id FROM user_teams ut JOIN app_users u "
                                     "ON u.user_id = ut.user_id WHERE u.username = 'ivan.schmidt'").one()
    user_writes.add_user(scope=Scope("admin"), username="deputy", display_name="Dana Deputy",
                         password="a-long-test-password-1", roles=("lead",), team_ids=(team,), url=url)
    st.cache_data.clear()
    text, listed = warned(_page())
    assert text.startswith("**7 leads nobody coaches.**") and len(listed) == 7
    assert not any("Ivan Schmidt" in line for line in listed)


def test_leads_nobody_coaches_reads_roles_teams_and_activity():
    import polars as pl

    from components.user_admin import leads_nobody_coaches

    users = pl.DataFrame({
        "user_id": [1, 2, 3, 4, 5],
        "display_name": ["Works team 1", "Co-lead of 1, disabled", "Works 2, led also by 4", "Leads 2", "Analyst"],
        "roles": ["analyst, lead", "lead", "lead", "lead", "analyst"],
        "active": [True, False, True, True, True],
        "analyst_id": [10, None, 20, None, 30],
        "team_ids": [[1], [1], [2], [2, 3], []],
    }, schema_overrides={"analyst_id": pl.Int64})
    home = {10: 1, 20: 2, 30: 3}
    assert leads_nobody_coaches(users, home) == [("Works team 1", 1)]
    # A lead whose own team is not one they lead is coached by that team's lead: not listed.
    assert leads_nobody_coaches(users, {10: 3, 20: 2, 30: 3}) == []
