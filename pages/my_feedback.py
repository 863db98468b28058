"""My feedback — the analyst's private page: my figures, self vs customers, my self-assessment, my comments."""

import streamlit as st

from components import my_feedback as view
from components.self_assessment_form import history_section, self_assessment_form, sharing_switch
from components.viewer import require_scope
from data_access import clock, config
from data_access import my_feedback as data

scope = require_scope("analyst")  # a lead who is also an analyst sees their own data here
st.title("My feedback")
st.caption("Private to you: how your customers see your work, next to how you see it yourself.")
filters = view.period_picker()

try:
    figures = data.my_figures(scope=scope, filters=filters)
    trend = data.my_trend(scope=scope)
    mine = data.self_view_for(scope=scope, filters=filters, figures=figures)
except view.DB_ERRORS as exc:
    view.database_down(exc)
    st.stop()

view.reminder(mine.latest, clock.today())
overview, compare, assess, voices = st.tabs(
    ["My figures", "Self vs customers", "Self-assessment", "What customers say"])
with overview:
    view.figures_section(figures)
    view.trend_section(trend, config.thresholds().min_responses)
with compare:
    view.gap_section(mine, figures)
with assess:
    st.caption("Rate yourself 1–5 on each item; the line under each number describes that level. "
               "Every submission is kept with its date so you can see your progress.")
    self_assessment_form(scope)
    sharing_switch(scope, mine.latest)
    history_section(mine.history)
with voices:
    try:
        view.verbatims_section(scope, filters)
        view.recognition_section(scope)
        view.download_section(scope, filters)
    except view.DB_ERRORS as exc:
        view.database_down(exc)
