"""The Coaching overview: one row per analyst of the lead's teams, the last 90 days against the 90
before, with their recovery, kudos and notes activity (`CoachingReport`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from data_access import coaching as reads
from data_access.config import thresholds
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import response_stats
from metrics import periods, with_happiness
from metrics.coaching import sort_by_name, team_overview, unhappy_runs


@dataclass(frozen=True)
class CoachingReport:
    """The lead's overview: `analysts` is `metrics.coaching.team_overview` (alphabetical, raw and
    shrunk Happiness, change, CARE, lost time, open/overdue recoveries, last kudos and note,
    signal); `team` is Happiness, margin and n of all the lead's analysts together."""

    analysts: pl.DataFrame
    team: dict
    min_responses: int

    @property
    def is_empty(self) -> bool:
        return self.analysts.is_empty()

    @property
    def with_enough(self) -> int:
        """Analysts with at least `min_responses` responses in the window."""
        return self.analysts.filter(pl.col("enough")).height

    @property
    def needing_attention(self) -> int:
        return self.analysts.filter(pl.col("signal") != "").height

    @property
    def open_recovery(self) -> int:
        return int(self.analysts["open_recovery"].sum())

    @property
    def overdue_recovery(self) -> int:
        return int(self.analysts["overdue_recovery"].sum())


def overview_periods(today: dt.date) -> tuple[Filters, Filters]:
    """The overview's window, "Last 90 days" of `metrics.periods` (13 whole weeks), and the 13 weeks before it."""
    start, end = periods.preset_range("90d", today)
    current = Filters(start, end)
    return current, current.previous()


def roster(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """The lead's analysts (analyst_id, name, team_id, team_name, active) in alphabetical order."""
    return sort_by_name(reads.team_roster(scope=scope, url=url))


def coaching_report(*, scope: Scope, today: dt.date, now: dt.datetime, url: str | None = None) -> CoachingReport:
    """The overview of the lead's teams on `today`; recoveries count as overdue against `now`."""
    scope.require("lead")
    current, previous = overview_periods(today)
    settings = reads.recovery_settings(url=url)
    members = reads.team_roster(scope=scope, url=url)
    cur = response_stats(scope=scope, filters=current, by=("analyst_id",), url=url)
    prev = response_stats(scope=scope, filters=previous, by=("analyst_id",), url=url)
    act = reads.team_activity(scope=scope, since=dt.datetime.combine(current.start, dt.time()), now=now,
                              target_hours=settings.target_hours, threshold=settings.threshold, url=url)
    activity = (members.select("analyst_id")
                .join(act["recovery"], on="analyst_id", how="left")
                .join(unhappy_runs(act["scores"]), on="analyst_id", how="left")
                .join(act["kudos"], on="analyst_id", how="left")
                .join(act["notes"], on="analyst_id", how="left"))
    min_n = thresholds().min_responses
    frame = team_overview(members, cur, prev, activity, min_responses=min_n)
    team = with_happiness(frame.select(pl.col("n", "happy", "unhappy").sum())).row(0, named=True)
    return CoachingReport(analysts=frame, team=team, min_responses=min_n)
