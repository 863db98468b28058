"""A stand-in page for the benchmark smoke test: one scoped statistics read, one chart."""

import datetime as dt

import altair as alt
import streamlit as st

from components.viewer import require_scope
from data_access.filters import Filters
from data_access.stats import response_stats, ticket_stats

scope = require_scope("cio")
filters = Filters(dt.date(2025, 11, 1), dt.date(2026, 11, 1))
by_month = response_stats(scope=scope, filters=filters, by=("month",))
tickets = ticket_stats(scope=scope, filters=filters)
st.title("Sample")
st.write(f"{int(by_month['n'].sum())} responses, {int(tickets['tickets'][0])} tickets")
st.altair_chart(alt.Chart(by_month).mark_line().encode(x="month:T", y="n:Q"))
