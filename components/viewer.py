"""Who is signed in, and the data scope each of their roles gives them."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_access.scope import Role, Scope

VIEWER_KEY = "viewer"


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: set by app.py after login, never from anything the browser sends."""

    user_id: int
    username: str
    display_name: str
    roles: tuple[Role, ...]
    analyst_id: int | None = None
    lead_team_ids: tuple[int, ...] = ()
    own_team_id: int | None = None
    team_name: str | None = None

    def scope(self, role: Role) -> Scope:
        """The scope this person has when acting in `role` (refused when they lack the role)."""
        if role not in self.roles:
            raise PermissionError(f"{self.username} does not have the {role} role")
        if role == "analyst":
            return Scope("analyst", analyst_id=self.analyst_id,
                         team_ids=(self.own_team_id,) if self.own_team_id else ())
        if role == "lead":
            return Scope("lead", analyst_id=self.analyst_id, team_ids=self.lead_team_ids)
        return Scope(role)


def _through_app_only() -> None:
    """Start over through app.py when a page file was run on its own.

    On a freshly started server Streamlit's very first run executes the requested page file
    directly (its old pages-folder mode, before any st.navigation call): no sign-in, a sidebar
    listing file names. Leaving that mode and rerunning sends the request through app.py, which
    signs the person in and registers only their pages.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_viewer() -> Viewer | None:
    """The signed-in viewer, or None."""
    _through_app_only()
    viewer = st.session_state.get(VIEWER_KEY)
    return viewer if isinstance(viewer, Viewer) else None


def require_scope(role: Role) -> Scope:
    """The viewer's scope for a page of `role`; stops the page with a clear message otherwise."""
    viewer = current_viewer()
    if viewer is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    if role not in viewer.roles:
        st.error("This page is not available for your role.")
        st.stop()
    return viewer.scope(role)
