"""Every page for every role it is registered for, with real viewers of a demo warehouse."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from components.auth import viewer_for
from components.navigation import PAGES
from components.viewer import Viewer
from data_access.engine import get_engine
from data_access.users import find_user

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-20"
# (page file, role) for every role a page is registered for.
PAGE_ROLES: tuple[tuple[str, str], ...] = tuple((spec.path, role) for spec in PAGES for role in spec.roles)
TITLES = {spec.path: spec.title for spec in PAGES}
TITLES["pages/admin_data.py"] = "Data"
TITLES["pages/admin_users.py"] = "Users"


def viewer_as(url: str, role: str) -> Viewer:
    """A real user of the warehouse who has `role` (a lead who is not CIO, an analyst who is not a lead…)."""
    others = {"cio": (), "admin": (), "lead": ("cio",), "analyst": ("lead", "cio", "admin")}[role]
    sql = sa.text("SELECT u.username FROM app_users u JOIN user_roles r ON r.user_id = u.user_id "
                  "WHERE r.role = :role AND u.active = :yes ORDER BY u.user_id")
    with get_engine(url).connect() as conn:
        names = [row[0] for row in conn.execute(sql, {"role": role, "yes": True})]
    for name in names:
        viewer = viewer_for(find_user(name, url=url))
        if role in viewer.roles and not set(others) & set(viewer.roles):
            return viewer
    raise LookupError(f"no user with the {role} role only")


def page_app(url: str, monkeypatch, page: str, viewer: Viewer, params: dict[str, str] | None = None,
             timeout: float = 90, state: dict | None = None) -> AppTest:
    """Run `page` once as `viewer`, with `params` as the URL's query parameters and `state` as
    session state (e.g. which tab is open)."""
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    at.session_state["viewer"] = viewer
    for key, value in (state or {}).items():
        at.session_state[key] = value
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    return at
