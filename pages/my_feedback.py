"""My feedback — the analyst's private page: my figures, self vs customers, my self-assessment, my comments."""

import streamlit as st

from components import my_feedback as view
from components.failures import DB_ERRORS, show_failure
from components.freshness import summary_tables_notice
from components.self_assessment_form import history_section, self_assessment_form, sharing_switch
from components.viewer import require_scope
from views.cache import my_feedback as data

scope = require_scope("analyst")  # a lead who is also an analyst sees their own data here
st.title("My feedback")
st.caption("Private to you: how your customers see your work, next to how you see it yourself.")
filters = view.period_picker()

try:
    history = data.my_assessments(scope=scope)
    summary_tables_notice()
    view.reminder(history[-1] if history else None)
    # Only the open tab runs (on_change="rerun"), so the first view costs one tab's queries.
    overview, compare, assess, voices = st.tabs(view.TABS, key="my_tab", on_change="rerun")
    if overview.open:
        with overview:
            figures = data.my_figures(scope=scope, filters=filters)
            view.figures_section(figures)
            view.trend_section(data.my_trend(scope=scope, filters=filters), figures.min_responses)
    if compare.open:
        with compare:
            figures = data.my_figures(scope=scope, filters=filters)
            view.gap_section(data.self_view_for(scope=scope, filters=filters, figures=figures), figures,
                             scope, filters)
    if assess.open:
        with assess:
            self_assessment_form(scope, latest=history[-1] if history else None)
            sharing_switch(scope, history[-1] if history else None)
            history_section(history)
    if voices.open:
        with voices:
            view.verbatims_section(scope, filters)
            view.recognition_section(scope)
            view.download_section(scope, filters)
except DB_ERRORS as exc:
    show_failure(exc)
