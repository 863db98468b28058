"""Open Culture trends' drill-through in one click, and keep what is being read in the link.

A click on a month of the trend or on a factor row opens the "Read responses" tab on that month
or factor; the link then carries it as `?read=month-2026-09` or `?read=factor-12`, so it can be
shared and is opened again from the link (through the validated parsers of `query_params`).
A hotspot cell is carried by the real Service and Channel filters instead (`filters.focus`).
Whether a target's responses may be shown is decided by `views.drill`, never here.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import streamlit as st

from components import query_params
from components.reveal import reveal_tab
from data_access import clock
from views.drill import DrillTarget

PARAM = "read"
DRILL_KEY = "trends_drill"            # the drill section's widget keys start with this
KIND_KEY = f"{DRILL_KEY}_kind"
TABS_KEY = "trends_tabs"
READ_TAB = "Read responses"
_APPLIED = f"{DRILL_KEY}_link_applied"  # the link value already turned into widget state
NOTICE_KEY = f"{DRILL_KEY}_link_notice"
_REVEAL = f"{DRILL_KEY}_reveal"  # set when a click or link opened the tab: the next run scrolls to it


def target_key(kind: str) -> str:
    """The drill section's selector for targets of `kind`."""
    return f"{DRILL_KEY}_{kind}"


def link_value(target: DrillTarget | None) -> str | None:
    """`?read=` for a month or a factor; None for a hotspot cell (the filters carry it)."""
    if target is None:
        return None
    if target.kind == "month" and target.month is not None:
        return f"month-{target.month:%Y-%m}"
    if target.kind == "factor" and target.factor_id is not None:
        return f"factor-{int(target.factor_id)}"
    return None


def parse_link(raw: str, today: dt.date) -> DrillTarget:
    """The target a `?read=` value names; ValueError when it names none."""
    kind, _, value = str(raw).strip().partition("-")
    if kind == "month":
        return DrillTarget("month", month=query_params.parse_month(value, latest=today))
    if kind == "factor":
        return DrillTarget("factor", factor_id=query_params.parse_int(value))
    raise ValueError("not a month or a factor")


def reading_params() -> dict[str, str]:
    """`{"read": …}` while the link names a month or factor being read (for "Copy link"), else {}."""
    value = st.query_params.get(PARAM)
    return {PARAM: value} if value else {}


def open_stored(query: str) -> None:
    """Open what a stored link (a saved view) reads, from a callback: its `read` goes to the address
    bar for `apply_link` to open on the next run like any link; a view without one closes the
    month or factor being read."""
    try:
        raw = (parse_qs(query, max_num_fields=50).get(PARAM) or [None])[0]
    except ValueError:  # tampered with: more fields than a link of ours has
        raw = None
    st.session_state.pop(_APPLIED, None)
    if raw:
        st.query_params[PARAM] = raw
    else:
        clear_target()


def _set_param(value: str | None) -> None:
    st.session_state[_APPLIED] = value
    if value is None:
        if PARAM in st.query_params:
            del st.query_params[PARAM]
    elif st.query_params.get(PARAM) != value:
        st.query_params[PARAM] = value


def open_target(target: DrillTarget) -> None:
    """Show `target`'s responses: its kind and value in the drill section's selectors, the
    "Read responses" tab open, the link naming it. Call from a callback (before the widgets run)."""
    st.session_state[KIND_KEY] = target.kind
    st.session_state[target_key(target.kind)] = target
    st.session_state[TABS_KEY] = READ_TAB
    st.session_state[_REVEAL] = True
    _set_param(link_value(target))


def reveal_if_opened() -> None:
    """After a click or link opened "Read responses": scroll the window to it (once), on a phone too,
    where the tab bar lies far below the click and its last tabs beyond the right edge."""
    if st.session_state.pop(_REVEAL, False):
        reveal_tab(READ_TAB)


def read_focused_cell(service_id: int, channel: str) -> None:
    """After a click on a hotspot cell (which sets the filters): the section reads that cell."""
    st.session_state[KIND_KEY] = "cell"
    st.session_state[target_key("cell")] = DrillTarget("cell", service_id=int(service_id), channel=str(channel))
    _set_param(None)


def clear_target() -> None:
    """Back to the hotspot cells, and the link without `read` (a callback)."""
    st.session_state[KIND_KEY] = "cell"
    _set_param(None)


def apply_link() -> None:
    """Open the target a link names, once; call before the tabs are drawn. A value that names
    nothing is dropped with the usual notice."""
    raw = st.query_params.get(PARAM)
    if raw is None or st.session_state.get(_APPLIED) == raw:
        return
    try:
        target = parse_link(raw, clock.today())
    except (ValueError, TypeError, OverflowError):
        st.session_state[NOTICE_KEY] = [f"responses to read “{query_params.shorten(raw)}”"]
        _set_param(None)
        return
    open_target(target)


def keep_in_link(target: DrillTarget | None) -> None:
    """The link follows the drill section's selectors (a cell or nothing: no `read`)."""
    value = link_value(target)
    if st.session_state.get(_APPLIED) != value or st.query_params.get(PARAM) != value:
        _set_param(value)


def not_shown(kind: str, options) -> bool:
    """Forget a clicked or linked target the section does not offer (its figure is not shown
    in this selection); True when one was forgotten, to say so."""
    key = target_key(kind)
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
        return kind != "cell"  # a cell is picked in the section only: forgotten without a word
    return False


def _picked_month(value) -> dt.date | None:
    """A month from Vega's selection value: epoch milliseconds (UTC) or an ISO text."""
    if isinstance(value, (int, float)):
        day = dt.datetime.fromtimestamp(value / 1000, tz=dt.timezone.utc).date()
    elif isinstance(value, str) and len(value) >= 10:
        day = dt.date.fromisoformat(value[:10])
    else:
        return None
    return day.replace(day=1)


def month_clicked(chart_key: str) -> None:
    """The trend's on_select: a click on a month opens that month's responses."""
    picked = st.session_state.get(chart_key, {}).get("selection", {}).get("month") or []
    month = _picked_month(picked[0].get("month")) if picked else None
    if month is not None:
        open_target(DrillTarget("month", month=month))
        st.toast(f"The responses of {month:%B %Y} are open below, in “{READ_TAB}”.", icon=":material/forum:")


def factor_clicked(table_key: str, factor_ids: list[int]) -> None:
    """A factor table's on_select: a click on a row (any cell, or its box) opens that factor's
    responses. `factor_ids` are the table's rows in order; -1 for a factor no one named."""
    picked = st.session_state.get(table_key, {}).get("selection", {})
    rows = list(picked.get("rows") or []) + [cell[0] for cell in picked.get("cells") or []]
    if rows and 0 <= rows[0] < len(factor_ids) and factor_ids[rows[0]] >= 0:
        open_target(DrillTarget("factor", factor_id=int(factor_ids[rows[0]])))
