"""Property-based privacy suite for Culture trends (issue 12): random small warehouses × random
filter links × the cio and lead roles, on SQLite and PostgreSQL.

The page runs in AppTest; everything it shows — tiles, tables, chart data, CSV downloads — is
checked against the generated rows themselves (plain Python, not the code under test):

- no figure is about fewer than `min_group` responses or `min_analysts` distinct analysts;
- a table whose rows add up to the shown total never hides exactly one row (complementary);
- two links that differ in one filter never show figures for nested selections whose difference
  is a non-empty group below the minimum: for the selection, the period before it (the change
  tile) and every cell of every table, chart and download — team rows, months, the compare
  series (month × type, channel or team), the mood mix and the watermelon months (SLA met or
  not), hotspot cells, reassignment buckets, lost time by channel and by service.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from components.viewer import Viewer
from data_access import schema
from data_access.engine import get_engine

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "culture_trends.py")
TODAY = dt.date(2026, 11, 20)
WEEK0 = dt.date(2026, 10, 5)          # a Monday; responses fall in the three weeks from here
DEFAULT_START = dt.date(2025, 12, 1)  # "last 12 months" on TODAY: whole weeks from Monday 1 Dec …
DEFAULT_LAST = dt.date(2026, 11, 15)  # … to the Sunday before TODAY's week
HOME_TEAM = [1, 1, 1, 1, 2, 2, 2, 3, 3]  # analyst i + 1 works in this team
TEAMS = {1: "Alpha", 2: "Beta", 3: "Gamma"}
SERVICES = {1: "Email", 2: "VPN"}
CHANNELS = ("email", "phone", "portal")
CHANNEL_LABELS = {"email": "Email", "phone": "Phone", "portal": "Portal"}
TYPES = ("incident", "request")
MIN_GROUP, MIN_ANALYSTS = 5, 3
CIO = Viewer(user_id=1, username="cio", display_name="Cio", roles=("cio",))
LEAD = Viewer(user_id=2, username="lead", display_name="Lead", roles=("analyst", "lead"), analyst_id=1,
              lead_team_ids=(1, 2), own_team_id=1, team_name="Alpha")


@dataclass(frozen=True)
class Row:
    key: int
    analyst: int
    team: int
    day: dt.date
    score: int
    channel: str
    service: int
    kind: str


@hs.composite
def rows_strategy(draw) -> list[tuple]:
    """A random small warehouse: a seed and a size drive a plain random generator, so every example
    is a varied warehouse (hypothesis' own shrinking would start from one analyst and one day)."""
    import random

    rnd = random.Random(draw(hs.integers(0, 2 ** 32)))
    size, days = draw(hs.integers(8, 90)), draw(hs.integers(1, 21))
    return [(rnd.randrange(len(HOME_TEAM)), rnd.randrange(days), rnd.randint(0, 10), rnd.choice(CHANNELS),
             rnd.choice(tuple(SERVICES)), rnd.choice(TYPES)) for _ in range(size)]


def subset(values):
    """Mostly no filter on a dimension; otherwise one or two values."""
    return hs.one_of(hs.just([]), hs.just([]), hs.lists(hs.sampled_from(values), min_size=1, max_size=2,
                                                          unique=True))


link_strategy = hs.fixed_dictionaries({
    "period": hs.one_of(hs.none(), hs.tuples(hs.integers(0, 20), hs.integers(0, 20))),
    "team": subset((1, 2, 3)), "channel": subset(CHANNELS), "service": subset((1, 2)), "type": subset(TYPES)})


@hs.composite
def neighbour(draw, link: dict) -> dict:
    """The same link with one filter changed: a value added or removed, or the period moved."""
    other = dict(link)
    name = draw(hs.sampled_from(("period", "team", "channel", "service", "type")))
    if name == "period":
        other["period"] = draw(hs.one_of(hs.none(), hs.tuples(hs.integers(0, 20), hs.integers(0, 20))))
    else:
        values = {"team": (1, 2, 3), "channel": CHANNELS, "service": (1, 2), "type": TYPES}[name]
        value = draw(hs.sampled_from(values))
        chosen = list(link[name])
        other[name] = [v for v in chosen if v != value] if value in chosen else chosen + [value]
    return other


def _make_rows(raw) -> list[Row]:
    return [Row(i + 1, a + 1, HOME_TEAM[a], WEEK0 + dt.timedelta(days=d), s, c, sv, k)
            for i, (a, d, s, c, sv, k) in enumerate(raw)]


def _fill(url: str, rows: list[Row]) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        for table in (schema.responses, schema.tickets, schema.analysts, schema.teams, schema.services):
            conn.execute(table.delete())
        conn.execute(schema.teams.insert(), [dict(team_id=t, name=n) for t, n in TEAMS.items()])
        conn.execute(schema.services.insert(), [dict(service_id=s, name=n) for s, n in SERVICES.items()])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=i + 1, name=f"Person {i + 1}", team_id=t)
                                                for i, t in enumerate(HOME_TEAM)])
        if not rows:
            return
        at = lambda r: dt.datetime.combine(r.day, dt.time(10))  # noqa: E731
        conn.execute(schema.tickets.insert(), [dict(
            ticket_key=r.key, ticket_id=f"T{r.key}", ticket_type=r.kind, channel=r.channel, service_id=r.service,
            priority=3, opened_at=at(r) - dt.timedelta(hours=3), resolved_at=at(r), analyst_id=r.analyst,
            team_id=r.team, reassignment_count=r.key % 4, reopened=False, sla_met=r.key % 3 != 0,
            first_contact_resolution=False, handle_minutes=10.0) for r in rows])
        conn.execute(schema.responses.insert(), [dict(
            ticket_key=r.key, happiness=r.score, lost_minutes=float(r.key % 5 * 10) if r.key % 2 else None,
            submitted_at=at(r) + dt.timedelta(hours=1)) for r in rows])


def _params(link: dict) -> dict[str, str]:
    params = {}
    if link["period"] is not None:
        start = WEEK0 + dt.timedelta(days=link["period"][0])
        end = min(start + dt.timedelta(days=link["period"][1]), TODAY)
        params.update(period="custom", **{"from": start.isoformat(), "to": end.isoformat()})
    for name in ("team", "channel", "service", "type"):
        if link[name]:
            params[name] = ",".join(str(v) for v in link[name])
    return params


def _selected(rows: list[Row], link: dict, viewer: Viewer, *, before: bool = False) -> list[Row]:
    """The rows a link selects, worked out here: custom ranges widened to Monday..Sunday
    (`before`: the period of equal length just before, which the change tile compares with)."""
    if link["period"] is None:
        first, last = DEFAULT_START, DEFAULT_LAST
    else:
        start = WEEK0 + dt.timedelta(days=link["period"][0])
        end = min(start + dt.timedelta(days=link["period"][1]), TODAY)
        first, last = start - dt.timedelta(days=start.weekday()), end + dt.timedelta(days=6 - end.weekday())
    if before:
        first, last = first - (last - first + dt.timedelta(days=1)), first - dt.timedelta(days=1)
    allowed = set(LEAD.lead_team_ids) if viewer is LEAD else set(TEAMS)
    teams = {t for t in link["team"] if t in allowed} or allowed  # the page drops teams out of scope
    return [r for r in rows if first <= r.day <= last and r.team in teams
            and (not link["channel"] or r.channel in link["channel"])
            and (not link["service"] or r.service in link["service"])
            and (not link["type"] or r.kind in link["type"])]


def _passes(rows: list[Row]) -> bool:
    return len(rows) >= MIN_GROUP and len({r.analyst for r in rows}) >= MIN_ANALYSTS


def _safe_difference(a: list[Row], b: list[Row]) -> bool:
    """Nested selections may differ only by nothing or by a group that passes on its own."""
    ka, kb = {r.key for r in a}, {r.key for r in b}
    if not (ka <= kb or kb <= ka):
        return True
    bigger, smaller = (a, kb) if kb <= ka else (b, ka)
    return _passes([r for r in bigger if r.key not in smaller]) or len(ka ^ kb) == 0


# ---------------------------------------------------------------- what the page shows

@dataclass
class Shown:
    """Figures read back from one page run."""

    headline: bool
    teams: dict[str, float]          # team name → Happiness (NaN when hidden)
    team_n: dict[str, int]
    months: set[dt.date]             # months the trend chart draws
    chart_rows: list[dict]           # every row of every chart's data
    downloads: list[pl.DataFrame]    # every CSV offered
    change: bool = False             # the change vs before tile shows a figure
    cells: dict = None               # cell id → which rows it is about, for every cell with a figure


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _bucket(count: int) -> str:
    return "3+" if count >= 3 else str(count)


def _same_month(m: dt.date):
    return lambda r: (r.day.year, r.day.month) == (m.year, m.month)


def _cell_of(row: dict):
    """(cell id, which rows it covers) of one chart or download row that carries a figure, else None."""
    if "mood" in row:
        return ("sla", row["sla_met"]), (lambda r, v=row["sla_met"]: (r.key % 3 != 0) == v)
    if "sla_met_n" in row and "month" in row:
        m = _day(row["month"])
        return ("month sla", m), (lambda r, m=m: _same_month(m)(r) and r.key % 3 != 0)
    if "bucket" in row:
        if _blank(row.get("happiness")) and _blank(row.get("lost_mean")):
            return None
        return ("bucket", row["bucket"]), (lambda r, b=row["bucket"]: _bucket(r.key % 4) == b)
    if "lost_sum" in row:
        if _blank(row.get("total_hours")) and _blank(row.get("mean_minutes")):
            return None
        if "service_id" in row:
            return ("lost service", row["service_id"]), (lambda r, v=row["service_id"]: r.service == v)
        return ("lost channel", row["channel"]), (lambda r, v=row["channel"]: r.channel == v)
    if "impact" in row or "Impact" in row:
        if _blank(row.get("happiness", row.get("Happiness"))):
            return None
        service = row.get("service_id") or {n: i for i, n in SERVICES.items()}[row["Service"]]
        channel = row.get("channel") or {n: c for c, n in CHANNEL_LABELS.items()}[row["Channel"]]
        return ("hotspot", service, channel), (lambda r, s=service, c=channel: r.service == s and r.channel == c)
    if "month" in row and "happiness" in row and not _blank(row["happiness"]):
        m = _day(row["month"])
        for dim, attr in (("ticket_type", "kind"), ("channel", "channel"), ("team_id", "team")):
            if dim in row:
                return (("month", dim), m, row[dim]), (
                    lambda r, m=m, a=attr, v=row[dim]: _same_month(m)(r) and getattr(r, a) == v)
        return ("month", m), _same_month(m)
    return None


def _chart_rows(at: AppTest) -> list[dict]:
    found = []
    for chart in at.get("vega_lite_chart"):
        for named in chart.proto.datasets:
            table = pa.ipc.open_stream(io.BytesIO(named.data.data)).read_all()
            found += table.to_pylist()
    return found


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _run(url: str, viewer: Viewer, link: dict, downloads: list) -> Shown:
    st.cache_data.clear()
    downloads.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = viewer
    for name, value in _params(link).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    if os.environ.get("PRIVACY_TRACE"):
        print("INFO", link, [i.value[:90] for i in at.info][:2], [e.value for e in at.error])
    tiles = {m.label: m.value for m in at.metric}
    headline = tiles.get("Happiness", "—") != "—"
    teams, team_n = {}, {}
    for frame in (df.value for df in at.dataframe):
        if "Team" in frame.columns:
            teams = {str(t): float(h) for t, h in zip(frame["Team"], frame["Happiness"])}
            team_n = {str(t): int(n) for t, n in zip(frame["Team"], frame["n"])}
    rows = _chart_rows(at)
    months = {_day(r["month"]) for r in rows if "month" in r and "series" not in r and "happiness" in r}
    cells = dict(found for r in rows + [r for d in downloads for r in d.to_dicts()] if (found := _cell_of(r)))
    return Shown(headline, teams, team_n, months, rows, list(downloads),
                 change=tiles.get("Change vs before", "—") != "—", cells=cells)


FIGURES = ("happiness", "margin", "share", "total_hours", "mean_minutes", "lost_mean", "watermelon",
           "impact", "Happiness", "Impact", "Margin")


def _check_one(rows: list[Row], link: dict, viewer: Viewer, shown: Shown) -> None:
    picked = _selected(rows, link, viewer)
    if shown.headline:
        assert _passes(picked), ("headline shown for a small selection", link)
    else:
        assert not shown.teams and not shown.chart_rows and not shown.downloads, link
        return
    by_name = {n: t for t, n in TEAMS.items()}
    hidden = []
    for name, value in shown.teams.items():
        part = [r for r in picked if r.team == by_name[name]]
        if math.isnan(value):
            hidden.append(part) if part else None
        else:
            assert _passes(part), ("team row shown for a small group", name, link)
    assert len(hidden) != 1, ("one hidden team is total minus the others", link)
    if hidden:
        assert _passes([r for part in hidden for r in part]), ("hidden teams together are small", link)
    for month in shown.months:
        part = [r for r in picked if (r.day.year, r.day.month) == (month.year, month.month)]
        assert _passes(part), ("trend month shown for a small group", month, link)
    for cell, covers in shown.cells.items():
        assert _passes([r for r in picked if covers(r)]), ("a cell shown for a small group", cell, link)
    if shown.change:
        assert _passes(_selected(rows, link, viewer, before=True)), ("a change against a small period", link)
    for row in shown.chart_rows + [r for d in shown.downloads for r in d.to_dicts()]:
        has_figure = any(row.get(c) is not None and not (isinstance(row.get(c), float) and math.isnan(row[c]))
                         for c in FIGURES)
        if has_figure and row.get("n") is not None:
            assert row["n"] >= MIN_GROUP, ("a chart or download row below the minimum", row, link)


def _check_pair(rows: list[Row], viewer: Viewer, a: dict, b: dict, sa_: Shown, sb: Shown) -> None:
    pa_, pb = _selected(rows, a, viewer), _selected(rows, b, viewer)
    if sa_.headline and sb.headline:
        assert _safe_difference(pa_, pb), ("two links subtract to a small group", a, b)
    by_name = {n: t for t, n in TEAMS.items()}
    for name, value in sa_.teams.items():
        other = sb.teams.get(name, math.nan)
        if not math.isnan(value) and not math.isnan(other):
            team = by_name[name]
            assert _safe_difference([r for r in pa_ if r.team == team], [r for r in pb if r.team == team]), \
                ("a team row differs between two links by a small group", name, a, b)
    for cell in set(sa_.cells) & set(sb.cells):
        covers = sa_.cells[cell]
        assert _safe_difference([r for r in pa_ if covers(r)], [r for r in pb if covers(r)]), \
            ("a cell differs between two links by a small group", cell, a, b)
    if sa_.change and sb.change:
        assert _safe_difference(_selected(rows, a, viewer, before=True), _selected(rows, b, viewer, before=True)), \
            ("the periods before two links differ by a small group", a, b)
    for month in sa_.months & sb.months:
        same = lambda r: (r.day.year, r.day.month) == (month.year, month.month)  # noqa: E731
        assert _safe_difference([r for r in pa_ if same(r)], [r for r in pb if same(r)]), \
            ("a trend month differs between two links by a small group", month, a, b)


def _property(url_for, monkeypatch):
    downloads: list[pl.DataFrame] = []
    import components.tables as tables

    real = tables.safe_csv_bytes

    def capture(frame):
        downloads.append(frame)
        return real(frame)

    monkeypatch.setattr(tables, "safe_csv_bytes", capture)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())

    @settings(max_examples=int(os.environ.get("PRIVACY_EXAMPLES", "7")), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(raw=rows_strategy(), link=link_strategy, data=hs.data(), lead=hs.booleans())
    def check(raw, link, data, lead):
        rows = _make_rows(raw)
        url = url_for()
        _fill(url, rows)
        os.environ["SERVICE_PULSE_DATABASE_URL"] = url
        viewer = LEAD if lead else CIO
        other = data.draw(neighbour(link))
        first = _run(url, viewer, link, downloads)
        second = _run(url, viewer, other, downloads)
        _check_one(rows, link, viewer, first)
        _check_one(rows, other, viewer, second)
        _check_pair(rows, viewer, link, other, first, second)
        if os.environ.get("PRIVACY_TRACE"):
            print("TRACE", len(rows), first.headline, second.headline, len(first.teams),
                  sum(not math.isnan(v) for v in first.teams.values()), len(first.months), len(first.chart_rows))

    try:
        check()
    finally:
        os.environ.pop("SERVICE_PULSE_DATABASE_URL", None)
        st.cache_data.clear()


def test_culture_trends_never_discloses_a_small_group_sqlite(monkeypatch, tmp_path):
    url = f"sqlite:///{tmp_path / 'property.sqlite'}"
    schema.create_schema(get_engine(url))
    _property(lambda: url, monkeypatch)


def test_culture_trends_never_discloses_a_small_group_postgres(monkeypatch, empty_postgres_url):
    _property(lambda: empty_postgres_url, monkeypatch)
