"""Page filters: period presets, custom range and slices, kept across pages and shareable as a link.

The filter values live in one session-state entry (`FILTERS_STATE_KEY`) that survives page
switches; each page's widgets are seeded from it. The same values are mirrored into the URL's
query parameters, and a link opened in a new session is read back, validated, and any value
that does not make sense is dropped with a notice (never an exception).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs

import streamlit as st

from components import formats, query_params
from components.filter_fold import filter_fold
from data_access import clock
from data_access.filters import Filters
from data_access.schema import CHANNELS, TICKET_TYPES
from data_access.scope import Scope
from metrics import periods
from views.cache import trends

FILTERS_STATE_KEY = "pulse_filters"
NOTICE_KEY = "pulse_filters_notice"
PRESETS: dict[str, str] = {**{k: periods.LABELS[k] for k in ("90d", "12m", "24m", "36m", "ytd")},
                           "custom": "Custom range"}
DEFAULT_PRESET = "12m"
TYPE_LABELS = formats.TICKET_TYPE_LABELS
PRIORITY_LABELS = {1: "P1 critical", 2: "P2 high", 3: "P3 medium", 4: "P4 low"}
EARLIEST = query_params.EARLIEST
PARAM_NAMES = ("period", "from", "to", "type", "channel", "service", "team", "priority")


@dataclass(frozen=True)
class FilterState:
    """What the viewer picked (before it is turned into a period): the canonical, shareable value."""

    preset: str = DEFAULT_PRESET
    start: dt.date | None = None      # custom range only, inclusive
    end: dt.date | None = None        # custom range only, inclusive
    ticket_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    service_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    priorities: tuple[int, ...] = ()


@dataclass(frozen=True)
class FilterOptions:
    """The values a viewer may pick from: services and (their) teams, by id with names."""

    services: Mapping[int, str] = field(default_factory=dict)
    teams: Mapping[int, str] = field(default_factory=dict)


def preset_period(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """Half-open [start, end) of a preset: whole weeks up to the last full one (metrics.periods)."""
    return periods.preset_range(preset, today)


def period_caption(start: dt.date, end: dt.date, more: str = "") -> str:
    """A preset's dates as every page prints them: "1 Dec 2025 – 15 Nov 2026 (whole weeks, up to the
    last full one)", `more` added inside the brackets."""
    return f"{formats.span(start, end)} ({periods.SPAN_NOTE}{more})"


def whole_weeks(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The inclusive range `start`..`end` widened to whole weeks, Monday to Sunday (≥ 7 days).

    Org views snap custom ranges so that two links can only differ by whole weeks, each of them
    checked by disclosure control (docs/PRIVACY.md).
    """
    monday = start - dt.timedelta(days=start.weekday())
    sunday = end + dt.timedelta(days=6 - end.weekday())
    return monday, sunday


def up_to_last_full_week(start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """Half-open whole weeks [start, end) cut at the last full week before `today`'s: the week still
    under way is left out, as in the presets (a link into it would change every day and could be
    subtracted from itself a day later); a range only in that week becomes the last full week."""
    monday = periods.this_monday(today)
    end = min(end, monday)
    return (start, end) if start < end else (monday - dt.timedelta(weeks=1), monday)


def to_filters(state: FilterState, today: dt.date, *, weeks: bool = False) -> Filters:
    """The half-open period and slices a page queries with; presets are whole weeks on every page
    (metrics.periods), and on an org view (`weeks`) custom ranges widen to whole weeks too."""
    preset = state.preset if state.preset != "custom" or (state.start and state.end) else DEFAULT_PRESET
    if preset == "custom":
        start, end = whole_weeks(state.start, state.end) if weeks else (state.start, state.end)
        end = end + dt.timedelta(days=1)
        if weeks:
            start, end = up_to_last_full_week(start, end, today)
    else:
        start, end = preset_period(preset, today)
    return Filters(start, end, tuple(sorted(state.ticket_types)), tuple(sorted(state.channels)),
                   tuple(sorted(state.service_ids)), tuple(sorted(state.team_ids)),
                   tuple(sorted(state.priorities)))


def _values(raw: str | Iterable[str] | None) -> list[str]:
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def _ids(raw, allowed: Mapping[int, str], what: str, notices: list[str]) -> tuple[int, ...]:
    kept: list[int] = []
    for value in _values(raw):
        try:
            number = query_params.parse_int(value)
        except ValueError:
            number = None
        if number is None or number not in allowed:
            notices.append(f"{what} “{value[:40]}”")
        elif number not in kept:
            kept.append(number)
    return tuple(kept)


def _names(raw, allowed: Iterable[str], what: str, notices: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for value in _values(raw):
        if value not in allowed:
            notices.append(f"{what} “{value[:40]}”")
        elif value not in kept:
            kept.append(value)
    return tuple(kept)


# Alike in shape to data_access.culture_settings._number (parse, note the problem, check the
# range), not in logic: a link's date against the data's years here, an admin's number there.
def _date(raw, what: str, today: dt.date, notices: list[str]) -> dt.date | None:
    values = _values(raw)
    if not values:
        return None
    try:
        day = query_params.parse_date(values[0], earliest=dt.date.min, latest=dt.date.max)
    except ValueError:
        notices.append(f"{what} date “{query_params.shorten(values[0])}”")
        return None
    if not EARLIEST <= day <= today:
        notices.append(f"{what} date {day.isoformat()} (outside {EARLIEST.year} to today)")
        return None
    return day


def parse_params(params: Mapping[str, str | list[str]], options: FilterOptions,
                 today: dt.date) -> tuple[FilterState, list[str]]:
    """Read filters from query parameters; returns the valid part and what was ignored (for a notice)."""
    notices: list[str] = []
    preset_values = _values(params.get("period"))
    preset = preset_values[0] if preset_values else DEFAULT_PRESET
    if preset not in PRESETS:
        notices.append(f"period “{preset[:40]}”")
        preset = DEFAULT_PRESET
    start = end = None
    if preset == "custom":
        start = _date(params.get("from"), "start", today, notices)
        end = _date(params.get("to"), "end", today, notices)
        if start and end and start > end:
            notices.append("a custom range that ends before it starts")
            start = end = None
        if not (start and end):
            notices.append("the incomplete custom range (showing the last 12 months)")
            preset, start, end = DEFAULT_PRESET, None, None
    state = FilterState(
        preset=preset, start=start, end=end,
        ticket_types=_names(params.get("type"), TICKET_TYPES, "ticket type", notices),
        channels=_names(params.get("channel"), CHANNELS, "channel", notices),
        service_ids=_ids(params.get("service"), options.services, "service", notices),
        team_ids=_ids(params.get("team"), options.teams, "team", notices),
        priorities=_ids(params.get("priority"), PRIORITY_LABELS, "priority", notices),
    )
    return state, notices


def to_params(state: FilterState) -> dict[str, str]:
    """Query parameters describing `state` (defaults left out, to keep links short)."""
    params: dict[str, str] = {}
    if state.preset != DEFAULT_PRESET:
        params["period"] = state.preset
    if state.preset == "custom" and state.start and state.end:
        params["from"], params["to"] = state.start.isoformat(), state.end.isoformat()
    for name, values in (("type", state.ticket_types), ("channel", state.channels),
                         ("service", state.service_ids), ("team", state.team_ids),
                         ("priority", state.priorities)):
        if values:
            params[name] = ",".join(str(v) for v in values)
    return params


def filter_options(scope: Scope) -> FilterOptions:
    """Services and the viewer's teams, by id, with their names from the warehouse."""
    services = trends.service_names()
    teams = trends.team_names(scope=scope)
    return FilterOptions(services=dict(services.select("service_id", "name").iter_rows()),
                         teams=dict(teams.select("team_id", "name").iter_rows()))


def _params_dict() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in PARAM_NAMES if name in st.query_params}


def _sync_params(state: FilterState) -> None:
    wanted = to_params(state)
    for name in PARAM_NAMES:
        if name in wanted:
            if st.query_params.get(name) != wanted[name]:
                st.query_params[name] = wanted[name]
        elif name in st.query_params:
            del st.query_params[name]


# FilterState fields a chart click may change → the filter widget that shows them.
FIELD_WIDGETS = {"ticket_types": "types", "channels": "channels", "service_ids": "services", "team_ids": "teams",
                 "priorities": "priorities"}


def _start(key: str, value: list) -> list | None:
    """A widget's default, unless a drill-down already set the widget's value (then none)."""
    return None if key in st.session_state else value


def _widget_keys(prefix: str) -> dict[str, str]:
    return {f: f"{prefix}_{f}" for f in ("preset", "range", "types", "channels", "services", "teams", "priorities")}


def _defaults(state: FilterState, options: FilterOptions, today: dt.date) -> dict:
    """Widget starting values from the canonical state (used when a widget has no state of its own)."""
    return {
        "preset": list(PRESETS).index(state.preset),
        "range": _shown_range(state, today),
        "types": list(state.ticket_types),
        "channels": list(state.channels),
        "services": [s for s in state.service_ids if s in options.services],
        "teams": [t for t in state.team_ids if t in options.teams],
        "priorities": list(state.priorities),
    }


def _shown_range(state: FilterState, today: dt.date) -> tuple[dt.date, dt.date]:
    period = to_filters(state, today)
    return period.start, period.end - dt.timedelta(days=1)


def focus(key_prefix: str, **changes) -> None:
    """Change some filters (e.g. from a click on a chart); call from a widget callback.

    Accepts FilterState field names: service_ids=(3,), channels=("email",)…
    """
    state = st.session_state.get(FILTERS_STATE_KEY, FilterState())
    new = replace(state, **{k: tuple(v) for k, v in changes.items()})
    st.session_state[FILTERS_STATE_KEY] = new
    # Set the filter widgets themselves: the boxes show the drill-down, the link carries it, and
    # it stays when another filter changes (a drill-down is undone like any filter).
    keys = _widget_keys(key_prefix)
    for field, value in changes.items():
        widget = FIELD_WIDGETS.get(field)
        if widget:
            st.session_state[keys[widget]] = list(value)


def _filter_boxes(keys: dict, start_with: dict, state: FilterState, options: FilterOptions, scope: Scope,
                  today: dt.date, *, weeks: bool = False) -> FilterState:
    """The filter row: period (with its custom range), type, channel, service, team, priority."""
    cols = st.columns([1.3, 1.05, 1.2, 1.4, 1.4, 1.05], vertical_alignment="bottom")
    preset = cols[0].selectbox("Period", list(PRESETS), format_func=PRESETS.get, key=keys["preset"],
                               index=start_with["preset"],
                               help=("Whole weeks, Monday to Sunday, up to the last full week: last 90 days "
                                     "is the 13 weeks before this one; the last 12, 24 or 36 months and year to "
                                     "date start on the first Monday of their first month." if weeks else
                                     "Last 90 days and year to date end today; the last 12, 24 or 36 months are "
                                     "this month and the 11, 23 or 35 before it."))
    start = end = None
    if preset == "custom":
        picked = st.columns([2.3, 4.3])[0].date_input("From – to", value=start_with["range"], key=keys["range"],
                                                       min_value=EARLIEST, max_value=today, format=formats.PICKER)
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            start, end = picked
        else:  # the second date is not picked yet: keep the range we had
            start, end = state.start, state.end
        if not (start and end):
            start, end = _shown_range(replace(state, preset=DEFAULT_PRESET), today)

    def box(col, label: str, field: str, values, names, placeholder: str = "All") -> tuple:
        return tuple(col.multiselect(label, list(values), format_func=names, key=keys[field],
                                     default=_start(keys[field], start_with[field]), placeholder=placeholder))

    return FilterState(
        preset=preset, start=start, end=end,
        ticket_types=box(cols[1], "Ticket type", "types", TICKET_TYPES, TYPE_LABELS.get),
        channels=box(cols[2], "Channel", "channels", CHANNELS, formats.CHANNEL_LABELS.get),
        service_ids=box(cols[3], "Service", "services", options.services, options.services.get),
        team_ids=box(cols[4], "Team", "teams", options.teams, options.teams.get,
                     "All" if scope.role != "lead" else "My teams"),
        priorities=box(cols[5], "Priority", "priorities", PRIORITY_LABELS, PRIORITY_LABELS.get))


def _as_picked(keys: dict, state: FilterState) -> FilterState:
    """`state` with the boxes' values of this run (a box changed a moment ago is not in `state` yet)."""
    picked = {field: tuple(st.session_state[keys[widget]]) for field, widget in FIELD_WIDGETS.items()
              if isinstance(st.session_state.get(keys[widget]), list)}
    preset = st.session_state.get(keys["preset"])
    return replace(state, **picked, **({"preset": preset} if preset in PRESETS and preset != "custom" else {}))


def summary(state: FilterState, options: FilterOptions) -> str:
    """The current choice in a few words, for the folded filters' heading: "Last 12 months · Email"."""
    period = (f"{formats.day(state.start)} – {formats.day(state.end)}"
              if state.preset == "custom" and state.start and state.end
              else PRESETS.get(state.preset, PRESETS[DEFAULT_PRESET]))
    parts = [period]
    for values, names in ((state.ticket_types, TYPE_LABELS), (state.channels, formats.CHANNEL_LABELS),
                          (state.service_ids, options.services), (state.team_ids, options.teams),
                          (state.priorities, PRIORITY_LABELS)):
        shown = [str(names.get(v, v)) for v in values]
        if shown:
            parts.append(", ".join(shown) if len(shown) <= 2 else f"{shown[0]} and {len(shown) - 1} more")
    return " · ".join(parts)


def open_link(key_prefix: str, query: str) -> None:
    """Show the filters of a stored link (e.g. a saved view); call from a widget callback.

    The link's values replace the address bar's filter parameters, and the chosen filters and
    their widgets are forgotten, so the next run reads the link through `parse_params` like any
    other: a value that no longer fits (a team gone, a tampered value) is dropped with a notice.
    """
    try:
        values = parse_qs(query, keep_blank_values=False, max_num_fields=len(PARAM_NAMES) * 4)
    except ValueError:  # more fields than any link of ours has: tampered, read as the plain link
        values = {}
    for name in PARAM_NAMES:
        if name in st.query_params:
            del st.query_params[name]
        if values.get(name):
            st.query_params[name] = values[name]
    st.session_state.pop(FILTERS_STATE_KEY, None)
    for key in _widget_keys(key_prefix).values():
        st.session_state.pop(key, None)


def _remembered_state(options: FilterOptions, today: dt.date) -> FilterState:
    """The filters chosen earlier in this session, or (on a fresh session) the link's."""
    state = st.session_state.get(FILTERS_STATE_KEY)
    if not isinstance(state, FilterState):
        state, ignored = parse_params(_params_dict(), options, today)
        st.session_state[FILTERS_STATE_KEY] = state
        if ignored:
            st.session_state[NOTICE_KEY] = ignored
        return state
    # Teams and services valid on another page may be outside this page's scope.
    return replace(state, team_ids=tuple(t for t in state.team_ids if t in options.teams),
                   service_ids=tuple(s for s in state.service_ids if s in options.services))


def page_filters(key_prefix: str, *, scope: Scope, weeks: bool = False) -> Filters:
    """Render the compact filter bar and return the chosen period and slices.

    Reuses the filters chosen on another page; on a fresh session, reads them from the link.
    Teams offered are limited to the viewer's scope (a lead sees only their teams). `weeks`:
    an org view, whose custom range snaps to whole weeks (the caption shows the snapped range).
    """
    today = clock.today()
    options = filter_options(scope)
    state = _remembered_state(options, today)
    start_with = _defaults(state, options, today)
    keys = _widget_keys(key_prefix)
    # Boxes without a value of their own (a fresh session, or a saved view just opened) get theirs
    # through the session state, as a drill-down's do: a default alone would leave a box the browser
    # already shows at its old value ("All") while the figures follow the link.
    for widget in FIELD_WIDGETS.values():
        st.session_state.setdefault(keys[widget], start_with[widget])

    with filter_fold(key_prefix, summary(_as_picked(keys, state), options)):
        state = _filter_boxes(keys, start_with, state, options, scope, today, weeks=weeks)
    st.session_state[FILTERS_STATE_KEY] = state
    _sync_params(state)
    filters = to_filters(state, today, weeks=weeks)
    before = filters.previous()
    snapped = ("" if not weeks else " (custom ranges cover whole weeks, Monday to Sunday)" if state.preset == "custom"
               else f" ({periods.SPAN_NOTE})")
    st.caption(f"{formats.span(filters.start, filters.end)}, compared with "
               f"{formats.span(before.start, before.end)}{snapped}")
    ignored = st.session_state.pop(NOTICE_KEY, None)
    query_params.show_notice(ignored or [])
    return filters
