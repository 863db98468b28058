"""The My feedback read model: the signed-in analyst's own rows → metrics → the peer band rule → figures.

One entry point per part of the page, so a tab computes only what it shows: `my_figures` (own
tiles, the team's spread and CARE profile), `my_trend`, `self_view_for` (`SelfView`: self vs
customers, ranks, how the gap moved), `competency_evidence`, `my_recognition` (kudos, shared notes,
open recovery items worded by `data_access.recovery`), plus the comments page and the download,
which are plain reads.

Colleagues' statistics arrive from `data_access.my_feedback` per team member with their analyst
id; `_anonymous` swaps the id for an `is_own` flag and an opaque member number before any formula
sees them, and only what `views.disclosure.PeerBand` lets through leaves: quartiles in whole
points over enough colleagues, the analyst's own values and percentiles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from data_access import clock, stats
from data_access import my_feedback as data
from data_access.filters import Filters
from data_access.my_feedback import SCORE_BANDS, my_responses_export, my_verbatims  # noqa: F401 (plain reads)
from data_access.recovery import analyst_status_expr
from data_access.scope import Scope
from data_access.self_assessments import SelfAssessment, assessments_from_history, self_assessment_history
from metrics import CARE_DIMENSIONS, CARE_NAMES, periods, self_view, with_care_means, with_happiness
from views.disclosure import PeerBand

TREND_MONTHS = 12
GAP_WINDOW_MONTHS = 3
STATEMENTS = {d.name: d.statement for d in CARE_DIMENSIONS}


def _anonymous(frame: pl.DataFrame, analyst_id: int) -> pl.DataFrame:
    """Replace analyst ids by an `is_own` flag and an opaque member number (never returned)."""
    if frame.is_empty():
        return frame.drop("analyst_id").with_columns(pl.lit(False).alias("is_own"),
                                                      pl.lit(0, pl.Int64).alias("member"))
    return frame.with_columns(
        (pl.col("analyst_id") == analyst_id).alias("is_own"),
        pl.col("analyst_id").rank("dense").cast(pl.Int64).alias("member"),
    ).drop("analyst_id")


# --- which months are read, and how one scan serves the landing view ----------------------------

def trend_window(months: int = TREND_MONTHS) -> Filters:
    """The last `months` calendar months up to today (inclusive), as `metrics.periods` counts them."""
    today = clock.today()
    return Filters(start=periods.months_back(today, months - 1), end=today + dt.timedelta(days=1))


def overview_window(filters: Filters) -> Filters:
    """The months the landing view reads at once: the chosen period and the trend's 12 months."""
    trend = trend_window(TREND_MONTHS)
    return Filters(start=min(filters.start, trend.start), end=max(filters.end, trend.end))


def _summed(frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    return frame.group_by(*keys).agg(pl.col(c).sum() for c in data.SUMMED)


def _team_period(scope: Scope, filters: Filters, url: str | None) -> pl.DataFrame:
    """Per team member statistics in the chosen period (from the landing view's one scan)."""
    window = overview_window(filters)
    if filters.end < window.end:  # a period ending early: its own query
        return data.team_member_stats(scope=scope, filters=filters, by_month=False, url=url)
    frame = data.team_overview_stats(scope=scope, filters=filters, window=window, url=url)
    return _summed(frame.filter(pl.col("in_period") == 1), "analyst_id")


def _team_months(scope: Scope, filters: Filters, start: dt.date, url: str | None) -> pl.DataFrame:
    """Per team member and month from `start` on; reuses the landing scan when it reaches back far enough."""
    window = overview_window(filters)
    if start >= window.start:
        frame = data.team_overview_stats(scope=scope, filters=filters, window=window, url=url)
        return _summed(frame.filter(pl.col("month") >= start), "analyst_id", "month")
    return data.team_member_stats(scope=scope, filters=Filters(start=start, end=window.end), by_month=True,
                                  url=url)


def gap_months(history: pl.DataFrame) -> list[dt.date]:
    """Every calendar month some self-assessment's customer window covers (oldest first)."""
    months: set[dt.date] = set()
    for when in history["submitted_at"].unique().to_list():
        months.update(periods.months_back(when.date(), k) for k in range(GAP_WINDOW_MONTHS))
    return sorted(months)


def _month_after(month: dt.date) -> dt.date:
    return periods.months_back(month, -1)  # one month back from the next month's first day


def month_ranges(months: list[dt.date]) -> data.MonthRanges:
    """Contiguous runs of months as half-open date ranges, e.g. [Jan, Feb, May] → Jan–Mar, May–Jun."""
    ranges: list[list[dt.date]] = []
    for month in sorted(months):
        if ranges and ranges[-1][1] == month:
            ranges[-1][1] = _month_after(month)
        else:
            ranges.append([month, _month_after(month)])
    return tuple((a, b) for a, b in ranges)


def _gap_history_months(scope: Scope, filters: Filters, history: pl.DataFrame, url: str | None) -> pl.DataFrame:
    """Per team member and month for every month a self-assessment's window needs.

    Recent months come from the landing view's scan; older ones from one query limited to
    exactly those months, so a long history does not mean scanning years of responses.
    """
    window_start = overview_window(filters).start
    months = gap_months(history)
    recent = _team_months(scope, filters, window_start, url).filter(pl.col("month").is_in(months))
    older = [m for m in months if m < window_start]
    if not older:
        return recent
    old = data.team_month_range_stats(scope=scope, ranges=month_ranges(older), url=url)
    return pl.concat([recent, old.select(recent.columns)], how="vertical_relaxed")


# --- my figures for a period -------------------------------------------------------------------

@dataclass(frozen=True)
class MyFigures:
    """The analyst's own figures for one period, and where they sit in their (unnamed) team."""

    stats: pl.DataFrame
    """One row of own sufficient statistics (columns of `stats.response_stats`)."""
    tickets: int
    """Own closed tickets in the period (denominator of total lost hours)."""
    happiness_spread: self_view.Spread | None
    lost_spread: self_view.Spread | None
    customers: pl.DataFrame
    """Per CARE dimension: own raw and shrunk customer mean, team mean, own percentile."""
    min_responses: int

    @property
    def n(self) -> int:
        return int(self.stats["n"][0]) if self.stats.height else 0

    @property
    def enough(self) -> bool:
        return self.n >= self.min_responses

    @property
    def headline(self) -> dict:
        """Own Happiness with margin and interval, % scoring 9–10 and 0–6, and the raw sums (one row)."""
        return with_happiness(self.stats).row(0, named=True)

    @property
    def care_means(self) -> dict:
        """Own customer CARE means per dimension: `{d}_mean`, `{d}_low`, `{d}_high` (t-interval), `{d}_n`."""
        return with_care_means(self.stats).row(0, named=True) if self.stats.height else {}

    @property
    def care_average(self) -> float | None:
        """The mean of the dimensions' own means with `min_responses` ratings (None when none has):
        a person's figure is shown from that many answers, each figure on its own count."""
        means = self.care_means
        answered = [means[f"{d}_mean"] for d in CARE_NAMES
                    if means.get(f"{d}_mean") is not None and means.get(f"{d}_n", 0) >= self.min_responses]
        return sum(answered) / len(answered) if answered else None

    @property
    def lost_mean(self) -> float | None:
        """Own mean minutes lost per response that answered, from `min_responses` such responses."""
        lost_n = int(self.headline["lost_n"])
        return float(self.headline["lost_sum"]) / lost_n if lost_n and lost_n >= self.min_responses else None


def my_figures(*, scope: Scope, filters: Filters, url: str | None = None) -> MyFigures:
    """Own Happiness/CARE/lost-time statistics in `filters`, plus the unnamed team spread."""
    rule = PeerBand.for_scope(scope)
    own = stats.response_stats(scope=scope, filters=filters, own_only=True, url=url)
    tickets = stats.ticket_stats(scope=scope, filters=filters, own_only=True, url=url)
    team = _anonymous(_team_period(scope, filters, url), int(scope.analyst_id))
    happiness = self_view.team_spread(
        self_view.analyst_happiness(team, min_responses=rule.min_responses),
        min_colleagues=rule.min_colleagues) if team.height else None
    lost = self_view.team_spread(
        self_view.analyst_lost_minutes(team, min_responses=rule.min_responses),
        min_colleagues=rule.min_colleagues) if team.height else None
    customers = self_view.customer_care(team, min_responses=rule.min_responses,
                                        min_colleagues=rule.min_colleagues)
    return MyFigures(stats=own, tickets=int(tickets["tickets"][0]) if tickets.height else 0,
                     happiness_spread=happiness, lost_spread=lost, customers=customers,
                     min_responses=rule.min_responses)


def my_trend(*, scope: Scope, filters: Filters, months: int = TREND_MONTHS,
             url: str | None = None) -> pl.DataFrame:
    """Own monthly Happiness (± margin) over the last `months` months, with the team's middle half.

    Columns: month, own_n, own_happiness, own_margin, own_happiness_low/high, band_low, band_mid,
    band_high (whole points; null in months with fewer than `min_colleagues` colleagues with
    figures — see `metrics.self_view.trend_with_band`). Nothing per colleague.
    """
    rule = PeerBand.for_scope(scope)
    first = trend_window(months).start
    monthly = _anonymous(_team_months(scope, filters, first, url), int(scope.analyst_id))
    if monthly.is_empty():
        return monthly
    return self_view.trend_with_band(monthly, min_responses=rule.min_responses,
                                     min_colleagues=rule.min_colleagues).filter(pl.col("month") >= first)


def my_assessments(*, scope: Scope, url: str | None = None) -> list[SelfAssessment]:
    """The analyst's own self-assessments, oldest first (the latest is the last)."""
    scope.require("analyst")
    return assessments_from_history(self_assessment_history(scope=scope, url=url), int(scope.analyst_id))


def care_profile(figures: MyFigures) -> pl.DataFrame:
    """Per CARE dimension (display names): own mean with its t-interval and n (hidden below
    `min_responses` answers), and the team mean."""
    if figures.stats.is_empty():
        return pl.DataFrame()
    means = figures.care_means
    team = dict(figures.customers.select("dimension", "team_mean").iter_rows())

    def shown(d: str, what: str) -> float | None:
        return means[f"{d}_{what}"] if means[f"{d}_n"] >= figures.min_responses else None

    return pl.DataFrame([{
        "dimension": self_view.LABELS[d], "statement": STATEMENTS[d], "mean": shown(d, "mean"),
        "low": shown(d, "low"), "high": shown(d, "high"), "n": int(means[f"{d}_n"]),
        "team_mean": team.get(d)} for d in CARE_NAMES],
        schema={"dimension": pl.String, "statement": pl.String, "mean": pl.Float64, "low": pl.Float64,
                "high": pl.Float64, "n": pl.Int64, "team_mean": pl.Float64})


# --- self vs customers -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SelfView:
    """Everything the self-vs-customers section needs; no colleague is identifiable in it."""

    history: list[SelfAssessment]
    """Own self-assessments, oldest first."""
    gaps: pl.DataFrame
    """Per CARE dimension: self_rating, customer_raw, customer_mean (shrunk), n, gap, label."""
    ranks: pl.DataFrame
    """Per CARE dimension: own percentile in the team by self-rating and by customer rating."""
    gap_history: pl.DataFrame
    """Gaps at the time of each self-assessment (customer window: 3 months up to it)."""

    @property
    def latest(self) -> SelfAssessment | None:
        return self.history[-1] if self.history else None


def _ranks(scope: Scope, rule: PeerBand, figures: MyFigures, url: str | None) -> pl.DataFrame:
    """Own percentile by self-rating among the team's latest self-ratings, and by customers' rating."""
    team_ratings = data.team_latest_ratings(scope=scope, url=url)
    anonymous = team_ratings.with_columns((pl.col("analyst_id") == scope.analyst_id).alias("is_own")) \
        .drop("analyst_id")
    return self_view.self_rank_percentiles(anonymous, min_colleagues=rule.min_colleagues).join(
        figures.customers.select("dimension", pl.col("own_percentile").alias("customer_percentile")),
        on="dimension", how="left")


def self_view_for(*, scope: Scope, filters: Filters, figures: MyFigures | None = None,
                  url: str | None = None) -> SelfView:
    """Latest self-ratings against the customers' (shrunk) view in `filters`, ranks and history."""
    rule = PeerBand.for_scope(scope)
    analyst_id = int(scope.analyst_id)
    figures = figures or my_figures(scope=scope, filters=filters, url=url)
    history_frame = self_assessment_history(scope=scope, url=url)
    history = assessments_from_history(history_frame, analyst_id)
    latest = history[-1].ratings if history else {}
    customers = figures.customers.with_columns(
        pl.when(pl.col("n") >= rule.min_responses).then(pl.col(c)).alias(c)
        for c in ("customer_raw", "customer_mean"))
    gaps = self_view.self_vs_customers(latest, customers)
    ranks = _ranks(scope, rule, figures, url)
    if history:
        monthly = _anonymous(_gap_history_months(scope, filters, history_frame, url), analyst_id)
        gap_hist = self_view.gap_history(history_frame, monthly, window_months=GAP_WINDOW_MONTHS,
                                         min_responses=rule.min_responses, min_colleagues=rule.min_colleagues)
    else:
        gap_hist = self_view.gap_history(history_frame, pl.DataFrame(), min_responses=1, min_colleagues=1)
    return SelfView(history=history, gaps=gaps, ranks=ranks, gap_history=gap_hist)


def gap_table(view: SelfView, figures: MyFigures) -> pl.DataFrame:
    """Per CARE dimension: display name and statement, self-rating, customer mean (shrunk) and the
    raw mean's interval, gap and label."""
    raw = figures.care_means
    return view.gaps.with_columns(
        pl.col("dimension").replace_strict(self_view.LABELS).alias("name"),
        pl.Series("low", [raw.get(f"{d}_low") for d in view.gaps["dimension"]], dtype=pl.Float64),
        pl.Series("high", [raw.get(f"{d}_high") for d in view.gaps["dimension"]], dtype=pl.Float64),
        pl.col("dimension").replace_strict(STATEMENTS).alias("statement"),
    )


# --- customer evidence next to the competencies ----------------------------------------------------

def competency_evidence(*, scope: Scope, filters: Filters, url: str | None = None) -> pl.DataFrame:
    """Per competency: what the analyst's own customer feedback in the period suggests (evidence,
    not a measurement). Columns: competency, evidence, value (text), n."""
    rule = PeerBand.for_scope(scope)
    own = stats.response_stats(scope=scope, filters=filters, own_only=True, url=url)
    # One scan at the finest grain needed, rolled up three ways in polars.
    cells = stats.response_stats(scope=scope, filters=filters, url=url,
                                 by=("reassignment_count", "channel", "ticket_type"))
    summed = [pl.col(c).sum() for c in ("n", "happy", "unhappy")]
    by_reassign = cells.group_by("reassignment_count").agg(summed)
    slices = pl.concat([cells.group_by("channel").agg(summed).drop("channel"),
                        cells.group_by("ticket_type").agg(summed).drop("ticket_type")])
    tickets = stats.ticket_stats(scope=scope, filters=filters, own_only=True, url=url)
    return self_view.competency_evidence(
        own, by_reassign, slices,
        re_explain=data.re_explain_count(scope=scope, filters=filters, url=url),
        sla_met=int(tickets["sla_met_tickets"][0]) if tickets.height else 0,
        tickets=int(tickets["tickets"][0]) if tickets.height else 0,
        min_responses=rule.min_responses)


# --- kudos, shared notes, open recovery items -------------------------------------------------------

@dataclass(frozen=True)
class Recognition:
    """Kudos to me, coaching notes shared with me, and my open recovery items."""

    kudos: pl.DataFrame
    notes: pl.DataFrame
    recovery: pl.DataFrame
    """ticket_id, submitted_at, happiness, due_at, first_contact_at and `status`, the analyst's
    wording of the item's state (`data_access.recovery.analyst_status_expr`)."""


def my_recognition(*, scope: Scope, url: str | None = None) -> Recognition:
    """Kudos received, coaching notes shared with the analyst, and their open recovery items."""
    kudos, notes, recovery = data.recognition_rows(scope=scope, url=url)
    status = analyst_status_expr(clock.now()).alias("status")
    return Recognition(kudos=kudos, notes=notes, recovery=recovery.with_columns(status))
