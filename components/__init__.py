"""Reusable Streamlit widgets and pure Altair chart builders (no SQL)."""
