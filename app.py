"""Service Pulse entry point (placeholder until sign-in lands): page config and navigation only."""

import streamlit as st

from data_access.bootstrap import ensure_warehouse

st.set_page_config(page_title="Service Pulse", page_icon="📈", layout="wide")
ensure_warehouse()
st.title("Service Pulse — demo data")
st.write("Sign-in and pages are on their way.")
