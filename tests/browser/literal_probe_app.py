"""A tiny Streamlit script for the browser test of components.text.literal: every hostile name in
every Markdown-rendering element a page uses."""

import streamlit as st

from components.text import literal
from tests.hostile import HOSTILE_NAMES

for i, name in enumerate(HOSTILE_NAMES):
    st.markdown("M " + literal(name))
    st.caption(f"C {literal(name)} · {i}")
    st.info("I " + literal(name))
    with st.expander("E " + literal(name)):
        st.write("W " + literal(name))
    st.metric("Metric " + literal(name), i)
st.tabs(["T " + literal(name) for name in HOSTILE_NAMES])
st.success("Done", icon=":material/check:")
