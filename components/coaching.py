"""Coaching page widgets shared by its tabs: period picker, analyst picker, and the fair team overview.

The analyst detail lives in components/coaching_analyst.py, the recovery queue and notes in
components/coaching_actions.py. User text is always shown as text, never as Markdown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from components import formats, query_params
from components.filters import period_caption
from components.tables import download_csv
from components.text import literal
from components.tiles import tile
from data_access import clock, config
from data_access.filters import Filters
from data_access.scope import Scope
from metrics import CARE_NAMES, periods
from views.cache import coaching as data

ANALYST_KEY = "coaching_analyst"
BRIEF_PICKS_KEY = "coaching_brief_picks"
PERIODS = {k: periods.LABELS[k] for k in ("90d", "6m", "12m", "ytd")}
BAND_LABELS = {"all": "All scores", "unhappy": "Unhappy (0–6)", "neutral": "Neutral (7–8)", "happy": "Happy (9–10)"}


def figures_rule() -> str:
    """The page's rule of thumb, with the minimum this deployment sets (SERVICE_PULSE_MIN_RESPONSES)."""
    return f"Figures appear from {config.thresholds().min_responses} responses up; comparisons use shrunk values."


def _url() -> str:
    return config.database_url()


def current_minute() -> dt.datetime:
    """Now, to the minute: precise enough for 'overdue', and stable enough to key cached reads."""
    return clock.now().replace(second=0, microsecond=0)


# ---------------------------------------------------------------- period

@dataclass(frozen=True)
class Period:
    """A picked period: the filters to query with and words for it ('in the last 90 days')."""

    filters: Filters
    label: str
    phrase: str


def period_for(choice: str, today: dt.date) -> Period:
    """The half-open period of a preset, whole weeks up to the last full one, as on every page
    (metrics.periods)."""
    choice = choice if choice in PERIODS else "90d"
    start, end = periods.preset_range(choice, today)
    return Period(Filters(start, end), PERIODS[choice], periods.phrase(choice))


def default_period_words() -> str:
    """The overview's window (`views.coaching.overview_periods`) with its dates: 'the last 90 days
    (17 Aug 2026 – 15 Nov 2026, whole weeks)'."""
    window, _ = data.overview_periods(clock.today())
    return f"the last 90 days ({formats.span(window.start, window.end)}, whole weeks)"


def period_picker(key: str) -> Period:
    """A compact period selector (owns its session key)."""
    choice = st.segmented_control("Period", list(PERIODS), format_func=PERIODS.get, default="90d",
                                  key=key, required=True)
    period = period_for(choice or "90d", clock.today())
    st.caption(literal(period_caption(period.filters.start, period.filters.end)))
    return period


# ---------------------------------------------------------------- overview

def overview_display(frame: pl.DataFrame, *, many_teams: bool) -> pl.DataFrame:
    """The overview as shown: formatted text where a figure needs its margin, numbers elsewhere."""
    def happiness_text(row: dict) -> str:
        if not row["enough"]:
            return "not enough yet"
        return formats.signed_with_margin(row["happiness"], row["margin"])

    def change_text(row: dict) -> str:
        if row["change"] is None:
            return formats.NO_VALUE
        return formats.signed_with_margin(row["change"], row["change_margin"])

    rows = []
    for row in frame.iter_rows(named=True):
        enough = row["enough"]
        rows.append({
            "Analyst": row["name"] + ("" if row["active"] else " (inactive)"),
            "Team": row["team_name"],
            # Essential columns first: on a phone the name stays pinned and these come next.
            "Happiness (shrunk)": row["happiness_shrunk"] if enough else None,
            "Needs attention": row["signal"],
            "Happiness": happiness_text(row),
            "Responses": row["n"],
            "Change vs previous 90 days": change_text(row),
            "CARE profile": care_text([row[f"{d}_mean"] for d in CARE_NAMES]) if enough else formats.NO_VALUE,
            "Lost time": formats.minutes(row["lost_mean"]) if enough else formats.NO_VALUE,
            "Open recoveries": row["open_recovery"],
            "Last kudos": row["last_kudos"].date() if row["last_kudos"] else None,
            "Last note": row["last_note"].date() if row["last_note"] else None,
        })
    shown = pl.DataFrame(rows, schema_overrides={"Happiness (shrunk)": pl.Float64,
                                                 "Last kudos": pl.Date, "Last note": pl.Date})
    return shown if many_teams else shown.drop("Team")


def care_text(means: list[float | None]) -> str:
    """The four CARE means in their fixed order, e.g. "4.1 · 3.9 · 4.4 · 4.0" (— for a missing one)."""
    return " · ".join(formats.NO_VALUE if m is None else f"{m:.1f}" for m in means)


# Widths in pixels keep the whole table inside a 1440 px screen; the name stays pinned when it scrolls.
OVERVIEW_COLUMNS = {
    "Analyst": st.column_config.TextColumn("Analyst", width=136, pinned=True),
    "Team": st.column_config.TextColumn("Team", width=120),
    "Responses": st.column_config.NumberColumn("n", help="Responses in the last 90 days", format="%d", width=40),
    "Happiness": st.column_config.TextColumn(
        "Happiness", width=100, help="Raw Happiness: % scoring 9–10 minus % scoring 0–6, ± its 95% margin. "
                                "Shown from the minimum number of responses up; below it: not enough yet."),
    "Happiness (shrunk)": st.column_config.NumberColumn(
        "Shrunk", format="%+.0f", width=56,
        help="Happiness pulled toward the team in proportion to how few responses there are "
             "(empirical Bayes). Use this, not the raw figure, when comparing people."),
    "Change vs previous 90 days": st.column_config.TextColumn(
        "Change", width=84,
        help="Happiness in the last 90 days minus the 90 days before, ± the margin of that change"),
    "CARE profile": st.column_config.TextColumn(
        "CARE  C · A · R · E", width=122,
        help="Mean customer rating 1–5, in this order: Communication, Application, Resolution, Expectation"),
    "Lost time": st.column_config.TextColumn("Lost time", width=64),
    "Open recoveries": st.column_config.NumberColumn("Open", width=50, help="Open recoveries: unhappy responses in "
                                                     "the last 90 days still waiting for a follow-up"),
    # Two-digit years on the dates leave the room the attention phrase needs ("2 overdue recoveries").
    "Last kudos": st.column_config.DateColumn("Last kudos", format="D MMM YY", width=70),
    "Last note": st.column_config.DateColumn("Last note", format="D MMM YY", width=70),
    "Needs attention": st.column_config.TextColumn("Needs attention", width=152,
                                                   help="A clear decline, the last 3 ratings unhappy, or "
                                                        "an unhappy user not called back within the target"),
}


def _open_analyst_from_overview(ids: list[int]) -> None:
    selection = st.session_state.get("coaching_overview_table")
    rows = selection.selection.rows if selection else []
    if rows:
        st.session_state[ANALYST_KEY] = ids[rows[0]]
        st.session_state["coaching_tab"] = "Analyst"


NO_ANALYSTS = ("No analysts to coach in your teams yet. (A lead who works tickets is not on their own "
               "Coaching page: another lead of the team coaches them.)")


def overview_section(scope: Scope) -> None:
    """Team overview: one row per analyst, alphabetical, raw and shrunk Happiness, signals."""
    report = data.coaching_report(scope=scope, today=clock.today(), now=current_minute(), url=_url())
    if report.is_empty:
        st.info(NO_ANALYSTS)
        return
    frame, team = report.analysts, report.team
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        tile("Analysts", f"{frame.height}", f"{report.with_enough} with {report.min_responses}+ responses in 90 days",
             "Analysts whose home team is one you lead")
    with c2:
        tile("Team Happiness", formats.signed(team["happiness"]),
             formats.margin(team["margin"], team["n"]) if team["margin"] is not None else "n = 0",
             "% scoring 9–10 minus % scoring 0–6, all analysts of your team(s), last 90 days")
    with c3:
        tile("Open recoveries", f"{report.open_recovery}", f"{report.overdue_recovery} overdue",
             "Unhappy responses still waiting for a call")
    with c4:
        tile("Need attention", f"{report.needing_attention}", "clear decline, unhappy run or overdue recovery",
             "See the last column")
    st.caption("Sorted by name. Compare people only on the shrunk figure — it accounts for how many "
               "responses each person has. Select a row to open the analyst.")
    ids = frame["analyst_id"].to_list()
    shown = overview_display(frame, many_teams=len(scope.team_ids) > 1)
    st.dataframe(shown, hide_index=True,
                 column_config=OVERVIEW_COLUMNS, on_select=lambda: _open_analyst_from_overview(ids),
                 height=38 + 35 * frame.height, placeholder=formats.NO_VALUE,
                 selection_mode="single-row", key="coaching_overview_table")
    care_means = [pl.Series(f"CARE {d} (mean)", frame[f"{d}_mean"].to_list(), dtype=pl.Float64).round(2)
                  for d in CARE_NAMES]
    download_csv(shown.drop("CARE profile").with_columns(care_means), "team overview", key="coaching_overview_csv")


def pager(page_key: str, page: int, pages: int, *, labels: tuple[str, str], caption: str, key: str) -> None:
    """Previous / next buttons around a caption; a click moves `page_key` in session state and reruns."""
    p1, p2, p3 = st.columns([1, 2, 1])
    if p1.button(labels[0], disabled=page == 0, key=f"{key}_prev"):
        st.session_state[page_key] = page - 1
        st.rerun()
    p2.caption(literal(caption))
    if p3.button(labels[1], disabled=page + 1 >= pages, key=f"{key}_next"):
        st.session_state[page_key] = page + 1
        st.rerun()


# ---------------------------------------------------------------- analyst picker

def analyst_picker(scope: Scope, key: str) -> dict | None:
    """Pick one analyst of the lead's teams; the choice is shared by the Analyst and Notes tabs."""
    roster = data.roster(scope=scope, url=_url())
    if roster.is_empty():
        st.info(NO_ANALYSTS)
        return None
    ids = roster["analyst_id"].to_list()
    names = dict(zip(ids, roster["name"].to_list()))
    chosen = st.session_state.get(ANALYST_KEY)
    if chosen not in names:
        chosen = ids[0]
    st.session_state[key] = chosen

    def sync() -> None:
        st.session_state[ANALYST_KEY] = st.session_state[key]

    picked = st.selectbox("Analyst", ids, format_func=names.get, key=key, on_change=sync)
    st.session_state[ANALYST_KEY] = picked
    return roster.filter(pl.col("analyst_id") == picked).row(0, named=True)


LINK_TABS = {"overview": "Overview", "analyst": "Analyst", "recovery": "Recovery queue", "notes": "Notes"}


def apply_deep_link() -> None:
    """Open the tab and analyst named in the link (from a digest or alert email), once per visit.

    An analyst id outside the lead's teams is ignored by the analyst picker, which only offers
    the lead's own roster; a malformed value is ignored with a one-line notice.
    """
    if st.session_state.get("coaching_link_applied"):
        return
    st.session_state["coaching_link_applied"] = True
    notices: list[str] = []
    tab = query_params.read("tab", lambda raw: query_params.parse_choice(raw, LINK_TABS), None, notices, "tab")
    analyst = query_params.read("analyst", query_params.parse_int, None, notices, "analyst")
    if analyst is not None:
        st.session_state[ANALYST_KEY] = analyst
        tab = tab or "Analyst"
    query_params.show_notice(notices)
    if tab:
        st.session_state["coaching_tab"] = tab
