"""My settings: digest and alert preferences for anyone signed in; extra alert recipients (admin);
and a preview of this week's digest for leads (this month's for the CIO)."""

import streamlit as st

from components import preferences
from components.viewer import current_viewer

viewer = current_viewer()
if viewer is None:
    st.warning("Please sign in to see this page.")
    st.stop()

st.title("My settings")
preferences.render(viewer)
