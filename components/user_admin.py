"""Admin → Users: list accounts and their changes, add a user, set a password, change roles and
links, disable or enable. The page only checks the admin role and calls `render`."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from components.fresh_warehouse import fresh_warehouse_panel
from components.tables import readable
from components.text import literal
from data_access import config
from data_access.bootstrap import data_origin
from data_access.engine import DB_ERRORS, describe_failure, get_engine
from data_access.scope import Scope
from data_access.users import analyst_directory, audit_log, list_users, team_directory
from data_access.writes import InvalidInput
from data_access.writes import users as user_writes

ROLE_CHOICES = ["analyst", "lead", "cio", "admin"]
NO_ANALYST = 0  # an option of its own (analyst ids start at 1), so "no link" is explicit
DONE_KEY = "admin_users_done"


@dataclass(frozen=True)
class Directory:
    """What the forms choose from, by id with readable labels."""

    users: pl.DataFrame
    changes: pl.DataFrame
    analyst_label: dict[int, str]
    team_label: dict[int, str]
    origin: str | None
    home_team: dict[int, int]


def _load(scope: Scope) -> Directory:
    try:
        users = list_users(scope=scope)
        analysts = analyst_directory(scope=scope)
        teams = team_directory(scope=scope)
        changes = audit_log(scope=scope)
        origin = data_origin(get_engine(config.database_url()))
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        st.stop()
    analyst_label = {NO_ANALYST: "— none —"} | {r["analyst_id"]: f"{r['name']} — {r['team']}"
                                               for r in analysts.iter_rows(named=True)}
    team_label = {r["team_id"]: r["name"] for r in teams.iter_rows(named=True)}
    home_team = dict(analysts.select("analyst_id", "team_id").iter_rows())
    return Directory(users, changes, analyst_label, team_label, origin, home_team)


def _save(action, success: str) -> None:
    """Run one write; show a validation message, or reload the page with the success line."""
    try:
        action()
    except InvalidInput as exc:
        st.error(literal(exc))
    except Exception as exc:  # noqa: BLE001 — a database failure is shown, never a stack trace
        st.error(literal(describe_failure(exc)))
    else:
        st.session_state[DONE_KEY] = success
        st.rerun()


def render(viewer, scope: Scope) -> None:
    """The whole Users page for an admin."""
    st.caption("Who may sign in, with which role. Passwords are stored as bcrypt hashes only.")
    directory = _load(scope)
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(literal(done))
    fresh_warehouse_panel(viewer, url=config.database_url(), origin=directory.origin)
    uncoached_panel(directory)
    users_table(directory.users)
    changes_table(directory.changes)
    add_tab, change_tab = st.tabs(["Add a user", "Change a user"])
    with add_tab:
        add_form(scope, viewer.username, directory)
    with change_tab:
        change_panel(scope, viewer.username, directory)


def leads_nobody_coaches(users: pl.DataFrame, home_team: dict[int, int]) -> list[tuple[str, int]]:
    """(lead's name, team id) for each active lead who works tickets in a team they lead that no
    other active lead leads: a lead never coaches themself, so nobody in the app follows up their
    own customers (docs/PRIVACY.md). `home_team`: analyst id → home team id."""
    leads = [row for row in users.iter_rows(named=True)
             if row["active"] and "lead" in (row["roles"] or "").split(", ")]
    found = []
    for row in leads:
        team = home_team.get(row["analyst_id"]) if row["analyst_id"] is not None else None
        if team in row["team_ids"] and not any(team in other["team_ids"] for other in leads
                                               if other["user_id"] != row["user_id"]):
            found.append((row["display_name"], team))
    return sorted(found)


def uncoached_panel(d: Directory) -> None:
    found = leads_nobody_coaches(d.users, d.home_team)
    if not found:
        return
    st.warning(f"**{len(found)} lead{'s' if len(found) != 1 else ''} nobody coaches.** A lead who works "
               "tickets in a team they lead does not see their own feedback on Coaching, and their "
               "unhappy customers go to the team's other leads; these teams have no other lead, so "
               "nobody follows those customers up. Give each a second lead (*Change a user* → "
               "*Teams they lead*):")
    for name, team in found:
        st.markdown(f"- {literal(name)} — {literal(d.team_label.get(team, str(team)))}")


def users_table(users: pl.DataFrame) -> None:
    # Empty cells stay empty (no "None"): a lock time is text, blank when the account is not locked.
    shown = readable(users.drop("user_id", "analyst_id", "team_ids")).with_columns(
        pl.col("locked_until").dt.strftime("%-d %b %Y, %H:%M").fill_null(""))
    with st.expander(f"All users ({users.height})", expanded=True):
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={
                         # The username stays in sight when a phone scrolls the table sideways.
                         "username": st.column_config.TextColumn("Username", pinned=True),
                         "display_name": "Name", "email": "Email", "roles": "Roles",
                         "analyst": "Linked analyst", "teams_led": "Leads", "active": "Active",
                         "failed_logins": st.column_config.NumberColumn("Failed sign-ins", width=112),
                         "locked_until": "Locked until"})


def changes_table(changes: pl.DataFrame) -> None:
    """Who changed roles, links, passwords and access, and when (newest first)."""
    with st.expander(f"Changes to accounts (latest {changes.height})"):
        if changes.is_empty():
            st.info("No account has been changed yet.")
            return
        st.dataframe(readable(changes), hide_index=True, width="stretch", column_config={
            "changed_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
            "actor": "Changed by", "username": "Account", "action": "Change", "detail": "What changed"})


def add_form(scope: Scope, actor: str, d: Directory) -> None:
    with st.form("admin_users_add", clear_on_submit=False):
        # One row of columns per pair, so that on a phone the fields stack in reading order.
        c1, c2 = st.columns(2)
        username = c1.text_input("Username", key="add_username",
                                 help="lower-case letters, digits, dot, dash, underscore")
        display_name = c2.text_input("Name shown in the app", key="add_display_name")
        c1, c2 = st.columns(2)
        email = c1.text_input("Email (optional)", key="add_email")
        roles = c2.multiselect("Roles", ROLE_CHOICES, key="add_roles")
        c1, c2 = st.columns(2)
        analyst_id = c1.selectbox("Linked analyst (for the analyst role)", list(d.analyst_label),
                                  format_func=d.analyst_label.get, key="add_analyst")
        team_ids = c2.multiselect("Teams they lead (for the lead role)", list(d.team_label),
                                  format_func=d.team_label.get, key="add_teams")
        c1, c2 = st.columns(2)
        pw1 = c1.text_input("Password", type="password", autocomplete="new-password", key="add_pw1")
        pw2 = c2.text_input("Repeat the password", type="password", autocomplete="new-password",
                            key="add_pw2")
        if st.form_submit_button("Add user", type="primary"):
            if pw1 != pw2:
                st.error("The two passwords differ.")
                return
            _save(lambda: user_writes.add_user(scope=scope, username=username, display_name=display_name,
                                               password=pw1, roles=roles, analyst_id=analyst_id or None,
                                               team_ids=team_ids, email=email, actor=actor),
                  f"Added {literal(username.strip().lower())}.")


def change_panel(scope: Scope, actor: str, d: Directory) -> None:
    if d.users.is_empty():
        st.info("No users yet: add one first.")
        return
    chosen = st.selectbox("User", d.users["username"].to_list(), key="admin_users_chosen")
    row = d.users.filter(d.users["username"] == chosen).row(0, named=True)
    st.caption(f"{'Active' if row['active'] else 'Disabled'} · roles: {literal(row['roles'] or 'none')}")
    password_form(scope, actor, chosen)
    links_form(scope, actor, chosen, row, d)
    access_buttons(scope, actor, chosen, row)


def password_form(scope: Scope, actor: str, chosen: str) -> None:
    with st.form("admin_users_password", clear_on_submit=True):
        st.markdown("**Set a new password** (also lifts a lockout)")
        new1 = st.text_input("New password", type="password", autocomplete="new-password")
        new2 = st.text_input("Repeat it", type="password", autocomplete="new-password")
        if st.form_submit_button("Set password"):
            if new1 != new2:
                st.error("The two passwords differ.")
                return
            _save(lambda: user_writes.set_password(scope=scope, username=chosen, password=new1, actor=actor),
                  f"Password of {literal(chosen)} replaced.")


def links_form(scope: Scope, actor: str, chosen: str, row: dict, d: Directory) -> None:
    with st.form("admin_users_links"):
        st.markdown("**Roles and links**")
        current_roles = [r for r in (row["roles"] or "").split(", ") if r]
        current_analyst = row["analyst_id"] or NO_ANALYST
        led = [t for t in row["team_ids"] if t in d.team_label]
        new_roles = st.multiselect("Roles", ROLE_CHOICES, default=current_roles)
        options = list(d.analyst_label)
        new_analyst = st.selectbox("Linked analyst", options, format_func=d.analyst_label.get,
                                   index=options.index(current_analyst) if current_analyst in d.analyst_label else 0)
        new_teams = st.multiselect("Teams they lead", list(d.team_label), default=led,
                                   format_func=d.team_label.get)
        if st.form_submit_button("Save roles and links"):
            _save(lambda: user_writes.set_links(scope=scope, username=chosen, roles=new_roles,
                                                analyst_id=new_analyst or None, team_ids=new_teams,
                                                actor=actor),
                  f"Roles and links of {literal(chosen)} saved.")


def access_buttons(scope: Scope, actor: str, chosen: str, row: dict) -> None:
    if chosen == actor:
        st.caption("You cannot disable your own account here.")
    elif row["active"]:
        if st.button("Disable this user", icon=":material/block:", key="admin_users_disable"):
            _save(lambda: user_writes.set_active(scope=scope, username=chosen, active=False, actor=actor),
                  f"{literal(chosen)} can no longer sign in.")
    elif st.button("Enable this user", icon=":material/check_circle:", key="admin_users_enable"):
        _save(lambda: user_writes.set_active(scope=scope, username=chosen, active=True, actor=actor),
              f"{literal(chosen)} can sign in again.")
