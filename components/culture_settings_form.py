"""The admin's form for the Culture trends settings: target, external reference, cost of an hour,
hours per work day and annotations of known changes."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from components.text import literal
from data_access.culture_settings import as_text, read_culture_settings, save_culture_settings, validate
from data_access.engine import DB_ERRORS, describe_failure
from data_access.scope import Scope

SAVED_KEY = "culture_settings_saved"


def _fields(stored: dict[str, str]) -> dict[str, str]:
    left, right = st.columns(2)
    values = {
        "happiness_target": left.text_input("Happiness target (−100 to +100)", stored["happiness_target"],
                                            key="culture_target", placeholder="e.g. 40",
                                            help="Drawn as a line on the trend; hotspots are measured against it."),
        "hourly_cost": right.text_input("Cost of an hour of lost work time", stored["hourly_cost"],
                                        key="culture_hourly_cost", placeholder="e.g. 60",
                                        help="Shows lost time as money next to the hours."),
        "benchmark_value": left.text_input("External reference (Happiness)", stored["benchmark_value"],
                                           key="culture_benchmark", placeholder="optional"),
        "currency": right.text_input("Currency code", stored["currency"], key="culture_currency", max_chars=3),
        "benchmark_source": left.text_input("Reference source", stored["benchmark_source"],
                                            key="culture_benchmark_source", placeholder="e.g. industry benchmark"),
        "hours_per_day": right.text_input("Hours in a work day", stored["hours_per_day"], key="culture_hours_per_day"),
        "benchmark_date": left.text_input("Reference date (YYYY-MM-DD)", stored["benchmark_date"],
                                          key="culture_benchmark_date", placeholder="optional"),
    }
    values["annotations"] = st.text_area("Known changes, one per line: YYYY-MM-DD label", stored["annotations"],
                                         key="culture_annotations", placeholder="2026-03-02 New self-service portal",
                                         help="Drawn as dated lines on the trends.")
    return values


def culture_settings_form(engine: sa.Engine, scope: Scope) -> None:
    """Show, validate and save the Culture trends settings (admins only)."""
    scope.require("admin")
    st.subheader("Culture trends: target, reference and cost")
    done = st.session_state.pop(SAVED_KEY, None)
    if done:
        st.success(literal(done))
    try:
        stored = as_text(read_culture_settings())
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        return
    with st.form("culture_settings"):
        values = _fields(stored)
        if not st.form_submit_button("Save Culture trends settings"):
            return
    settings, errors = validate(values)
    if errors:
        st.error(literal("Not saved: " + "; ".join(errors) + "."))
        return
    try:
        save_culture_settings(engine, scope=scope, settings=settings)
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        return
    st.session_state[SAVED_KEY] = "Culture trends settings saved."
    for key in [k for k in st.session_state if str(k).startswith("culture_") and k != SAVED_KEY]:
        del st.session_state[key]  # the boxes show what was stored (e.g. "chf" as CHF)
    st.rerun()
