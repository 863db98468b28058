"""One analyst on the Coaching page (`AnalystDetail`): figures against the team, trend, CARE,
talking points, perception gap, factors and the unhappy answers that were not only theirs.

The analyst is checked once per render (`coaching.check_analyst`, the who-may-see-whom rule);
every read after it is narrowed to the analyst's home team and carries the rule in SQL as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from data_access import coaching as reads
from data_access.coaching_analyst import factor_counts, factor_evidence, unhappy_context
from data_access.config import thresholds
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.scoping import within_team
from data_access.self_assessments import shared_self_assessment
from data_access.stats import response_stats
from metrics import CARE_NAMES, PeriodChange, period_change, shrink_happiness, with_care_means, with_happiness
from metrics.coaching import TalkingPoint, care_gaps, customer_percentiles, talking_points, with_shrunk_care

CARE_LABELS = {"communication": "Communication", "application": "Application",
               "resolution": "Resolution", "expectation": "Expectation"}
TREND_SCHEMA = {"month": pl.Date, "who": pl.String, "n": pl.Int64, "happiness": pl.Float64,
                "margin": pl.Float64, "happiness_low": pl.Float64, "happiness_high": pl.Float64}


@dataclass(frozen=True)
class PerceptionGap:
    """The analyst's shared self-assessment against customers' shrunk means: dimension,
    self_rating, customer_mean, gap, label (CARE first), and the team percentile per CARE dimension."""

    shared_on: dt.datetime
    gaps: pl.DataFrame
    percentiles: dict[str, float]


@dataclass(frozen=True)
class AnalystDetail:
    """Everything the Analyst tab shows about one analyst in one period."""

    analyst: dict                 # analyst_id, name, team_id, team_name, active
    min_responses: int
    totals: dict                  # the analyst's summed statistics in the period
    team_totals: dict             # the home team's
    headline: dict                # the analyst's Happiness, margin, n
    team_headline: dict
    change: PeriodChange          # against the period of equal length before
    previous_n: int
    shrunk: dict | None           # the analyst's row with shrunk Happiness and CARE means
    trend: pl.DataFrame           # month, who (Analyst / Team), n, happiness, margin, low, high
    care: pl.DataFrame            # dimension, who, mean, low, high, n
    factors: pl.DataFrame         # every catalogue factor with analyst_count, team_count
    factor_shares: pl.DataFrame   # factors named at all, with analyst_share and team_share in %
    points: tuple[TalkingPoint, ...]
    perception: PerceptionGap | None   # None while the analyst keeps their self-assessment private
    context: pl.DataFrame         # unhappy answers on reassigned or reopened tickets

    @property
    def enough(self) -> bool:
        return self.totals["n"] >= self.min_responses

    @property
    def change_shown(self) -> bool:
        """A change is shown only when both periods have enough responses."""
        return self.enough and self.previous_n >= self.min_responses and self.change.change is not None

    @property
    def lost_minutes(self) -> float | None:
        """Mean lost minutes per answer that estimated them, from `min_responses` such answers."""
        lost_n = self.totals["lost_n"]
        return self.totals["lost_sum"] / lost_n if lost_n and lost_n >= self.min_responses else None


def _total(frame: pl.DataFrame, sums: list[str]) -> dict:
    if frame.is_empty():
        return {c: 0 for c in sums}
    return frame.select(pl.col(sums).sum()).row(0, named=True)


def monthly_stats(*, team: Scope, analyst_id: int, filters: Filters, url: str | None = None
                  ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the analyst's monthly statistics, their home team's) in the period; `team` is the lead's
    scope narrowed to the analyst's home team (`scoping.within_team`)."""
    frame = response_stats(scope=team, filters=Filters(filters.start, filters.end), by=("month", "analyst_id"),
                           url=url)
    mine = frame.filter(pl.col("analyst_id") == analyst_id).drop("analyst_id")
    sums = [c for c in frame.columns if c not in ("month", "analyst_id")]
    return mine, frame.group_by("month").agg(pl.col(sums).sum()).sort("month")


FIGURES = ("happiness", "margin", "happiness_low", "happiness_high")


def trend_frame(mine: pl.DataFrame, team: pl.DataFrame, min_responses: int) -> pl.DataFrame:
    """Monthly Happiness with its interval for the analyst and the team, stacked in one long frame;
    an analyst's month under `min_responses` answers keeps its n only (a person's figure is shown
    from that many, per month as for the period: docs/PRIVACY.md)."""
    parts = []
    for who, frame in (("Analyst", mine), ("Team", team)):
        if frame.is_empty():
            continue
        part = with_happiness(frame).select("month", pl.lit(who).alias("who"), "n", *FIGURES)
        if who == "Analyst":
            part = part.with_columns(pl.when(pl.col("n") >= min_responses).then(pl.col(c)).alias(c) for c in FIGURES)
        parts.append(part)
    return pl.concat(parts) if parts else pl.DataFrame(schema=TREND_SCHEMA)


def care_profile(analyst: dict, team: dict, min_responses: int) -> pl.DataFrame:
    """Long frame: dimension, who, mean, low, high, n — the analyst's and the team's CARE means; an
    analyst's dimension with fewer than `min_responses` ratings keeps its n only."""
    rows = []
    for who, totals in (("Analyst", analyst), ("Team", team)):
        means = with_care_means(pl.DataFrame([totals]).select(
            [f"{d}_{s}" for d in CARE_NAMES for s in ("n", "sum", "sumsq")])).row(0, named=True)
        for d in CARE_NAMES:
            n = int(means[f"{d}_n"])
            shown = who == "Team" or n >= min_responses
            rows.append({"dimension": CARE_LABELS[d], "who": who, "n": n,
                         **{k: means[f"{d}_{k}"] if shown else None for k in ("mean", "low", "high")}})
    return pl.DataFrame(rows, schema={"dimension": pl.String, "who": pl.String, "mean": pl.Float64,
                                      "low": pl.Float64, "high": pl.Float64, "n": pl.Int64})


def factor_frame(counts: pl.DataFrame, analyst_n: int, team_n: int) -> pl.DataFrame:
    """Share of responses naming each factor, for the analyst and the team (only factors named)."""
    return (counts.filter((pl.col("analyst_count") > 0) | (pl.col("team_count") > 0))
            .with_columns((100.0 * pl.col("analyst_count") / max(analyst_n, 1)).alias("analyst_share"),
                          (100.0 * pl.col("team_count") / max(team_n, 1)).alias("team_share")))


def perception_gap(shared, me: dict | None, members: pl.DataFrame, analyst_id: int,
                   min_responses: int) -> PerceptionGap | None:
    """Self-ratings against the customers' shrunk means, CARE dimensions first; None when private."""
    if shared is None:
        return None
    gaps = care_gaps(shared.ratings, {d: (me or {}).get(f"{d}_shrunk") for d in CARE_NAMES})
    order = list(CARE_NAMES) + [d for d in gaps["dimension"].to_list() if d not in CARE_NAMES]
    gaps = gaps.with_columns(pl.col("dimension").replace_strict(
        {d: i for i, d in enumerate(order)}, return_dtype=pl.Int64).alias("_o")).sort("_o").drop("_o")
    return PerceptionGap(shared.submitted_at, gaps,
                         customer_percentiles(members, analyst_id, min_responses=min_responses))


def analyst_detail(*, scope: Scope, analyst_id: int, filters: Filters, phrase: str,
                   url: str | None = None) -> AnalystDetail:
    """The Analyst tab's figures for one analyst of the lead's teams in `filters`' period;
    `phrase` words the period in talking points ('in the last 90 days')."""
    analyst = reads.check_analyst(scope, analyst_id, url)  # the one check of this render
    team = within_team(scope, analyst["team_id"])
    min_n = thresholds().min_responses
    mine, team_months = monthly_stats(team=team, analyst_id=analyst_id, filters=filters, url=url)
    previous, _ = monthly_stats(team=team, analyst_id=analyst_id, filters=filters.previous(), url=url)
    sums = [c for c in mine.columns if c != "month"]
    totals, team_totals, prev_totals = (_total(f, sums) for f in (mine, team_months, previous))
    members = with_shrunk_care(response_stats(scope=team, filters=Filters(filters.start, filters.end),
                                              by=("analyst_id",), url=url))
    members = shrink_happiness(members) if not members.is_empty() else members
    me = members.filter(pl.col("analyst_id") == analyst_id)
    me_row = me.row(0, named=True) if me.height else None
    counts = factor_counts(scope=scope, analyst_id=analyst_id, team_id=analyst["team_id"], filters=filters,
                           url=url)
    evidence = factor_evidence(scope=scope, analyst_id=analyst_id, filters=filters, url=url)
    shared = shared_self_assessment(scope=scope, analyst_id=analyst_id, url=url)
    return AnalystDetail(
        analyst=analyst, min_responses=min_n, totals=totals, team_totals=team_totals,
        headline=with_happiness(pl.DataFrame([totals])).row(0, named=True),
        team_headline=with_happiness(pl.DataFrame([team_totals])).row(0, named=True),
        change=period_change(totals, prev_totals), previous_n=int(prev_totals["n"]),
        shrunk=me_row, trend=trend_frame(mine, team_months, min_n), care=care_profile(totals, team_totals, min_n),
        factors=counts, factor_shares=factor_frame(counts, int(totals["n"]), int(team_totals["n"])),
        points=tuple(talking_points(counts, evidence, period_label=phrase)),
        perception=perception_gap(shared, me_row, members, analyst_id, min_n),
        context=unhappy_context(scope=scope, analyst_id=analyst_id, filters=filters, url=url),
    )


def follow_ups(*, scope: Scope, analyst_id: int, today: dt.date, now: dt.datetime,
               url: str | None = None) -> tuple[str, ...]:
    """Open follow-ups for the 1:1 brief: coaching notes due from today, then the analyst's open
    recovery calls of the last 90 days with their due times (the rule of `data_access.recovery`)."""
    notes = reads.coaching_notes(scope=scope, analyst_id=analyst_id, url=url)
    items = [f"Follow-up on {r['follow_up_on']:%-d %b %Y}: {r['body']}"
             for r in notes.filter(pl.col("follow_up_on") >= today).sort("follow_up_on").iter_rows(named=True)]
    settings = reads.recovery_settings(url=url)
    queue, total, _ = reads.recovery_queue(scope=scope, threshold=settings.threshold,
                                           since=dt.datetime.combine(today - dt.timedelta(days=89), dt.time()),
                                           now=now, target_hours=settings.target_hours, analyst_id=analyst_id,
                                           url=url)
    items += [f"Recovery call for {r['ticket_id']} (score {r['happiness']}, due {r['due_at']:%-d %b, %H:%M})"
              for r in queue.iter_rows(named=True)]
    if total > queue.height:
        items.append(f"… and {total - queue.height} more open recovery items")
    return tuple(items)
