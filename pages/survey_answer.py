"""Survey page (no sign-in): opening a one-click link records the score, then optional follow-up.

Only reachable through components/survey_entry, which registers it for a checked token alone.
"""

import streamlit as st

from components import survey_pages

st.set_page_config(page_title="Service desk survey", layout="centered")  # a form reads best narrow
survey_pages.answer_page()
