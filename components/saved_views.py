"""Share and keep a page's filters: "Copy link" and the person's named saved views (render + forms).

A saved view is the page link's query string, stored per person (`data_access.saved_views`).
Opening one puts its values in the address bar and lets the page read them like any link,
through the one validated parser: a team or service that has gone, or a stored value that was
tampered with, is dropped with the usual notice.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from components.drill_link import open_stored, reading_params
from components.filters import FILTERS_STATE_KEY, FilterState, open_link, to_params
from components.text import literal
from components.viewer import current_viewer
from data_access import clock, saved_views
from data_access.engine import DB_ERRORS, describe_failure
from data_access.writes import InvalidInput

MESSAGE_KEY = "pulse_saved_view_message"


def page_link(url_path: str, params: dict[str, str]) -> str:
    """The address of `url_path` with `params` (absolute when the browser told us where we are)."""
    here = (st.context.url or "").split("?")[0].rstrip("/")
    if not here:
        base = f"/{url_path}"
    elif here.endswith(f"/{url_path}"):
        base = here
    else:  # the landing page's address has no page path
        base = f"{here}/{url_path}"
    return base + (f"?{urlencode(params)}" if params else "")


def _current_params() -> dict[str, str]:
    state = st.session_state.get(FILTERS_STATE_KEY)
    return to_params(state if isinstance(state, FilterState) else FilterState())


def _view_params() -> dict[str, str]:
    """What a saved view keeps: the filters and the month or factor being read (Culture trends)."""
    return {**_current_params(), **reading_params()}


def _open(key_prefix: str, query: str) -> None:
    """Open a saved view (a callback): its filters, and the responses it was reading, if any."""
    open_link(key_prefix, query)
    open_stored(query)


def _save(user_id: int, page: str, name_key: str) -> None:
    try:
        name = saved_views.save_view(user_id=user_id, page=page, name=st.session_state.get(name_key, ""),
                                     params=_view_params(), now=clock.now())
        st.session_state[MESSAGE_KEY] = ("success", f"Saved “{name}”.")
        st.session_state[name_key] = ""
    except InvalidInput as exc:
        st.session_state[MESSAGE_KEY] = ("warning", str(exc))
    except DB_ERRORS as exc:
        st.session_state[MESSAGE_KEY] = ("warning", describe_failure(exc))


def _delete(user_id: int, page: str, pick_key: str) -> None:
    name = st.session_state.get(pick_key)
    try:
        if name and saved_views.delete_view(user_id=user_id, page=page, name=name):
            st.session_state[MESSAGE_KEY] = ("success", f"Deleted “{name}”.")
    except DB_ERRORS as exc:
        st.session_state[MESSAGE_KEY] = ("warning", describe_failure(exc))
    st.session_state.pop(pick_key, None)


def share_bar(key_prefix: str, url_path: str) -> None:
    """"Copy link" and "Saved views" buttons for the filters a page has just read."""
    viewer = current_viewer()
    # The link also names the month or factor being read, when there is one (Culture trends).
    link = page_link(url_path, _view_params())
    # One row of two buttons at the right, on a phone too (columns would stack into three rows).
    row = st.container(horizontal=True, horizontal_alignment="right", gap="small", key=f"{key_prefix}_share_bar")
    with row.popover("Copy link", icon=":material/link:", width="content"):
        st.caption("This page with these filters. Copy it with the button at the right of the box; "
                   "whoever opens it sees only what their role allows.")
        st.code(link, language=None, wrap_lines=True)
    if viewer is None:
        return
    with row.popover("Saved views", icon=":material/bookmarks:", width="content"):
        _saved_views_form(key_prefix, url_path, viewer.user_id)


def _saved_views_form(key_prefix: str, page: str, user_id: int) -> None:
    pick_key, name_key = f"{key_prefix}_view_pick", f"{key_prefix}_view_name"
    try:
        views = dict(saved_views.list_views(user_id=user_id, page=page))
    except DB_ERRORS as exc:
        st.warning(literal(describe_failure(exc)))
        return
    if views:
        pick = st.selectbox("Your saved views", list(views), index=None, key=pick_key, placeholder="Pick a view")
        left, right = st.columns(2)
        left.button("Open", icon=":material/open_in_browser:", key=f"{key_prefix}_view_open", disabled=pick is None,
                    on_click=_open, args=(key_prefix, views.get(pick, "")), width="stretch")
        right.button("Delete", icon=":material/delete:", key=f"{key_prefix}_view_delete", disabled=pick is None,
                     on_click=_delete, args=(user_id, page, pick_key), width="stretch")
    else:
        st.caption("No saved views yet.")
    st.text_input("Save these filters as", key=name_key, max_chars=saved_views.MAX_NAME,
                  placeholder="e.g. Phone, last 90 days")
    if reading_params():
        st.caption("The view also reopens the month or factor whose responses are open.")
    st.button("Save view", icon=":material/bookmark_add:", key=f"{key_prefix}_view_save",
              on_click=_save, args=(user_id, page, name_key))
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, text = message
        (st.success if kind == "success" else st.warning)(literal(text))
