"""Culture trends: survey response rate per channel (answered / invited) next to the older
responses / closed tickets. Render only; the figures come from views.survey_rates (cached)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.failures import DB_ERRORS, show_failure
from components.formats import CHANNEL_LABELS, NO_VALUE
from data_access.config import thresholds
from data_access.filters import Filters
from data_access.scope import Scope
from views.cache import survey_rates


def _pct(share, low, high) -> str:
    if share is None:
        return NO_VALUE
    return f"{100 * share:.0f}% ({100 * low:.0f}–{100 * high:.0f}%)"


def _count(value) -> str:
    return NO_VALUE if value is None else f"{int(value):,}"


def survey_rate_section(scope: Scope, filters: Filters) -> None:
    """A small table per channel; nothing when no invitation was sent in the period."""
    try:
        table = survey_rates.channel_rate_report(scope=scope, filters=filters)
    except DB_ERRORS as exc:
        show_failure(exc)
        return
    if table.is_empty() or int(table["invited"].fill_null(0).max() or 0) == 0:
        return
    limits = thresholds()
    st.subheader("Survey response rate")
    st.caption("Answered / invited counts the survey emails Service Pulse sent for tickets closed in the period. "
               "Responses / closed tickets counts every answer, imported ones included. 95% ranges in brackets. "
               f"A share needs at least {limits.min_group} invitations (or tickets); a channel whose tickets come "
               f"from fewer than {limits.min_analysts} analysts, or that would give such a channel away, shows "
               "only its closed tickets.")
    rows = [{"Channel": CHANNEL_LABELS.get(r["channel"], r["channel"]),
             "Invited": _count(r["invited"]), "Answered": _count(r["answered"]),
             "Answered / invited": _pct(r["survey_rate"], r["survey_low"], r["survey_high"]),
             "Closed tickets": _count(r["closed"]), "Responses": _count(r["responses"]),
             "Responses / closed": _pct(r["response_rate"], r["response_low"], r["response_high"])}
            for r in table.iter_rows(named=True)]
    st.dataframe(pl.DataFrame(rows), hide_index=True, width="stretch")
