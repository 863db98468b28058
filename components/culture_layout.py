"""Culture trends below the first screen: the detailed sections in tabs a CIO opens when needed.

Recovery and kudos figures appear once (the Culture tab); the comparison chart shares the
trend's y-range so lines read against each other honestly.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import streamlit as st

from components import charts, formats
from components.culture_charts import with_annotations
from components.culture_first_screen import trend_domain, work_days_section
from components.culture_sections import (calibration_section, culture_tiles, hotspot_section, lost_time_section,
                                         show_chart, team_section, voice_section, watermelon_section)
from components.drill_link import DRILL_KEY, KIND_KEY, READ_TAB, TABS_KEY, apply_link, reveal_if_opened, target_key
from components.drill_through import drill_section
from components.survey_rates import survey_rate_section
from data_access.filters import Filters
from data_access.scope import Scope
from views.culture import CultureReport
from views.culture_extras import CultureExtras, Targets

EVERY_TAB = False
"""Run every tab's sections, not only the open one's: the page tests read all sections from one
render (tests/conftest.py sets it); the app itself draws only the open tab."""

TABS = ("Compare", "Hotspots", "Cost", "SLA and mood", "What users say", READ_TAB, "Culture and teams")


COMPARE_KEY = "trends_compare_by"
KEPT_WHILE_CLOSED = {TABS.index("Compare"): (COMPARE_KEY,),
                     TABS.index(READ_TAB): (KIND_KEY, *(target_key(k) for k in ("cell", "factor", "month")),
                                            f"{DRILL_KEY}_only")}
"""Per tab, the keys of its choices (which comparison, which responses) that outlive a visit to
another tab: Streamlit forgets the value of a widget a run does not draw."""


def _keep_choices_of_closed_tabs(tabs) -> None:
    """Write the closed tabs' choices back to the session, so they are there when the tab reopens
    (a value written while its widget is drawn would clash with the widget's own default)."""
    for i, keys in KEPT_WHILE_CLOSED.items():
        if not tabs[i].open:
            for key in keys:
                if key in st.session_state:
                    st.session_state[key] = st.session_state[key]


def compare_section(report: CultureReport, extras: CultureExtras, targets: Targets) -> None:
    """Monthly Happiness by ticket type, channel or team, on the trend's y-range."""
    by = st.segmented_control("Compare", list(report.compare), default="Ticket type", key=COMPARE_KEY,
                              label_visibility="collapsed")
    data = report.compare.get(by or "Ticket type", pl.DataFrame())
    st.caption("Same Happiness scale as the trend above. Click names in the legend to pick lines "
               "(shift-click for several); the picked lines show their band.")
    if data.height:
        domain = trend_domain(report, extras, targets)
        notes = [(a.day, a.label) for a in targets.settings.annotations]
        show_chart(report, ("compare", by, tuple(domain), tuple(notes)), lambda: with_annotations(
            charts.happiness_compare(data, "series", title=by or "Ticket type", domain=domain), data, notes))
    else:
        st.info("Too few responses to compare.")


def response_rate_line(report: CultureReport) -> None:
    """The survey response rate over the whole selection, once."""
    rr = report.headline.response_rate
    st.markdown(f"**Response rate {formats.percent(rr.share)}**: {report.headline.n:,} responses to "
                f"{report.headline.tickets:,} closed tickets ({formats.interval(rr.low, rr.high)}).")


def cost_section(report: CultureReport, targets: Targets) -> None:
    """Lost time by channel and service, and as work days per month."""
    lost_time_section(report, "Where the lost time above comes from, by channel and by service:")
    if report.headline.lost.total_hours is not None:
        work_days_section(report, targets)


def culture_and_teams(report: CultureReport, scope: Scope, filters: Filters) -> None:
    """Response rate, culture indicators, survey rates by channel, calibration and the team table."""
    response_rate_line(report)
    culture_tiles(report)
    survey_rate_section(scope, filters)
    calibration_section(report)
    team_section(report)


def below_the_fold(report: CultureReport, extras: CultureExtras, targets: Targets, *, scope: Scope,
                   filters: Filters) -> None:
    """The detailed sections, one tab each."""
    target = targets.settings.target
    hot = report if target is None else replace(report, hotspots=targets.hotspots,
                                                key=(*report.key, "target", target))
    apply_link()  # a link naming a month or factor to read opens its tab
    # The open tab is state (kept when a click reruns the page, set by a click on a month or a
    # factor, or by a link). Only the open tab's sections run and reach the browser: a switch reruns
    # the page from the cached figures, and the first screen no longer waits while the browser
    # draws a dozen charts and tables nobody has opened yet.
    sections = (
        lambda: compare_section(report, extras, targets),
        lambda: hotspot_section(hot, key_prefix="trends", focused=bool(filters.service_ids or filters.channels),
                                against="overall Happiness" if target is None else "the target"),
        lambda: cost_section(report, targets),
        lambda: watermelon_section(report, notes=[(a.day, a.label) for a in targets.settings.annotations]),
        lambda: voice_section(report),
        lambda: drill_section(report),
        lambda: culture_and_teams(report, scope, filters),
    )
    tabs = st.tabs(TABS, key=TABS_KEY, on_change="rerun")
    _keep_choices_of_closed_tabs(tabs)
    for tab, section in zip(tabs, sections, strict=True):
        if tab.open or EVERY_TAB:
            with tab:
                section()
    reveal_if_opened()
