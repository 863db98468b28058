"""Coaching: what to praise, what to coach and who needs a follow-up call, for a team lead."""

import streamlit as st

from components.coaching import apply_deep_link, default_period_words, figures_rule, overview_section
from components.coaching_analyst import analyst_section
from components.coaching_actions import notes_section, recovery_section
from components.failures import DB_ERRORS, show_failure
from components.freshness import summary_tables_notice
from components.text import literal
from components.viewer import current_viewer, require_scope

scope = require_scope("lead")
viewer = current_viewer()
st.title("Coaching")
st.caption(f"{literal(viewer.display_name)} · {literal(viewer.team_name or 'your team')} · "
           f"{literal(default_period_words())} unless you pick a period. {figures_rule()}")

TABS = ["Overview", "Analyst", "Recovery queue", "Notes"]
apply_deep_link()
summary_tables_notice()
tabs = st.tabs(TABS, key="coaching_tab", on_change="rerun")
sections = [overview_section, analyst_section, recovery_section, notes_section]
try:
    for tab, section in zip(tabs, sections):
        if tab.open:  # only the open tab runs its queries
            with tab:
                section(scope)
except DB_ERRORS as exc:
    show_failure(exc)
