"""Read model of the Culture trends survey-rate table: counts per channel → rates with intervals
→ disclosure control (a channel's figures leave only when its tickets come from enough analysts
and enough tickets, with complementary suppression against the total row)."""

from __future__ import annotations

import polars as pl

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.surveys.rates import channel_rates
from metrics.survey_rates import channel_rate_table
from views.disclosure import Disclosure, hidden_keys

FIGURES = ("responses", "invited", "answered", "survey_rate", "survey_low", "survey_high",
           "response_rate", "response_low", "response_high")


def channel_rate_report(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """One row per channel and an "All channels" row; a withheld channel keeps only its number
    of closed tickets. No distinct-analyst counts leave this function."""
    gate = Disclosure.for_scope(scope)
    counts = channel_rates(scope=scope, filters=filters, url=url)
    hidden = hidden_keys(gate, counts.rename({"closed": "n"}), "channel") if counts.height else set()
    table = channel_rate_table(counts.drop("analysts"), min_n=gate.min_group)
    withheld = pl.col("channel").is_in(list(hidden))
    return table.with_columns(pl.when(withheld).then(None).otherwise(pl.col(c)).alias(c) for c in FIGURES)
