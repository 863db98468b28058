"""Admin: who may sign in — list users, add one, set a password, change roles and links, disable."""

import streamlit as st

from components.fresh_warehouse import fresh_warehouse_panel
from components.text import literal
from components.viewer import require_scope
from data_access import config
from data_access.bootstrap import data_origin
from data_access.engine import DB_ERRORS, describe_failure, get_engine
from data_access.users import analyst_directory, audit_log, list_users, team_directory
from data_access.writes import InvalidInput
from data_access.writes import users as user_writes

scope = require_scope("admin")
actor = st.session_state["viewer"].username  # recorded with every change (Changes to accounts)
st.title("Users")
st.caption("Who may sign in, with which role. Passwords are stored as bcrypt hashes only.")

try:
    users = list_users(scope=scope)
    analysts = analyst_directory(scope=scope)
    teams = team_directory(scope=scope)
    changes = audit_log(scope=scope)
    origin = data_origin(get_engine(config.database_url()))
except DB_ERRORS as exc:
    st.error(literal(describe_failure(exc)))
    st.stop()

ROLE_CHOICES = ["analyst", "lead", "cio", "admin"]
NO_ANALYST = 0  # an option of its own (analyst ids start at 1), so "no link" is explicit
analyst_label = {NO_ANALYST: "— none —"} | {r["analyst_id"]: f"{r['name']} — {r['team']}"
                                     for r in analysts.iter_rows(named=True)}
team_label = {r["team_id"]: r["name"] for r in teams.iter_rows(named=True)}


def _save(action, success: str) -> None:
    """Run one write; show a validation message, or reload the page with the success line."""
    try:
        action()
    except InvalidInput as exc:
        st.error(literal(exc))
    except Exception as exc:  # noqa: BLE001 — a database failure is shown, never a stack trace
        st.error(literal(describe_failure(exc)))
    else:
        st.session_state["admin_users_done"] = success
        st.rerun()


done = st.session_state.pop("admin_users_done", None)
if done:
    st.success(literal(done))


fresh_warehouse_panel(st.session_state["viewer"], url=config.database_url(), origin=origin)

with st.expander(f"All users ({users.height})", expanded=True):
    st.dataframe(users.drop("user_id", "analyst_id", "team_ids"), hide_index=True, width="stretch",
                 column_config={
                     "username": "Username", "display_name": "Name", "email": "Email", "roles": "Roles",
                     "analyst": "Linked analyst", "teams_led": "Leads", "active": "Active",
                     "failed_logins": st.column_config.NumberColumn("Failed sign-ins", width="small"),
                     "locked_until": st.column_config.DatetimeColumn("Locked until", format="D MMM, HH:mm")})

with st.expander(f"Changes to accounts (latest {changes.height})"):
    # Who changed roles, links, passwords and access, and when (newest first).
    if changes.is_empty():
        st.info("No account has been changed yet.")
    else:
        st.dataframe(changes, hide_index=True, width="stretch", column_config={
            "changed_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
            "actor": "Changed by", "username": "Account", "action": "Change", "detail": "What changed"})

add_tab, change_tab = st.tabs(["Add a user", "Change a user"])

with add_tab, st.form("admin_users_add", clear_on_submit=False):
    c1, c2 = st.columns(2)
    username = c1.text_input("Username", key="add_username", help="lower-case letters, digits, dot, dash, underscore")
    display_name = c2.text_input("Name shown in the app", key="add_display_name")
    email = c1.text_input("Email (optional)", key="add_email")
    roles = c2.multiselect("Roles", ROLE_CHOICES, key="add_roles")
    analyst_id = c1.selectbox("Linked analyst (for the analyst role)", list(analyst_label),
                              format_func=analyst_label.get, key="add_analyst")
    team_ids = c2.multiselect("Teams they lead (for the lead role)", list(team_label),
                              format_func=team_label.get, key="add_teams")
    pw1 = c1.text_input("Password", type="password", autocomplete="new-password", key="add_pw1")
    pw2 = c2.text_input("Repeat the password", type="password", autocomplete="new-password",
                        key="add_pw2")
    if st.form_submit_button("Add user", type="primary"):
        if pw1 != pw2:
            st.error("The two passwords differ.")
        else:
            _save(lambda: user_writes.add_user(scope=scope, username=username, display_name=display_name,
                                               password=pw1, roles=roles, analyst_id=analyst_id or None,
                                               team_ids=team_ids, email=email, actor=actor),
                  f"Added {literal(username.strip().lower())}.")

with change_tab:
    if users.is_empty():
        st.info("No users yet: add one first.")
        st.stop()
    chosen = st.selectbox("User", users["username"].to_list(), key="admin_users_chosen")
    row = users.filter(users["username"] == chosen).row(0, named=True)
    st.caption(f"{'Active' if row['active'] else 'Disabled'} · roles: {literal(row['roles'] or 'none')}")

    with st.form("admin_users_password", clear_on_submit=True):
        st.markdown("**Set a new password** (also lifts a lockout)")
        new1 = st.text_input("New password", type="password", autocomplete="new-password")
        new2 = st.text_input("Repeat it", type="password", autocomplete="new-password")
        if st.form_submit_button("Set password"):
            if new1 != new2:
                st.error("The two passwords differ.")
            else:
                _save(lambda: user_writes.set_password(scope=scope, username=chosen, password=new1,
                                                         actor=actor),
                      f"Password of {literal(chosen)} replaced.")

    with st.form("admin_users_links"):
        st.markdown("**Roles and links**")
        current_roles = [r for r in (row["roles"] or "").split(", ") if r]
        current_analyst = row["analyst_id"] or NO_ANALYST
        led = [t for t in row["team_ids"] if t in team_label]
        new_roles = st.multiselect("Roles", ROLE_CHOICES, default=current_roles)
        new_analyst = st.selectbox("Linked analyst", list(analyst_label), format_func=analyst_label.get,
                                   index=list(analyst_label).index(current_analyst)
                                   if current_analyst in analyst_label else 0)
        new_teams = st.multiselect("Teams they lead", list(team_label), default=led,
                                   format_func=team_label.get)
        if st.form_submit_button("Save roles and links"):
            _save(lambda: user_writes.set_links(scope=scope, username=chosen, roles=new_roles,
                                                analyst_id=new_analyst or None, team_ids=new_teams,
                                                actor=actor),
                  f"Roles and links of {literal(chosen)} saved.")

    if chosen == st.session_state["viewer"].username:
        st.caption("You cannot disable your own account here.")
    elif row["active"]:
        if st.button("Disable this user", icon=":material/block:", key="admin_users_disable"):
            _save(lambda: user_writes.set_active(scope=scope, username=chosen, active=False,
                                                   actor=actor),
                  f"{literal(chosen)} can no longer sign in.")
    elif st.button("Enable this user", icon=":material/check_circle:", key="admin_users_enable"):
        _save(lambda: user_writes.set_active(scope=scope, username=chosen, active=True, actor=actor),
              f"{literal(chosen)} can sign in again.")
