"""A quiet notice when figures come from the detailed tables because the summary tables are not usable."""

from __future__ import annotations

import streamlit as st

from data_access import rollups


def summary_tables_notice() -> None:
    """Tell the viewer, in one caption, why this page may load more slowly (nothing when rollups are fresh)."""
    status = rollups.status()
    if not status.fresh:
        # The reason is our own wording (never user text), so it is safe as Markdown.
        st.caption(f":material/hourglass_empty: Figures are computed from the detailed tables because "
                   f"{status.reason}; they are right, but this page may load more slowly.")
