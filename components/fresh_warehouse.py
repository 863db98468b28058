"""Admin: start a fresh, empty warehouse next to the demo, with the admin's account carried over.

Shown while the app runs on the local demo warehouse. The new warehouse gets one account: the
admin's username and name with a new password of their own (never the demo's), and the app
switches to it. The session carries on (same username, same cookie key), so nobody is locked out.
"""

from __future__ import annotations

import streamlit as st

from components.text import literal
from components.viewer import Viewer
from data_access import bootstrap, config
from data_access.engine import DB_ERRORS, describe_failure
from data_access.writes import InvalidInput

DONE_KEY = "fresh_warehouse_done"


def _create(viewer: Viewer, name: str, pw1: str, pw2: str) -> None:
    if pw1 != pw2:
        st.error("The two passwords differ.")
        return
    admin = bootstrap.FirstAdmin(username=viewer.username, display_name=viewer.display_name,
                                 password=pw1)
    try:
        bootstrap.create_local_warehouse(name, first_admin=admin, actor=viewer.username)
    except (InvalidInput, bootstrap.LocalWarehouseError) as exc:
        st.error(literal(exc))
        return
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        return
    st.session_state[DONE_KEY] = name
    st.cache_data.clear()  # the data origin and summaries belong to the old warehouse
    st.rerun()


def fresh_warehouse_panel(viewer: Viewer, *, url: str, origin: str) -> None:
    """The panel, when the app runs on the local demo warehouse (else nothing)."""
    done = st.session_state.pop(DONE_KEY, None)
    if done:
        st.success(f"Service Pulse now uses the empty warehouse '{literal(done)}'. You are its first admin "
                   "(same username, your new password). Import your exports on Admin → Data and add "
                   "people here. Back to the demo: python -m data_access warehouse use demo")
    if url != config.demo_database_url() or origin not in ("demo", "mixed"):
        return
    with st.expander("Start with your own data (a fresh warehouse next to the demo)"):
        st.caption("Real data should not be mixed with the demo's. This creates an empty warehouse in "
                   "the same data folder, makes your account its first admin with a new password, "
                   "and switches the app to it. The demo stays as it is.")
        with st.form("fresh_warehouse", clear_on_submit=True):
            name = st.text_input("Name of the new warehouse", value="real",
                                 help="a-z, 0-9, _ or -; stored as NAME.duckdb in the data folder")
            pw1 = st.text_input("Your new password", type="password", autocomplete="new-password")
            pw2 = st.text_input("Repeat it", type="password", autocomplete="new-password")
            if st.form_submit_button("Create and switch"):
                _create(viewer, name, pw1, pw2)
