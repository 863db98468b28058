"""The sidebar's identity block: who is signed in, as which role(s), in which team; log out."""

from __future__ import annotations

import streamlit as st

from components.signin import request_logout
from components.text import literal
from components.viewer import Viewer
from data_access.bootstrap import ORIGIN_LABELS

ROLE_LABELS = {"cio": "CIO", "lead": "Team lead", "analyst": "Analyst", "admin": "Admin"}


def role_label(roles: tuple[str, ...]) -> str:
    """Roles in plain words, e.g. 'Team lead · Analyst'."""
    return " · ".join(ROLE_LABELS.get(r, r) for r in roles) or "No role"


def identity(viewer: Viewer, *, data_origin: str) -> None:
    """Name, role, team and a logout button in the sidebar; a badge when the data is demo data."""
    with st.sidebar:
        if data_origin in ("demo", "mixed"):
            # Demo rows stay until the warehouse is replaced: mixed data is never called "imported".
            st.badge(f"{ORIGIN_LABELS[data_origin]} data", icon=":material/science:", color="orange")
        # Names and usernames come from the database: shown as plain text, never as Markdown.
        with st.container(border=True):
            st.text(viewer.display_name)
            st.text(f"@{viewer.username}")
            st.caption(literal(role_label(viewer.roles)))
            if viewer.team_name:
                st.text(f"Team: {viewer.team_name}")
        st.button("Log out", key="sidebar_logout", icon=":material/logout:", on_click=request_logout,
                  width="stretch")

