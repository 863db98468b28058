"""How a page shows a database that does not answer: the one tuple of errors it catches and one
friendly line in place of a stack trace (what went wrong, and that nothing is lost)."""

from __future__ import annotations

import streamlit as st

from components.text import literal
from data_access.engine import DB_ERRORS, describe_failure

__all__ = ["DB_ERRORS", "show_failure"]


def show_failure(exc: BaseException) -> None:
    """The failure in one friendly, literal line (server names and SQL are never shown)."""
    st.error(literal(describe_failure(exc)), icon=":material/cloud_off:")
