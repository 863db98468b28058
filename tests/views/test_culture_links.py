"""Hiding decisions carried across Culture trends links, on hand-built warehouses (docs/PRIVACY.md).

Every figure below is worked out by hand from the rows inserted here.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from data_access import catalogue, schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from views import culture_links as links
from views.culture import culture_report
from views.culture_cells import CellReads
from views.disclosure import Disclosure
from data_access.trends import analyst_cells

MONDAY = dt.date(2026, 10, 5)
NOW = (MONDAY, MONDAY + dt.timedelta(days=7))
CIO = Scope("cio")


def _warehouse(tmp_path, rows: list[tuple]) -> str:
    """rows: (analyst, team, service, channel, score, day offset from MONDAY); analysts 1–3 in
    team 1, 4–6 in team 2; services 1–4."""
    url = f"sqlite:///{tmp_path / 'links.sqlite'}"
    engine = get_engine(url)
    schema.create_schema(engine)
    with engine.begin() as conn:
        catalogue.seed_catalogue(conn)
        conn.execute(schema.teams.insert(), [dict(team_id=1, name="Alpha"), dict(team_id=2, name="Beta")])
        conn.execute(schema.services.insert(), [dict(service_id=s, name=f"S{s}") for s in (1, 2, 3, 4)])
        conn.execute(schema.analysts.insert(), [dict(analyst_id=a, name=f"P{a}", team_id=1 if a <= 3 else 2)
                                                for a in range(1, 7)])
        tickets, answers = [], []
        for key, (analyst, team, service, channel, score, day) in enumerate(rows, start=1):
            at = dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(10))
            tickets.append(dict(ticket_key=key, ticket_id=f"T{key}", ticket_type="incident", channel=channel,
                                service_id=service, priority=3, opened_at=at - dt.timedelta(hours=1), resolved_at=at,
                                analyst_id=analyst, team_id=team, reassignment_count=0, reopened=False, sla_met=True,
                                first_contact_resolution=False, handle_minutes=10.0))
            answers.append(dict(ticket_key=key, happiness=score, submitted_at=at + dt.timedelta(hours=1)))
        conn.execute(schema.tickets.insert(), tickets)
        conn.execute(schema.responses.insert(), answers)
    return url


def _report(url: str, **slices):
    return culture_report(scope=CIO, filters=Filters(*NOW, **slices), url=url)


# Email: S1 two answers by analyst 1 (small), S2 six by analysts 1–3, S3 five by analysts 4–6;
# phone: S4 ten by analysts 4–6. Scores: S1 0, 0; S2 all 10; S3 10, 10, 0, 0, 0; S4 all 9.
EMAIL_ROW = ([(1, 1, 1, "email", 0, d) for d in (0, 1)] + [(1 + i % 3, 1, 2, "email", 10, i % 5) for i in range(6)]
             + [(4 + i % 3, 2, 3, "email", s, i) for i, s in enumerate((10, 10, 0, 0, 0))]
             + [(4 + i % 3, 2, 4, "phone", 9, i % 5) for i in range(10)])


@pytest.fixture
def email_row(tmp_path) -> str:
    return _warehouse(tmp_path, EMAIL_ROW)


def test_rule_1_a_link_on_part_of_the_hidden_block_is_withheld(email_row):
    """The plain page hides S1 × email (2 answers, 1 analyst). Its team table shows Alpha, 8
    answers: S1 × email and S2 × email, team 1's only cells; so S2 × email shown as well would give
    S1 × email away as Alpha minus S2 × email. The service × channel × team pattern hides S2 × email
    with it, and the hotspot table's own complement S3 × email (the smallest other cell; the week's
    own table's choice, which every link keeps) stays hidden too. A link on S2 or on S3
    holds part of the hidden block — its total is one of its cells — and is withheld; the email link
    holds all of it and shows its figures."""
    plain = _report(email_row)
    hot = {(r["service_id"], r["channel"]): r["happiness"] for r in plain.hotspots.iter_rows(named=True)}
    assert hot == {(1, "email"): None, (2, "email"): None, (3, "email"): None, (4, "phone"): 100.0}
    assert {r["team"]: r["n"] for r in plain.teams.iter_rows(named=True)} == {"Alpha": 8, "Beta": 15}
    assert (plain.headline.n, round(plain.headline.happiness, 2)) == (23, round(100 * (18 - 5) / 23, 2))
    s2 = _report(email_row, service_ids=(2,))
    assert (s2.withheld, s2.headline.n, s2.headline.happiness) == ("complement", 6, None)
    s3 = _report(email_row, service_ids=(3,))
    assert (s3.withheld, s3.headline.n, s3.headline.happiness) == ("complement", 5, None)
    email = _report(email_row, channels=("email",))
    assert (email.withheld, email.headline.n, round(email.headline.happiness, 2)) == (None, 13, round(100 * 3 / 13, 2))


def test_rule_2_the_narrower_link_hides_what_the_wider_one_hid(email_row):
    """On the email link the carried cells are exactly the three the plain page hides, so its own
    hotspot table shows none of its cells."""
    gate = Disclosure.for_scope(CIO)
    reads = CellReads(lambda f, p: analyst_cells(scope=CIO, filters=f, url=email_row, by_priority=p))
    from views.culture import _all_gaps

    filters = Filters(*NOW, channels=("email",))
    carried = links.carried(gate, filters, reads, lambda wider: _all_gaps(gate, wider, reads))
    assert carried[("service_id", "channel")] == {(1, "email"), (2, "email"), (3, "email")}
    email = _report(email_row, channels=("email",))
    assert email.hotspots.filter(pl.col("happiness").is_not_null()).is_empty()
    # What the email link may never do is show a cell the plain page hid.
    assert set(email.hotspots.filter(pl.col("happiness").is_null()).select("service_id", "channel").rows()) == {
        (1, "email"), (2, "email"), (3, "email")}


def test_a_focused_link_on_a_passing_cell_that_nothing_hides_is_shown(email_row):
    s4 = _report(email_row, service_ids=(4,), channels=("phone",))
    assert (s4.withheld, s4.headline.n, s4.headline.happiness) == (None, 10, 100.0)


# The period before is the week of 28 Sep. Team 1 answers six times by email in both weeks, and
# twice by phone (one analyst) in the week before only; team 2 six times by email in both weeks.
BEFORE = -7
TEAM_BEFORE = ([(1 + i % 3, 1, 1, "email", s, i % 5) for i, s in enumerate((10, 10, 10, 9, 9, 0))]
               + [(4 + i % 3, 2, 2, "email", 10, i % 5) for i in range(6)]
               + [(1 + i % 3, 1, 1, "email", s, BEFORE + i % 5) for i, s in enumerate((10, 9, 7, 7, 0, 0))]
               + [(1, 1, 1, "phone", 0, BEFORE + d) for d in (1, 2)]
               + [(4 + i % 3, 2, 2, "email", 10, BEFORE + i % 5) for i in range(6)])


def test_a_teams_change_is_hidden_when_a_neighbouring_links_period_before_splits_it(tmp_path):
    """Plain link: Alpha now +66.7 (5 happy, 1 unhappy of 6), before -25 (2 happy, 4 unhappy of 8):
    change +91.7. The email link: Alpha now the same, before 0 (2 and 2 of 6) — showing its change
    +66.7 as well would give away the two phone answers of the week before (both unhappy). The
    email link hides Alpha's change, and Beta's with it (the period before's two team cells add up
    to its total, so one hidden alone could be worked out from the other)."""
    url = _warehouse(tmp_path, TEAM_BEFORE)
    plain = {r["team"]: r["change"] for r in _report(url).teams.iter_rows(named=True)}
    assert plain == {"Alpha": pytest.approx(100 * 4 / 6 + 25), "Beta": 0.0}
    email = _report(url, channels=("email",))
    assert email.withheld is None
    rows = {r["team"]: (r["happiness"], r["change"], r["trend"]) for r in email.teams.iter_rows(named=True)}
    assert rows == {"Alpha": (pytest.approx(100 * 4 / 6), None, None), "Beta": (100.0, None, None)}
    # The headline's change on the email link is hidden for the same reason (checked before).
    assert email.headline.change.change is None


# Four cells that each fail the rule (4 answers, 2 analysts) and a large one (S1 × portal):
# email holds S1 (analysts 1, 2) and S2 (analysts 2, 3); phone S3 (4, 5) and S4 (5, 6).
TWO_PARTS = ([(1 + i % 2, 1, 1, "email", 10, i) for i in range(4)] + [(2 + i % 2, 1, 2, "email", 0, i) for i in range(4)]
             + [(4 + i % 2, 2, 3, "phone", 9, i) for i in range(4)] + [(5 + i % 2, 2, 4, "phone", 5, i) for i in range(4)]
             + [(1 + i % 6, 1 + i % 6 // 3, 1, "portal", 8, i % 5) for i in range(10)])


def test_a_link_whose_total_pins_down_a_small_three_way_cell_is_withheld(tmp_path):
    """The plain page hides the four small cells and S1 × portal (S1's only other cell, hidden
    with S1 × email so that the service's own total cannot give that cell away). The email link
    holds two of the five hidden cells: 8 answers from analysts 1–3, and the other part is 18
    answers from 6 analysts — both pass as groups, so rule 1 alone would show it. But its total
    with the plain page's team row Alpha (14: S1 × email, S2 × email and S1 × portal of Alpha)
    gives S1 × portal × Alpha (6 answers), and the portal channel's total (10: its monthly line and
    its lost time) minus that gives S1 × portal × Beta: 4 answers. The service × channel × team pattern
    hides the email total, so the email link is withheld; each team's link shows its total and
    no hotspot cell."""
    url = _warehouse(tmp_path, TWO_PARTS)
    plain = _report(url)
    hidden = set(plain.hotspots.filter(pl.col("happiness").is_null()).select("service_id", "channel").rows())
    assert hidden == {(1, "email"), (2, "email"), (3, "phone"), (4, "phone"), (1, "portal")}
    email = _report(url, channels=("email",))
    assert (email.withheld, email.headline.n, email.headline.happiness) == ("complement", 8, None)
    assert {r["team"]: (r["n"], r["happiness"]) for r in plain.teams.iter_rows(named=True)} == {
        "Alpha": (14, 0.0), "Beta": (12, 0.0)}
    for team, n in ((1, 14), (2, 12)):
        link = _report(url, team_ids=(team,))
        assert (link.withheld, link.headline.n, link.headline.happiness) == (None, n, 0.0)
        assert link.hotspots.filter(pl.col("happiness").is_not_null()).is_empty()
    # The S1 link is withheld before this rule is asked: the other services' 12 answers come from
    # 5 analysts, but each service's from 2, and that lower bound is what the neighbour check uses.
    assert _report(url, service_ids=(1,)).withheld == "neighbour"
    # One small cell's own link is too small anyway.
    assert _report(url, service_ids=(3,)).withheld == "small"
