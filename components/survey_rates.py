"""Culture trends: survey response rate per channel (answered / invited) next to the older
responses / closed tickets. Render only; the counts come from data_access.surveys.rates."""

from __future__ import annotations

import polars as pl
import streamlit as st

from components.formats import CHANNEL_LABELS
from data_access.config import thresholds
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.surveys.rates import channel_rate_report


def _pct(share, low, high) -> str:
    if share is None:
        return "too few"
    return f"{100 * share:.0f}% ({100 * low:.0f}–{100 * high:.0f}%)"


def survey_rate_section(scope: Scope, filters: Filters) -> None:
    """A small table per channel; nothing when no invitation was sent in the period."""
    table = channel_rate_report(scope=scope, filters=filters)
    if table.is_empty() or int(table["invited"].max() or 0) == 0:
        return
    st.subheader("Survey response rate")
    st.caption("Answered / invited counts the survey emails Service Pulse sent for tickets closed in the period. "
               "Responses / closed tickets counts every answer, imported ones included. 95% ranges in brackets; "
               "channels with fewer than "
               f"{thresholds().min_group} invitations or tickets show no share.")
    shown = table.select(
        pl.col("channel").replace(CHANNEL_LABELS).alias("Channel"),
        pl.col("invited").alias("Invited"), pl.col("answered").alias("Answered"),
        pl.struct("survey_rate", "survey_low", "survey_high").alias("s"),
        pl.col("closed").alias("Closed tickets"), pl.col("responses").alias("Responses"),
        pl.struct("response_rate", "response_low", "response_high").alias("r"))
    rows = [{**{k: v for k, v in row.items() if k not in ("s", "r")},
             "Answered / invited": _pct(*row["s"].values()), "Responses / closed": _pct(*row["r"].values())}
            for row in shown.iter_rows(named=True)]
    st.dataframe(pl.DataFrame(rows).select("Channel", "Invited", "Answered", "Answered / invited",
                                           "Closed tickets", "Responses", "Responses / closed"),
                 hide_index=True, width="stretch")
