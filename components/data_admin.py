"""Admin → Data: what the warehouse holds, the import flows, the quarantine and the generic
template. The page only checks the admin role and calls `render`."""

from __future__ import annotations

import streamlit as st

from components import formats
from components.import_panel import import_flow, import_history
from components.text import literal
from data_access import config
from data_access.bootstrap import ORIGIN_LABELS
from data_access.engine import DB_ERRORS, describe_failure, get_engine
from data_access.importer.fields import FIELDS
from data_access.importer.scores import SCALES
from data_access.scope import Scope
from views.cache import warehouse_summary


def render(scope: Scope) -> None:
    """The whole Data page for an admin."""
    engine = get_engine(config.database_url())
    try:
        info = warehouse_summary(config.database_url())
    except DB_ERRORS as exc:
        st.error(literal(describe_failure(exc)))
        st.stop()
    holdings(info)
    tickets_tab, responses_tab, quarantine_tab, template_tab = st.tabs(
        ["Import tickets", "Import responses", "Import history & quarantine", "Generic template"])
    with tickets_tab:
        import_flow("tickets", engine)
    with responses_tab:
        st.caption("Import tickets first: every answer must belong to a ticket the warehouse knows.")
        import_flow("responses", engine)
    with quarantine_tab:
        import_history(engine, scope)
    with template_tab:
        template_help()


def holdings(info: dict) -> None:
    """Four tiles and one line: what the warehouse holds now."""
    tables = info["tables"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Tickets", f"{tables['tickets']:,}")
    c2.metric("Responses", f"{tables['responses']:,}")
    c3.metric("Response rate", formats.percent(info["response_rate"], 1))
    c4.metric("Data", ORIGIN_LABELS.get(info.get("origin"), "Unknown"))
    if info["first_response"]:
        st.caption(f"Responses from {info['first_response']:%d %b %Y} to {info['last_response']:%d %b %Y} · "
                   f"{tables['teams']} teams · {tables['analysts']} analysts · {tables['services']} services · "
                   f"{info['backend']} database")


def template_help() -> None:
    """The generic template's header names and the other shapes the importer reads."""
    for kind in FIELDS:
        st.markdown(f"**{kind.capitalize()}** — header names of the generic template")
        st.dataframe(
            [{"field": f.name, "required": f.required, "meaning": f.help} for f in FIELDS[kind]],
            hide_index=True, width="stretch")
    st.markdown("**Long-format survey** — one row per answer: `response_id, ticket_id, question, value, "
                "submitted_at` (ServiceNow's metric results are read as they are). Each question fills "
                "the field chosen for it on the Import responses tab.")
    st.markdown("**Tickets with their answers** — one file: tick *The file also has each ticket's survey "
                "answer* on the Import tickets tab; the survey date is the resolution date when the file "
                "has none.")
    st.caption("Score scales: " + " · ".join(SCALES.values()))
