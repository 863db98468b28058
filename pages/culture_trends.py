"""Culture trends (CIO): is service culture improving, where does it hurt, what does it cost?"""

import polars as pl
import streamlit as st

from components import charts
from components.culture_sections import (calibration_section, culture_tiles, headline_tiles, hotspot_section,
                                         lost_time_section, show_chart, team_section, voice_section,
                                         watermelon_section, withheld_notice)
from components.drill_through import drill_section
from components.filters import page_filters
from components.freshness import summary_tables_notice
from components.saved_views import share_bar
from components.survey_rates import survey_rate_section
from components.failures import DB_ERRORS, show_failure
from components.viewer import current_viewer, require_scope
from views.cache import culture

viewer = current_viewer()
scope = require_scope("lead" if viewer and "cio" not in viewer.roles and "lead" in viewer.roles else "cio")

st.title("Culture trends")
st.caption("How users experience IT service, where it hurts and what it costs — "
           + ("your teams." if scope.role == "lead" else "the whole organisation, teams only, no names."))

try:
    filters = page_filters("trends", scope=scope, weeks=True)
    share_bar("trends", "culture-trends")
    report = culture.culture_report(scope=scope, filters=filters)
    summary_tables_notice()
except DB_ERRORS as exc:
    show_failure(exc)
    st.stop()

if report.is_empty:
    st.info("No survey responses match these filters yet. Try a longer period or fewer filters.",
            icon=":material/filter_alt_off:")
    st.stop()

if report.withheld:
    withheld_notice(report)
    st.stop()

headline_tiles(report)

st.subheader("Is it getting better?")
left, right = st.columns([1, 1], gap="large")
with left:
    st.caption("Monthly Happiness with its 95% interval (months with fewer than 5 responses are left out).")
    if report.trend.height:
        show_chart(report, "trend", lambda: charts.happiness_trend(report.trend))
    else:
        st.info("Too few responses per month to draw a trend.")
with right:
    by = st.segmented_control("Compare", list(report.compare), default="Ticket type", key="trends_compare_by",
                              label_visibility="collapsed")
    data = report.compare.get(by or "Ticket type", pl.DataFrame())
    st.caption("Click names in the legend to pick lines (shift-click for several); the picked lines show their band.")
    if data.height:
        show_chart(report, f"compare {by}", lambda: charts.happiness_compare(data, "series", title=by or "Ticket type"))
    else:
        st.info("Too few responses to compare.")

watermelon_section(report)
hotspot_section(report, key_prefix="trends", focused=bool(filters.service_ids or filters.channels))
voice_section(report)
drill_section(report)
lost_time_section(report)
culture_tiles(report)
survey_rate_section(scope, filters)
calibration_section(report)
team_section(report)
