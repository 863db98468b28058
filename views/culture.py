"""The Culture trends read model: scoped GROUP BY reads → metrics → disclosure control → `CultureReport`.

Serves the CIO (whole organisation) and a lead looking at their teams the same way: teams and
slices only, no names, every cell through `views.disclosure`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from components.formats import CHANNEL_LABELS, TICKET_TYPE_LABELS  # plain formats, the one home of display names
from data_access.config import thresholds
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import lost_histogram, ticket_stats
from data_access.trends import (analyst_weeks, calibration_inputs, culture_counts,
                                experience_stats, factor_counts, service_names, team_names)
from metrics.culture import Headline, Rate, calibration_counts, factor_changes, headline, rate, totals
from metrics.hotspots import impact_within
from metrics.lost_time import LostTime, pareto_share
from metrics.trends import PeriodChange
from metrics.watermelon import WatermelonShare, watermelon_share
from views import culture_links as links
from views import culture_sections as sections
from views import culture_threeway as threeway
from views.culture_cells import CellReads, cell_reads, distinct
from views.disclosure import Disclosure, released

FINE_GRAIN = ("month", "team_id", "channel", "ticket_type", "sla_met")
SLICE_DIMENSIONS = {"team_ids": "team_id", "service_ids": "service_id", "channels": "channel",
                    "ticket_types": "ticket_type", "priorities": "priority"}


@dataclass(frozen=True)
class CultureReport:
    """Everything the culture-trends page shows, computed from a handful of GROUP BY reads.

    `withheld` says why the selection shows no figures at all (too small, or too close to a
    neighbouring selection); `headline.n` is then the only number.
    """

    headline: Headline
    kudos: Rate
    kudos_given: int | None
    recovery: Rate
    participation: Rate | None
    trend: pl.DataFrame
    compare: dict[str, pl.DataFrame]
    mood_mix: pl.DataFrame
    watermelon: WatermelonShare
    watermelon_trend: pl.DataFrame
    hotspots: pl.DataFrame
    factors: pl.DataFrame
    reassignment: pl.DataFrame
    lost_by_channel: pl.DataFrame
    lost_by_service: pl.DataFrame
    pareto: float | None
    calibration: pl.DataFrame
    teams: pl.DataFrame
    key: tuple = ()
    """What the report was computed for (scope, filters, url): identifies it in derived caches."""
    withheld: str | None = None
    recovery_since: dt.date | None = None
    """When recovery tracking began (the first import of answers); None: every item counts."""

    @property
    def is_empty(self) -> bool:
        return self.headline.n == 0


def _blank_report(n: int, key: tuple, withheld: str | None) -> CultureReport:
    empty = pl.DataFrame()
    nothing = rate(0, 0)
    change = PeriodChange(None, None, None, None, n, 0)
    head = Headline(n, None, None, change, Rate(None, n, None, None, None), LostTime(None, None, 0), 0, nothing)
    return CultureReport(head, nothing, None, nothing, None, empty, {}, empty, watermelon_share(0, 0), empty,
                         empty, empty, empty, empty, empty, None, empty, empty, key=key, withheld=withheld)


def lifted(filters: Filters) -> list[tuple[Filters, str, tuple]]:
    """Per filter in use: the link with that filter lifted, the filter's dimension and the values chosen."""
    return [(replace(filters, **{field: ()}), dim, chosen) for field, dim in SLICE_DIMENSIONS.items()
            if (chosen := getattr(filters, field))]


def _differs_from_a_neighbour(gate: Disclosure, scope: Scope, filters: Filters, url: str | None,
                              people: pl.DataFrame, reads: CellReads | None = None) -> bool:
    """Whether a link with one filter changed would differ from this one by a group below the minimum.
    With `reads` (the period's cells), each wider link's groups are summed from its cells, which
    the cell checks read anyway."""
    for wider, key, chosen in lifted(filters):
        parts = (reads.distinct(wider, ["week", key], key == "priority") if reads is not None
                 else experience_stats(scope=scope, filters=wider, by=("week", key), url=url))
        if any(gate.neighbour_gap(week, key, chosen) for week in parts.partition_by("week")):
            return True  # each week too: links of other periods subtract to it
    return gate.period_gap(distinct(people, ["week"]))


def _cell_gaps(gate: Disclosure, keys: tuple[str, ...], reads: CellReads, filters: Filters) -> set[tuple]:
    """Cells (tuples of `keys` values) that a neighbouring link would split a small group off.

    From the cells of `filters` and of each link with one filter lifted (`lifted`): for each
    filter in use, the cell's values of that dimension (each week); for the period, the cell's
    weeks — with exact distinct analysts. A filter on one of the cell's own keys cannot split it.
    """
    weeks = reads.distinct(filters, [*keys, "week"])
    if keys == ("service_id", "channel") and weeks.height:  # hotspots break ties in impact order: each week too
        weeks = weeks.join(impact_within(reads.experience(filters, (*keys, "week")), keys=list(keys), by="week"),
                           on=[*keys, "week"], how="left")
    return gate.split_cells(keys, [(reads.distinct(wider, [*keys, "week", dim], dim == "priority"), dim, chosen)
                                   for wider, dim, chosen in lifted(filters) if dim not in keys], weeks)


def announce(reads: CellReads, filters: Filters, kinds: tuple[tuple[str, ...], ...],
             also: tuple[tuple[str, ...], ...] = ()) -> None:
    """Tell `reads` which groupings `_cell_gaps` of `kinds` (and the caller: `also`) will ask for."""
    reads.want(filters, [*also, *[(*k, "week") for k in kinds]])
    for wider, dim, _ in lifted(filters):
        reads.want(wider, [("week", dim), *[(*k, "week", dim) for k in kinds if dim not in k]], dim == "priority")


def _guarded_headline(gate: Disclosure, now: dict, before: dict, tickets: int) -> Headline:
    """Headline figures; the change vs before only when both periods pass."""
    head = headline(now, before, tickets)
    if gate.comparable((now.get("n", 0), now.get("analysts", 0)), (before.get("n", 0), before.get("analysts", 0))):
        return head
    change = PeriodChange(head.change.current, None, None, None, head.change.current_n, head.change.previous_n)
    return replace(head, change=change)


def _before(gate: Disclosure, scope: Scope, filters: Filters, url: str | None, before: dict,
            people: pl.DataFrame) -> dict:
    """The period before, for comparisons: its analysts count drops to 0 (so no change is shown)
    when a neighbouring link's period before would differ from it by a small group — the change
    reveals the figure before just as the headline reveals the figure now. (`before`'s analysts:
    the largest team's, a lower bound; `people`: `analyst_weeks` of the period before.)"""
    if gate.allows(before.get("n", 0), before.get("analysts", 0)):
        if people.is_empty() or _differs_from_a_neighbour(gate, scope, filters.previous(), url, people):
            return dict(before, analysts=0)
    return before


def _team_before_gaps(gate: Disclosure, scope: Scope, filters: Filters, url: str | None,
                      people: pl.DataFrame) -> set[tuple]:
    """Teams whose cell in the period before a neighbouring link's period before would split off a
    small group (a team's change reveals its figure before): per filter in use, that filter lifted
    in the period before (by team and the filter's dimension), and the weeks of the period before."""
    earlier = filters.previous()
    lifted = [(experience_stats(scope=scope, filters=replace(earlier, **{field: ()}), by=("team_id", "week", dim),
                                url=url),
               dim, chosen) for field, dim in SLICE_DIMENSIONS.items()
              if dim != "team_id" and (chosen := getattr(filters, field))]
    return gate.split_cells(["team_id"], lifted, distinct(people, ["team_id", "week"]))


def _before_checks(gate: Disclosure, scope: Scope, filters: Filters, url: str | None, reads: CellReads,
                   whole: dict, by_team: pl.DataFrame, people: pl.DataFrame) -> tuple[dict, set[tuple]]:
    """The period before's totals (analysts 0: no change shown) and the teams whose change goes.

    Besides its own neighbouring links (`_before`, `_team_before_gaps`), the period before must not
    hold part of a block a wider link hides in that period (`links.carried`): its change would give
    that part away just as the selection's figures would."""
    before = _before(gate, scope, filters, url, whole, people)
    gaps = _team_before_gaps(gate, scope, filters, url, people)
    if people.is_empty():
        return before, gaps
    earlier = carried(gate, filters.previous(), reads)
    if earlier is None:
        return dict(before, analysts=0), gaps | {(team,) for team in by_team["team_id"].to_list()}
    # A team row the period before hides (a wider link's block, or a cell of the service × channel ×
    # team pattern) loses its change: the change gives that row's figure before away.
    return before, gaps | earlier.get(("team_id",), set())


def _recovery(gate: Disclosure, counts: dict) -> Rate:
    """Recovery contacts in time: a rate over at least `min_group` recovery items, else no figure."""
    due = counts["recovery_due"]
    if due < gate.min_group:
        return Rate(None, due, None, None, None)
    return rate(counts["recovery_in_time"], due)


def _factors(gate: Disclosure, raw: pl.DataFrame, head: Headline, before: dict) -> pl.DataFrame:
    """Factor shares now (the selection passed), and before / change only when the previous period passes."""
    factors = factor_changes(raw, current_n=head.n, previous_n=int(before.get("n", 0)))
    if not gate.allows(before.get("n", 0), before.get("analysts", 0)):
        factors = factors.with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("previous_share", "change_pp"))
        factors = factors.drop("previous", strict=False)
    return factors.with_columns(pl.lit(head.n).alias("n"))


def org_calibration(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """Per CARE dimension, counts of analysts in blind spot / aligned / hidden strength — unnamed.

    Self = latest self-assessment; customers = their ratings in the period, shrunk toward the
    team. A dimension with fewer analysts than the larger of `min_group` and `min_analysts`
    comes back suppressed (no counts): aggregates of self-views only for groups of 5 up.
    """
    limits = thresholds()
    rows = calibration_inputs(scope=scope, filters=filters, url=url)
    # The analyst id only served the join inside the reader: it is dropped before any counting.
    return calibration_counts(rows.drop("analyst_id", strict=False), min_responses=limits.min_responses,
                              min_analysts=max(limits.min_group, limits.min_analysts))


def culture_report(*, scope: Scope, filters: Filters, url: str | None = None) -> CultureReport:
    """The culture-trends figures for `filters`, within `scope` (CIO: organisation; lead: their teams)."""
    people = analyst_weeks(scope=scope, filters=filters, url=url)
    return report_from(scope, filters, url, people, cell_reads(scope, url))


REPORT_GROUPINGS = (FINE_GRAIN, ("sla_met",), ("service_id", "channel"), ("reassignment_count",), ("channel",),
                    ("service_id",), ("team_id",), ("month", "ticket_type"), ("month", "channel"),
                    ("month", "team_id"), ("service_id", "channel", "week"))
"""The groupings of the period's cells `_full_report` sums (besides those of the cell checks)."""


def report_from(scope: Scope, filters: Filters, url: str | None, people: pl.DataFrame,
                reads: CellReads, also: tuple[tuple[str, ...], ...] = ()) -> CultureReport:
    """`culture_report` from `analyst_weeks` of `filters` and the cells `reads` (shared with a
    caller that groups the same cells further: `also`, the groupings it will ask for)."""
    gate = Disclosure.for_scope(scope)
    key = (scope, filters, url)
    if people.is_empty():
        return _blank_report(0, key, None)
    n = int(people["n"].sum())
    if not gate.allows(n, people["analyst_id"].n_unique()):
        return _blank_report(n, key, "small")
    announce(reads, filters, CELL_KINDS, (*REPORT_GROUPINGS, *also))
    threeway.announce(reads, filters)
    if _differs_from_a_neighbour(gate, scope, filters, url, people, reads):
        return _blank_report(n, key, "neighbour")
    inherited = carried(gate, filters, reads)
    if inherited is None:
        return _blank_report(n, key, "complement")
    return _full_report(gate, scope, filters, url, people, reads, inherited)


CELL_KINDS = (("month",), ("team_id",), ("month", "ticket_type"), ("month", "channel"), ("month", "team_id"),
              ("month", "sla_met"), ("sla_met",), ("service_id", "channel"), ("channel",), ("service_id",),
              ("reassignment_count",))
"""Every kind of cell the page shows below the selection: each is checked against neighbouring links."""


def carried(gate: Disclosure, filters: Filters, reads: CellReads) -> links.Gaps | None:
    """`links.carried` for the link `filters`, each wider link's own gaps worked out as its page
    would (`_all_gaps`): what that link must hide for its wider links' sake, or None (withheld)."""
    return links.carried(gate, filters, reads, lambda wider: _all_gaps(gate, wider, reads, links.PARENT_KINDS))


def _all_gaps(gate: Disclosure, filters: Filters, reads: CellReads,
              kinds: tuple[tuple[str, ...], ...] = CELL_KINDS) -> dict[tuple[str, ...], set[tuple]]:
    """For every kind of cell (`kinds`), the cells a neighbouring link would split: one read of
    cells for the selection and one per filter in use (that filter lifted)."""
    announce(reads, filters, kinds)
    return {keys: _cell_gaps(gate, keys, reads, filters) for keys in kinds}


def _period_before(gate: Disclosure, scope: Scope, filters: Filters,
                   url: str | None) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """The period of equal length just before: its per-team figures, who answered when in it (read
    only when some change could be shown at all) and the whole period's figures (`_before_checks`
    decides what of them may be shown)."""
    by_team_before = experience_stats(scope=scope, filters=filters.previous(), by=("team_id",), url=url)
    whole_before = totals(by_team_before)
    people_before = (analyst_weeks(scope=scope, filters=filters.previous(), url=url)
                     if gate.allows(whole_before.get("n", 0), whole_before.get("analysts", 0))
                     or any(gate.allows(n, a) for n, a in by_team_before.select("n", "analysts").iter_rows())
                     else pl.DataFrame(schema={"week": pl.Date, "team_id": pl.Int64, "analyst_id": pl.Int64,
                                               "n": pl.Int64}))
    return by_team_before, people_before, whole_before


def _compare(gate: Disclosure, reads: CellReads, filters: Filters, gaps: dict, cur: pl.DataFrame,
             teams: dict) -> dict[str, pl.DataFrame]:
    """The monthly lines by ticket type, channel and team, each checked against its own links."""
    return {
        "Ticket type": _series(links.monthly_series(gate, reads, filters, "ticket_type", gaps, cur), "ticket_type",
                               TICKET_TYPE_LABELS),
        "Channel": _series(links.monthly_series(gate, reads, filters, "channel", gaps, cur), "channel", CHANNEL_LABELS),
        "Team": _series(links.monthly_series(gate, reads, filters, "team_id", gaps, cur), "team_id", teams),
    }


def _full_report(gate: Disclosure, scope: Scope, filters: Filters, url: str | None,
                 people: pl.DataFrame, reads: CellReads, inherited: links.Gaps) -> CultureReport:
    cur = reads.experience(filters, FINE_GRAIN)
    now = dict(totals(cur), analysts=people["analyst_id"].n_unique())
    by_sla = reads.experience(filters, ("sla_met",))
    by_team_before, people_before, whole_before = _period_before(gate, scope, filters, url)
    before, before_gaps = _before_checks(gate, scope, filters, url, reads, whole_before, by_team_before,
                                         people_before)
    closed = ticket_stats(scope=scope, filters=filters, by=("team_id", "service_id", "channel"), url=url)
    head = _guarded_headline(gate, now, before, int(closed["tickets"].sum()) if closed.height else 0)
    teams = dict(team_names(scope=scope, url=url).iter_rows())
    services = dict(service_names(url=url).iter_rows())
    counts = culture_counts(scope=scope, filters=filters, url=url)
    participation = (rate(counts["self_assessed"], counts["active_analysts"])
                     if counts["active_analysts"] >= thresholds().min_analysts else None)
    cells = reads.experience(filters, ("service_id", "channel"))
    gaps = _all_gaps(gate, filters, reads)
    for kind, cells_hidden in inherited.items():  # what a wider link hides stays hidden here
        gaps[kind] = gaps[kind] | cells_hidden
    gaps[("month", "sla_met")] |= {(month, met) for (month,) in inherited.get(("month",), set())
                                   for met in (True, False)}  # a month hidden is hidden in the watermelon too
    mood_mix, sla_groups = sections.mood(gate, by_sla, gaps=gaps[("sla_met",)])
    met = sla_groups.filter(pl.col("sla_met").fill_null(False) & ~pl.col("suppressed").fill_null(False))
    watermelon = (watermelon_share(int(now["sla_met_unhappy"]), int(now["sla_met_n"])) if met.height
                  else WatermelonShare(None, None, None, int(now["sla_met_n"])))  # withheld: n only
    month_gaps = gaps[("month",)]
    return CultureReport(
        headline=head,
        kudos=rate(counts["kudos"], counts["happy_responses"]),
        kudos_given=counts["kudos"],
        recovery=_recovery(gate, counts),
        recovery_since=(dt.date.fromordinal(counts["recovery_tracking_since"])
                        if counts.get("recovery_tracking_since") else None),
        participation=participation,
        trend=sections.monthly(gate, cur, gaps=month_gaps, exact=distinct(people, ["month"])),
        compare=_compare(gate, reads, filters, gaps, cur, teams),
        mood_mix=mood_mix,
        watermelon=watermelon,
        watermelon_trend=sections.watermelon_months(gate, cur, gaps=gaps[("month", "sla_met")]),
        hotspots=sections.hotspots(gate, cells, services, CHANNEL_LABELS, gaps=gaps[("service_id", "channel")]),
        factors=_factors(gate, factor_counts(scope=scope, filters=filters, url=url), head, before),
        reassignment=sections.reassignment(
            gate, reads.experience(filters, ("reassignment_count",)),
            gaps=gaps[("reassignment_count",)]),
        lost_by_channel=_series(sections.lost(gate, links.table_frame(reads, filters, ("channel",)), closed,
                                              "channel", gaps=gaps[("channel",)]), "channel",
                                CHANNEL_LABELS, "channel_label"),
        lost_by_service=_series(sections.lost(gate, links.table_frame(reads, filters, ("service_id",)), closed,
                                              "service_id", gaps=gaps[("service_id",)]),
                                "service_id", services, "service"),
        pareto=pareto_share(lost_histogram(scope=scope, filters=filters, url=url)),
        calibration=org_calibration(scope=scope, filters=filters, url=url),
        teams=sections.teams(gate, links.table_frame(reads, filters, ("team_id",)),
                             by_team_before, closed, teams, gaps=gaps[("team_id",)],
                             before_gaps=before_gaps),
        key=(scope, filters, url),
    )


def _series(frame: pl.DataFrame, key: str, names: dict, column: str = "series") -> pl.DataFrame:
    """Name a key column for display (unknown ids keep their number as text)."""
    if frame.is_empty():
        return released(frame)
    return released(frame).with_columns(pl.col(key).replace_strict(names, default=None, return_dtype=pl.String)
                                        .fill_null(pl.col(key).cast(pl.String)).alias(column))
