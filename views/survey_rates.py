"""Read model of the Culture trends survey-rate table: counts per channel → rates with intervals
→ disclosure control (a channel's figures leave only when its tickets come from enough analysts
and enough tickets, when no neighbouring link would split it, with complementary suppression
against the total row)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.surveys.rates import channel_rates
from metrics.survey_rates import channel_rate_table
from views.disclosure import Disclosure, hidden_keys

FIGURES = ("responses", "invited", "answered", "survey_rate", "survey_low", "survey_high",
           "response_rate", "response_low", "response_high")
SLICES = {"team_ids": "team_id", "service_ids": "service_id", "ticket_types": "ticket_type",
          "channels": "channel"}


def _split_channels(gate: Disclosure, scope: Scope, filters: Filters, url: str | None) -> tuple[set, bool]:
    """Channels a neighbouring link (one filter value more or less, a week more or less at either
    end) would split a small group of tickets off, and whether the total row would be split."""
    def read(f: Filters, by: tuple[str, ...]) -> pl.DataFrame:
        return channel_rates(scope=scope, filters=f, by=by, url=url).rename({"closed": "n"})

    lifted = [(read(replace(filters, **{field: ()}), (dim,) if dim != "channel" else ()), dim, chosen)
              for field, dim in SLICES.items() if (chosen := getattr(filters, field))]
    weeks = read(filters, ("week",))
    per_channel = [(frame, dim, chosen) for frame, dim, chosen in lifted if dim != "channel"]
    split = {channel for (channel,) in gate.split_cells(["channel"], per_channel, weeks)}
    whole = [(frame.group_by(dim).agg(pl.col("n").sum(), pl.col("analysts").max()), dim, chosen)
             for frame, dim, chosen in lifted]  # the total row: analysts a lower bound
    whole_weeks = weeks.group_by("week").agg(pl.col("n").sum(), pl.col("analysts").max())
    total = (any(gate.neighbour_gap(frame, dim, chosen) for frame, dim, chosen in whole)
             or gate.period_gap(whole_weeks))
    return split, total


def _hidden_channels(gate: Disclosure, scope: Scope, filters: Filters, url: str | None,
                     counts: pl.DataFrame) -> tuple[set, bool]:
    """The channels whose figures the link `filters` hides, and whether it
    withholds the whole table (its total row could be subtracted)."""
    if not counts.height:
        return set(), False
    split, total_split = _split_channels(gate, scope, filters, url)
    return hidden_keys(gate, counts.rename({"closed": "n"}), "channel", also=split), total_split


def _carried(gate: Disclosure, scope: Scope, filters: Filters, url: str | None) -> set | None:
    """The channels a link on some channels must hide because the link without the channel filter
    hides them, or None when the link holds part, not all, of those (then its table is withheld:
    its total would single out part of the hidden block). See `views.culture_links`."""
    if not filters.channels:
        return set()
    wider = replace(filters, channels=())
    counts = channel_rates(scope=scope, filters=wider, url=url)
    hidden, withheld = _hidden_channels(gate, scope, wider, url, counts)
    if withheld:  # the wider link shows no figure of this table at all
        return set()
    hidden &= set(counts.filter(pl.col("closed") > 0)["channel"].to_list())
    inside = {channel for channel in hidden if channel in filters.channels}
    return None if inside and inside != hidden else inside


def channel_rate_report(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """One row per channel and an "All channels" row; a withheld channel keeps only its number
    of closed tickets. No distinct-analyst counts leave this function."""
    gate = Disclosure.for_scope(scope)
    counts = channel_rates(scope=scope, filters=filters, url=url)
    hidden, total_split = _hidden_channels(gate, scope, filters, url, counts)
    carried = _carried(gate, scope, filters, url) if counts.height else set()
    if carried:  # what the wider link hides stays hidden here, with complementary suppression again
        hidden = hidden_keys(gate, counts.rename({"closed": "n"}), "channel", also=hidden | carried)
    table = channel_rate_table(counts.drop("analysts"), min_n=gate.min_group)
    # When the total itself could be subtracted, or part of a wider link's hidden block singled
    # out, no row may show a figure.
    withheld = pl.lit(True) if total_split or carried is None else pl.col("channel").is_in(list(hidden))
    return table.with_columns(pl.when(withheld).then(None).otherwise(pl.col(c)).alias(c) for c in FIGURES)
