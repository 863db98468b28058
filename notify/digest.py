"""What goes into a digest: a lead's week (own teams, named) or the CIO's month (teams only).

Built from scoped reads only (`response_stats` plus `data_access.notify_reads`), so a digest
can never hold more than its recipient may see in the app. Rendering is in `notify.render`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import polars as pl

from components import formats
from data_access import config as da_config
from data_access import notify_reads as reads
from data_access import recovery
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import response_stats
from metrics import happiness, happiness_margin, period_change, wilson_interval
from notify.config import NotifySettings
from notify.month_edges import EDGES, month_edges, month_report
from views.culture import CultureReport
from views.disclosure import SUPPRESSED, Disclosure, hidden_keys

# Where each kind of item opens in the app (Streamlit page url paths).
# The recovery queue is a tab of the Coaching page; `tab=recovery` says which one the link is for.
PAGES = {"coaching": "coaching", "recovery": "coaching", "settings": "settings", "trends": "culture-trends"}
PRAISE_LIMIT = 12
UNHAPPY_LIMIT = 12
CONTEXT_DAYS = 90
EMPTY_COUNTS = {"n": 0, "happy": 0, "unhappy": 0}


@dataclass(frozen=True)
class HappinessFigure:
    """A Happiness figure with its n and margin, or the reason it is not shown."""

    n: int
    value: float | None = None
    margin: float | None = None
    withheld: str | None = None  # e.g. "not enough responses yet"

    @classmethod
    def from_counts(cls, happy: int, unhappy: int, n: int, *, minimum: int,
                    reason: str = "not enough responses yet") -> "HappinessFigure":
        if n < max(minimum, 1):
            return cls(n=n, withheld=reason if n else "no responses")
        return cls(n=n, value=happiness(happy, unhappy, n), margin=happiness_margin(happy, unhappy, n))


@dataclass(frozen=True)
class Change:
    """Change of Happiness against the previous period, with its margin."""

    value: float | None
    margin: float | None
    clear: bool
    previous_n: int


@dataclass(frozen=True)
class TeamLine:
    team_id: int
    name: str
    figure: HappinessFigure
    change: Change | None
    link: str


@dataclass(frozen=True)
class Verbatim:
    """One response quoted in a digest (a lead's own team only). `comment` is raw user text:
    the renderer escapes it."""

    ticket_id: str
    analyst: str
    team: str
    service: str
    channel: str
    score: int
    comment: str | None
    submitted_at: dt.datetime
    link: str
    state: str = ""


@dataclass(frozen=True)
class QueueLine:
    """Recovery queue of one team (or the total): counts now and the period's first-contact rate."""

    name: str
    open: int
    overdue: int
    not_contacted: int
    created: int
    contacted_in_time: int
    decided: int
    link: str

    @property
    def in_time_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.contacted_in_time, self.decided) if self.decided else None

    rate_withheld: bool = False
    """Org digests: too few decided items for a rate that is not about one or two people."""


@dataclass(frozen=True)
class AnalystLine:
    name: str
    team: str
    week: HappinessFigure
    context: HappinessFigure  # the last 90 days, for a steadier view
    link: str


@dataclass(frozen=True)
class Digest:
    """Everything a rendered digest shows; names only in a lead's weekly digest."""

    kind: str  # "weekly" | "monthly"
    recipient: str
    title: str
    period_label: str
    start: dt.date
    end: dt.date  # exclusive
    previous_label: str
    teams: list[TeamLine]
    total: TeamLine | None
    queue: list[QueueLine]
    praise: list[Verbatim] = field(default_factory=list)
    praise_more: int = 0
    unhappy: list[Verbatim] = field(default_factory=list)
    unhappy_count: int = 0
    analysts: list[AnalystLine] = field(default_factory=list)
    view_in_browser: str = ""
    settings_link: str = ""
    min_responses: int = 5
    min_group: int = 5
    attachments: tuple[tuple[str, bytes], ...] = ()
    """(file name, PDF) pairs sent with the email (the CIO's month of Culture trends)."""


def week_filters(week_ending: dt.date) -> Filters:
    """The seven days ending on `week_ending` (inclusive)."""
    return Filters(week_ending - dt.timedelta(days=6), week_ending + dt.timedelta(days=1))


def month_filters(month: dt.date) -> Filters:
    """The calendar month containing `month`."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return Filters(first, nxt)


def previous_month(filters: Filters) -> Filters:
    prev_end = filters.start
    return Filters((prev_end - dt.timedelta(days=1)).replace(day=1), prev_end)


def _counts(frame, key: str | None = None) -> dict:
    if key is None:
        if frame.is_empty():
            return {"n": 0, "happy": 0, "unhappy": 0}
        row = frame.row(0, named=True)
        return {"n": int(row["n"]), "happy": int(row["happy"]), "unhappy": int(row["unhappy"])}
    return {r[key]: {"n": int(r["n"]), "happy": int(r["happy"]), "unhappy": int(r["unhappy"])}
            for r in frame.iter_rows(named=True)}


def _change(now: dict, before: dict, minimum: int) -> Change | None:
    if now["n"] < minimum or before["n"] < minimum:
        return None
    pc = period_change(now, before)
    return Change(pc.change, pc.change_margin, pc.is_clear, before["n"])


def _recovery_state(row: dict, now: dt.datetime, target_hours: int) -> str:
    """The lead's wording of the item (`data_access.recovery`); a response whose item the alert run
    has not opened yet is due by the same rule."""
    due = row.get("due_at") or recovery.due_at(row["submitted_at"], target_hours)
    return recovery.lead_status_text(due_at=due, first_contact_at=row.get("first_contact_at"),
                                     resolved_at=row.get("recovered_at"), outcome=row.get("outcome"), now=now)


def _queue_lines(scope: Scope, filters: Filters, now: dt.datetime, names: dict[int, str],
                 settings: NotifySettings, url: str | None) -> list[QueueLine]:
    frame = reads.recovery_queue(scope=scope, now=now, filters=filters, url=url)
    by_team = {r["team_id"]: r for r in frame.iter_rows(named=True)}
    lines = []
    minimum = Disclosure.for_scope(scope).min_group if scope.role == "cio" else 0
    for team_id, name in names.items():
        r = by_team.get(team_id, {c: 0 for c in reads.RECOVERY_COLUMNS})
        values = [int(r[c]) for c in reads.RECOVERY_COLUMNS]
        line = QueueLine(name, *values,
                         link=(settings.link(PAGES["recovery"], tab="recovery", team=team_id)
                               if scope.role == "lead" else settings.link(PAGES["trends"], team=team_id)))
        if line.decided and line.decided < minimum:  # the CIO sees rates over enough items only
            line = replace(line, contacted_in_time=0, rate_withheld=True)
        lines.append(line)
    return lines


def _lead_team_lines(scope: Scope, week: Filters, names: dict[int, str], minimum: int,
                     settings: NotifySettings, url: str | None) -> tuple[list[TeamLine], TeamLine | None]:
    """A lead's team lines for the week (and a total over several teams). A lead's team figures
    cover the analysts of their teams (home team), the lead among them when they work tickets,
    whatever queue the ticket sat in."""
    now_by_team = _counts(response_stats(scope=scope, filters=week, by=("home_team_id",), url=url), "home_team_id")
    before_by_team = _counts(response_stats(scope=scope, filters=week.previous(), by=("home_team_id",), url=url),
                             "home_team_id")
    teams = []
    for team_id, name in names.items():
        c, p = now_by_team.get(team_id, EMPTY_COUNTS), before_by_team.get(team_id, EMPTY_COUNTS)
        teams.append(TeamLine(team_id, name,
                              HappinessFigure.from_counts(**c, minimum=minimum,
                                                          reason="too few responses for a fair figure"),
                              _change(c, p, minimum),
                              settings.link(PAGES["coaching"], team=team_id)))
    total = None
    if len(names) > 1:
        c = {k: sum(v[k] for v in now_by_team.values()) for k in EMPTY_COUNTS}
        p = {k: sum(v[k] for v in before_by_team.values()) for k in EMPTY_COUNTS}
        total = TeamLine(0, "All your teams", HappinessFigure.from_counts(**c, minimum=minimum),
                         _change(c, p, minimum), settings.link(PAGES["coaching"]))
    return teams, total


def _lead_verbatims(scope: Scope, week: Filters, now: dt.datetime, names: dict[int, str],
                    settings: NotifySettings, url: str | None) -> tuple[list[Verbatim], int, list[Verbatim]]:
    """The week's praise (and how many more there were) and its unhappy responses with their recovery state."""
    target_hours = reads.recovery_settings(url=url).target_hours

    def verbatim(row: dict, link: str, state: str = "") -> Verbatim:
        return Verbatim(str(row["ticket_id"]), row["analyst"], names.get(row["team_id"], ""),
                        row["service"], formats.channel(row["channel"]), int(row["happiness"]),
                        row["comment"],
                        row["submitted_at"], link, state)

    praise_frame = reads.praise(scope=scope, filters=week, limit=PRAISE_LIMIT + 1, url=url)
    praise = [verbatim(r, settings.link(PAGES["coaching"], ticket=r["ticket_id"]))
              for r in praise_frame.head(PRAISE_LIMIT).iter_rows(named=True)]
    unhappy_frame = reads.unhappy_responses(scope=scope, filters=week, limit=UNHAPPY_LIMIT, url=url)
    unhappy = [verbatim(r, settings.link(PAGES["recovery"], tab="recovery", ticket=r["ticket_id"]),
                        _recovery_state(r, now, target_hours))
               for r in unhappy_frame.iter_rows(named=True)]
    return praise, max(0, praise_frame.height - PRAISE_LIMIT), unhappy


def _analyst_lines(scope: Scope, week: Filters, names: dict[int, str], minimum: int,
                   settings: NotifySettings, url: str | None) -> list[AnalystLine]:
    """Each analyst of the lead's teams: the week and the last 90 days (for a steadier view)."""
    context = Filters(week.end - dt.timedelta(days=CONTEXT_DAYS), week.end)
    roster = reads.team_roster(scope=scope, url=url)
    week_by_analyst = _counts(response_stats(scope=scope, filters=week, by=("analyst_id",), url=url),
                              "analyst_id")
    ctx_by_analyst = _counts(response_stats(scope=scope, filters=context, by=("analyst_id",), url=url),
                             "analyst_id")
    return [AnalystLine(r["name"], names.get(r["team_id"], ""),
                        HappinessFigure.from_counts(**week_by_analyst.get(r["analyst_id"], EMPTY_COUNTS),
                                                    minimum=minimum),
                        HappinessFigure.from_counts(**ctx_by_analyst.get(r["analyst_id"], EMPTY_COUNTS),
                                                    minimum=minimum),
                        settings.link(PAGES["coaching"], analyst=r["analyst_id"]))
            for r in roster.iter_rows(named=True)]


def lead_weekly_digest(*, recipient: str, scope: Scope, week_ending: dt.date, now: dt.datetime,
                       settings: NotifySettings, url: str | None = None) -> Digest:
    """A team lead's week: Happiness and its change, praise, unhappy responses, recovery queue,
    each analyst's week (names: own teams only)."""
    scope.require("lead")
    limits = da_config.thresholds()
    week = week_filters(week_ending)
    names = reads.team_names(scope=scope, url=url)
    teams, total = _lead_team_lines(scope, week, names, limits.min_group, settings, url)
    praise, praise_more, unhappy = _lead_verbatims(scope, week, now, names, settings, url)
    team_label = ", ".join(names.values()) or "your team"
    return Digest(
        kind="weekly", recipient=recipient,
        title=f"Weekly digest: {team_label}",
        period_label=f"{formats.day(week.start)} – {formats.day(week_ending)}",
        start=week.start, end=week.end, previous_label="the previous week",
        teams=teams, total=total,
        queue=_queue_lines(scope, week, now, names, settings, url),
        praise=praise, praise_more=praise_more,
        unhappy=unhappy, unhappy_count=reads.unhappy_count(scope=scope, filters=week, url=url),
        analysts=_analyst_lines(scope, week, names, limits.min_responses, settings, url),
        view_in_browser=settings.link(PAGES["settings"], digest="weekly", week_ending=week_ending.isoformat()),
        settings_link=settings.link(PAGES["settings"]),
        min_responses=limits.min_responses, min_group=limits.min_group)


PAGE_WITHHOLDS = "not shown — Culture trends withholds it for this month"


def _page_shows(scope: Scope, period: Filters, url: str | None,
                report: CultureReport | None = None) -> tuple[bool, set[int]]:
    """Whether Culture trends of the calendar month `period` shows its headline, and the teams
    whose row it shows with a figure (`report`, else `notify.month_edges.month_report`: the
    month as the attached PDF shows it)."""
    report = report or month_report(scope=scope, period=period, url=url)
    if report.is_empty or report.withheld:
        return False, set()
    teams = report.teams
    if teams.is_empty():
        return True, set()
    shown = teams.filter(~pl.col(SUPPRESSED).fill_null(False) & pl.col("happiness").is_not_null())
    return True, set(shown["team_id"].to_list())


def _org_lines(gate: Disclosure, scope: Scope, period: Filters, before: Filters, names: dict[int, str],
               settings: NotifySettings, url: str | None,
               report: CultureReport | None = None) -> tuple[list[TeamLine], TeamLine]:
    """Team and total lines of an org digest, every figure through disclosure control: a team is
    shown from `min_group` responses and `min_analysts` analysts, complementary to the total; a
    change only when both months' cells may be shown."""
    # The same month opened on Culture trends: the mail shows no figure the page withholds there
    # (its week-by-week checks: a week that fails on its own could otherwise be the difference
    # between the mail and a page link of the month's other weeks), nor a change the previous month's page withholds.
    page_total, page_teams = _page_shows(scope, period, url, report)
    before_total, before_teams = _page_shows(scope, before, url)
    now_frame = response_stats(scope=scope, filters=period, by=("team_id",), url=url)
    before_frame = response_stats(scope=scope, filters=before, by=("team_id",), url=url)
    now_by_team, before_by_team = _counts(now_frame, "team_id"), _counts(before_frame, "team_id")
    edge_cells, whole_gap = month_edges(gate, scope, period, url)
    edge_gaps = {team for (team,) in edge_cells}
    hidden_now = hidden_keys(gate, now_frame, "team_id", also=edge_gaps)
    # A team's month before is hidden when its current line is, or has no figures (no change shown).
    absent = set(before_frame["team_id"].to_list()) - set(now_frame["team_id"].to_list())
    hidden_before = hidden_keys(gate, before_frame, "team_id", also=hidden_now | absent)
    people = {r["team_id"]: int(r["analysts"]) for r in now_frame.iter_rows(named=True)}
    empty = {"n": 0, "happy": 0, "unhappy": 0}
    teams = []
    for team_id, name in names.items():
        c, p = now_by_team.get(team_id, empty), before_by_team.get(team_id, empty)
        if c["n"] < gate.min_group:
            fig, change = HappinessFigure.from_counts(
                **c, minimum=gate.min_group, reason=f"fewer than {gate.min_group} responses — not shown"), None
        elif people.get(team_id, 0) < gate.min_analysts:
            fig, change = HappinessFigure(n=c["n"], withheld=f"fewer than {gate.min_analysts} analysts — not shown"), None
        elif team_id in edge_gaps:
            fig, change = HappinessFigure(n=c["n"], withheld=EDGES), None
        elif team_id in hidden_now:
            fig, change = HappinessFigure(n=c["n"], withheld="not shown, so a small team cannot be worked out "
                                                             "from the total"), None
        elif team_id not in page_teams:
            fig, change = HappinessFigure(n=c["n"], withheld=PAGE_WITHHOLDS), None
        else:
            fig = HappinessFigure.from_counts(**c, minimum=gate.min_group)
            change = None if team_id in hidden_before or team_id not in before_teams else _change(c, p, gate.min_group)
        teams.append(TeamLine(team_id, name, fig, change, settings.link(PAGES["trends"], team=team_id)))
    whole = response_stats(scope=scope, filters=period, url=url)
    earlier = response_stats(scope=scope, filters=before, url=url)
    c, p = _counts(whole), _counts(earlier)
    passes = gate.allows(c["n"], int(whole["analysts"][0]) if whole.height else 0)
    shown = passes and not whole_gap and page_total
    if shown:
        figure = HappinessFigure.from_counts(**c, minimum=gate.min_group)
    else:
        reason = (f"fewer than {gate.min_group} responses or {gate.min_analysts} analysts — not shown" if not passes
                  else EDGES if whole_gap else PAGE_WITHHOLDS)
        figure = HappinessFigure(n=c["n"], withheld=reason)
    comparable = (shown and before_total
                  and gate.allows(p["n"], int(earlier["analysts"][0]) if earlier.height else 0))
    total = TeamLine(0, "Whole organisation" if not scope.team_ids else "All your teams", figure,
                     _change(c, p, gate.min_group) if comparable else None, settings.link(PAGES["trends"]))
    return teams, total


class MonthNotOver(ValueError):
    """A monthly digest asked for a month that has not ended."""


def cio_monthly_digest(*, recipient: str, scope: Scope, month: dt.date, now: dt.datetime,
                       settings: NotifySettings, url: str | None = None,
                       report: CultureReport | None = None) -> Digest:
    """The CIO's month: organisation and team Happiness with change, recovery rates per team.
    Teams only — no analyst names, no comments; small teams are suppressed. `report`: the month's
    `notify.month_edges.month_report` when the caller has it already (for the attached PDF)."""
    scope.require("cio")
    limits = da_config.thresholds()
    period = month_filters(month)
    if period.end > now.date():
        # A month under way changes every day: one day's digest minus the next day's is that day.
        raise MonthNotOver(f"{period.start:%B %Y} is not over yet: a monthly digest covers a complete month")
    before = previous_month(period)
    names = reads.team_names(scope=scope, url=url)
    gate = Disclosure.for_scope(scope)
    teams, total = _org_lines(gate, scope, period, before, names, settings, url, report)
    return Digest(
        kind="monthly", recipient=recipient, title="Monthly digest: service culture",
        period_label=f"{period.start:%B %Y}", start=period.start, end=period.end,
        previous_label=f"{before.start:%B}",
        teams=teams, total=total, queue=_queue_lines(scope, period, now, names, settings, url),
        view_in_browser=settings.link(PAGES["settings"], digest="monthly", month=period.start.isoformat()[:7]),
        settings_link=settings.link(PAGES["settings"]),
        min_responses=limits.min_responses, min_group=limits.min_group)
