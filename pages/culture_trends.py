"""Culture trends (CIO): is service culture improving, where does it hurt, what does it cost?"""

import streamlit as st

from components.culture_first_screen import first_screen
from components.culture_layout import below_the_fold
from components.culture_sections import withheld_notice
from components.failures import DB_ERRORS, show_failure
from components.filters import page_filters
from components.freshness import summary_tables_notice
from components.saved_views import share_bar
from components.viewer import current_viewer, require_scope
from views.cache import culture, culture_extras, culture_settings
from views.culture_extras import with_targets

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

try:
    settings = culture_settings.read_culture_settings()
    extras = culture_extras.culture_extras(scope=scope, filters=filters)
except DB_ERRORS as exc:
    show_failure(exc)
    st.stop()
targets = with_targets(report, extras, settings)
first_screen(report, extras, targets)
below_the_fold(report, extras, targets, scope=scope, filters=filters)
