"""A tiny Streamlit script for the browser test of components.text.literal: every hostile name in
every Markdown-rendering element a page uses."""

import altair as alt
import polars as pl
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
# Altair: names as data, in a tooltip, an axis and a title — Vega draws them as text.
bars = pl.DataFrame({"name": ["<img src='https://evil.example/t.png'> [x](https://evil.example/t)"], "n": [1]})
chart = (alt.Chart(bars, title=HOSTILE_NAMES[0]).mark_bar(size=400)
         .encode(x=alt.X("name:N", title=HOSTILE_NAMES[1]), y="n:Q", tooltip=["name:N", "n:Q"]))
st.altair_chart(chart, width=500, height=400, key="probe_chart")
st.success("Done", icon=":material/check:")
