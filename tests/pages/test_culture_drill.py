"""Culture trends drill-through: from a hotspot cell, a factor or a month to what users said.

The hand-made warehouse of test_culture_trends, with comments written here, a third (small)
hotspot cell and a hostile analyst name from an import. Every expected line is written out by hand.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import streamlit as st

from components.text import literal
from data_access import rollups, schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from tests.pages.test_culture_trends import CIO, page, warehouse  # noqa: F401  (fixtures)
from views.culture import culture_report
from views.drill import DrillTarget, drill_through

HOSTILE = ("Eve [Reset your password](https://evil.example/login)", "Ögmundur \"Ogi\" O'Hara-Björk (ext.)")
# Comments on the VPN × phone cell (ticket keys 6..10, submitted 5..9 Oct 2026 at 13:00).
COMMENTS = {
    10: "Bo Brandt's fix didn't hold.",                               # full name, possessive
    9: "ELI was rude, and eli never called back.",                    # first name, any case
    8: "Thanks to Dunn!",                                             # last name, punctuation
    6: "Cyril helped, then Flo  Ford (and ögmundur) too; OGI's call was great.",  # hostile import
}
REDACTED = {
    10: "[analyst]'s fix didn't hold.",
    9: "[analyst] was rude, and [analyst] never called back.",
    8: "Thanks to [analyst]!",
    6: "Cyril helped, then [analyst] (and [analyst]) too; [analyst]'s call was great.",
}
SMALL_CELL_COMMENT = "Printer jam again, Ann Archer knows."


def _with_comments(warehouse: str, *, small_cell: bool) -> str:
    engine = get_engine(warehouse)
    with engine.begin() as conn:
        conn.execute(schema.analysts.insert(), [dict(analyst_id=10 + i, name=name, team_id=2, tier="L1")
                                                for i, name in enumerate(HOSTILE)])
        for key, text in COMMENTS.items():
            conn.execute(schema.responses.update().where(schema.responses.c.ticket_key == key).values(comment=text))
        for key, day in ((101, 6), (102, 7)) if small_cell else ():
            resolved = dt.datetime(2026, 10, day, 15, 0)
            conn.execute(schema.tickets.insert(), dict(
                ticket_key=key, ticket_id=f"INC{key:05d}", ticket_type="incident", channel="chat", service_id=3,
                priority=3, opened_at=resolved - dt.timedelta(hours=1), resolved_at=resolved, analyst_id=1,
                team_id=1, reassignment_count=0, reopened=False, sla_met=True, first_contact_resolution=False))
            conn.execute(schema.responses.insert(), dict(ticket_key=key, happiness=3, comment=SMALL_CELL_COMMENT,
                                                         submitted_at=resolved + dt.timedelta(hours=1)))
        if rollups.maintained_here(conn):
            rollups.rebuild(conn)
    st.cache_data.clear()
    return warehouse


@pytest.fixture
def drill_url(warehouse):  # noqa: F811
    """The hand warehouse plus comments, two hostile analysts and a small Printing × chat cell
    (two responses by one analyst), with rollups rebuilt where the fixture built them."""
    return _with_comments(warehouse, small_cell=True)


@pytest.fixture
def open_url(warehouse):  # noqa: F811
    """The same without the small cell: nothing on the plain page is hidden, so a link focused on
    VPN × phone shows it (and its comments)."""
    return _with_comments(warehouse, small_cell=False)


def _report(url, monkeypatch, **slices):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    return culture_report(scope=Scope("cio"), filters=Filters(dt.date(2025, 12, 1), dt.date(2026, 11, 21), **slices),
                          url=url)


def test_cell_drill_lists_redacted_comments_newest_first(open_url, monkeypatch):
    report = _report(open_url, monkeypatch, channels=("phone",))
    result = drill_through(report, DrillTarget("cell", service_id=2, channel="phone"))
    assert (result.n, result.commented, result.page, result.pages, result.withheld) == (5, 4, 0, 1, None)
    assert result.rows["comment"].to_list() == [REDACTED[k] for k in (10, 9, 8, 6)]
    assert result.rows["day"].to_list() == [dt.date(2026, 10, d) for d in (9, 8, 7, 5)]
    assert result.rows["happiness"].to_list() == [2, 5, 7, 8]
    everything = drill_through(report, DrillTarget("cell", service_id=2, channel="phone"), only_commented=False)
    assert everything.rows["comment"].to_list() == [REDACTED[10], REDACTED[9], REDACTED[8], None, REDACTED[6]]
    assert "ticket_id" not in everything.rows.columns and "analyst" not in " ".join(everything.rows.columns)


def test_suppressed_cells_show_no_comments(drill_url, monkeypatch):
    report = _report(drill_url, monkeypatch)
    # Printing × chat: 2 responses by one analyst. VPN × phone (5 responses, 4 analysts, the
    # comments above) would pass alone but is hidden with it, so "total minus the others" cannot
    # give the small cell away; its comments stay hidden too.
    for target, n in ((DrillTarget("cell", service_id=3, channel="chat"), 2),
                      (DrillTarget("cell", service_id=2, channel="phone"), 5)):
        result = drill_through(report, target, only_commented=False)
        assert result.withheld and result.n == n and result.rows.is_empty() and result.pages == 0
    # A cell the report does not have at all (forged): nothing either.
    forged = drill_through(report, DrillTarget("cell", service_id=3, channel="phone"))
    assert forged.withheld and forged.rows.is_empty()


def test_factor_and_month_drills(drill_url, monkeypatch):
    report = _report(drill_url, monkeypatch)
    october = drill_through(report, DrillTarget("month", month=dt.date(2026, 10, 1)), page_size=3)
    # 12 responses in October, 6 with a comment: the 4 above and the two small-cell ones.
    assert (october.n, october.commented, october.pages) == (12, 6, 2)
    printer = "Printer jam again, [analyst] knows."  # 7 Oct 16:00 and 6 Oct 16:00
    assert october.rows["comment"].to_list() == [REDACTED[10], REDACTED[9], printer]
    older = drill_through(report, DrillTarget("month", month=dt.date(2026, 10, 1)), page=1, page_size=3)
    assert older.rows["comment"].to_list() == [REDACTED[8], printer, REDACTED[6]]
    # "Speed of service" is named by 3 responses now: too few to open.
    speed = drill_through(report, DrillTarget("factor", factor_id=1))
    assert speed.withheld and speed.n == 3 and speed.rows.is_empty()


def _drill_markdown(at) -> list[str]:
    return [m.value for m in at.markdown if "analyst\\]" in m.value or "Printer" in m.value]


def test_page_drills_from_the_focused_hotspot_cell(open_url, page):  # noqa: F811
    at = page(params={"service": "2", "channel": "phone"})
    box = at.selectbox(key="trends_drill_cell")
    assert box.options == ["VPN · Phone"] and box.value == DrillTarget("cell", service_id=2, channel="phone")
    assert _drill_markdown(at) == [literal(REDACTED[k]) for k in (10, 9, 8, 6)]
    captions = [c.value for c in at.caption]
    assert "5 responses, 4 with a comment · newest first" in captions
    assert "9 Oct 2026 · score 2 · VPN · Phone · request" in captions
    assert not any("Brandt" in c or "Ogi" in c for c in captions + _drill_markdown(at))


def test_page_month_drill_pages_through_comments(drill_url, page):  # noqa: F811
    at = page()
    at.segmented_control(key="trends_drill_kind").set_value("month").run()
    assert at.selectbox(key="trends_drill_month").options == ["October 2026"]
    printer = literal("Printer jam again, [analyst] knows.")
    assert _drill_markdown(at) == [literal(REDACTED[10]), literal(REDACTED[9]), printer, literal(REDACTED[8]),
                                   printer, literal(REDACTED[6])]
    at.toggle(key="trends_drill_only").set_value(False).run()
    assert "No comment." in [c.value for c in at.caption]
    assert "12 responses, 6 with a comment · newest first" in [c.value for c in at.caption]
    at.button(key="trends_drill_older").click().run()
    assert "Page 2 of 2" in [c.value for c in at.caption]
    assert len([c for c in at.caption if c.value.startswith("5 Oct 2026")]) == 2  # the two oldest


def test_page_never_offers_a_suppressed_cell(drill_url, page):  # noqa: F811
    at = page()
    assert at.selectbox(key="trends_drill_cell").options == ["Email · Email"]
    assert not _drill_markdown(at)  # Email × email has no comments; VPN × phone is not offered
    at.segmented_control(key="trends_drill_kind").set_value("factor").run()
    assert at.selectbox(key="trends_drill_factor").options == ["Speed of service", "Slow service"]
    assert at.info and any("not shown" in i.value and i.value.startswith("3 responses") for i in at.info)


def test_a_lead_reads_only_their_teams_comments(drill_url, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", drill_url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", "2026-11-20")
    report = culture_report(scope=Scope("lead", team_ids=(1,)), url=drill_url,
                            filters=Filters(dt.date(2025, 12, 1), dt.date(2026, 11, 21)))
    result = drill_through(report, DrillTarget("month", month=dt.date(2026, 10, 1)))
    # Alpha Desk's analysts (1–3) answered keys 1–6 and the two Printing × chat tickets: 8 responses;
    # the comments of keys 8–10 (Beta Ops' analysts) are not theirs to read.
    assert (result.n, result.commented, result.withheld) == (8, 3, None)
    assert result.rows["comment"].to_list() == ["Printer jam again, [analyst] knows.",
                                                "Printer jam again, [analyst] knows.", REDACTED[6]]


def test_database_lost_after_the_report_is_explained_in_drill_and_survey_rates(drill_url, page, monkeypatch):  # noqa: F811
    """The report comes from the cache; the drill-through and the survey-rate table read afresh.
    When the database stops answering then, each says so in one friendly line, the rest stays."""
    from data_access import drill as drill_reads
    from data_access.engine import DatabaseUnavailable
    from views import survey_rates

    def down(**_):
        raise DatabaseUnavailable("The database cannot be reached right now.")

    monkeypatch.setattr(drill_reads, "cell_size", down)
    monkeypatch.setattr(survey_rates, "channel_rates", down)
    at = page()
    # 12 responses: 5 happy, 3 neutral, 4 unhappy (the two small-cell answers score 3) → +8
    assert {m.label: m.value for m in at.metric}["Happiness"] == "+8"
    assert [e.value for e in at.error] == ["The database cannot be reached right now."] * 2


def test_month_drill_blanks_labels_that_would_rebuild_a_hidden_cell(drill_url, monkeypatch):
    """The page hides Printing × chat (2 responses, 1 analyst) and VPN × phone with it, and every
    October cell by channel and by ticket type. Rows labelled with them would give those cells
    away (VPN × phone's five scores are its Happiness), so an October row keeps only its day,
    score and comment — unless the page shows the cells its labels belong to."""
    from dataclasses import replace

    import polars as pl

    report = _report(drill_url, monkeypatch)
    october = DrillTarget("month", month=dt.date(2026, 10, 1))
    rows = drill_through(report, october, only_commented=False, page_size=20).rows
    assert rows.height == 12
    assert rows.select("service", "channel", "ticket_type").null_count().row(0) == (12, 12, 12)
    assert sorted(rows["happiness"].to_list()) == [2, 3, 3, 5, 7, 8, 8, 9, 9, 9, 10, 10]
    # Were October × email and October × incident shown, the Email × email rows (a shown
    # hotspot cell) would keep their labels; VPN and Printing rows would still not.
    month = dt.date(2026, 10, 1)
    shown = replace(report, compare={**report.compare,
                                     "Channel": pl.DataFrame({"month": [month], "channel": ["email"]}),
                                     "Ticket type": pl.DataFrame({"month": [month], "ticket_type": ["incident"]})})
    rows = drill_through(shown, october, only_commented=False, page_size=20).rows
    labelled = rows.filter(pl.col("service").is_not_null())
    assert labelled.select("service", "channel", "ticket_type").unique().rows() == [("Email", "email", "incident")]
    assert labelled.height == 5 and rows.filter(pl.col("channel").is_not_null()).height == 5
    # Incidents of other cells keep their type only: 2 Printing × chat, 1 VPN × phone.
    assert rows.filter(pl.col("service").is_null())["ticket_type"].to_list().count("incident") == 3


def test_a_cell_hidden_as_a_complement_stays_hidden_when_the_link_focuses_on_it(drill_url, monkeypatch):
    """The plain page shows all 12 responses (+8) and Email × email (+100, n = 5), and hides
    VPN × phone only so that Printing × chat (2 responses, 1 analyst) cannot be worked out. A link
    focused on VPN × phone would show its -40: then 12·0.08 − 5·1 − 5·(−0.4) = −2 = Printing × chat's
    two unhappy answers. The focused link (and its drill-through) stays withheld, and so do the
    links on one of the two (service 2, or phone) whose totals hold VPN × phone but not Printing."""
    plain = _report(drill_url, monkeypatch)
    assert (plain.headline.n, round(plain.headline.happiness)) == (12, 8)
    shown = plain.hotspots.filter(~pl.col("suppressed"))
    assert shown.select("service_id", "channel", "n", "happiness").rows() == [(1, "email", 5, 100.0)]
    for slices in ({"service_ids": (2,), "channels": ("phone",)}, {"service_ids": (2,)}, {"channels": ("phone",)}):
        focused = _report(drill_url, monkeypatch, **slices)
        assert (focused.withheld, focused.headline.n, focused.headline.happiness) == ("complement", 5, None), slices
        assert focused.hotspots.is_empty() and focused.teams.is_empty()
        drill = drill_through(focused, DrillTarget("cell", service_id=2, channel="phone"), only_commented=False)
        assert drill.withheld and drill.rows.is_empty() and drill.n == 5
    # Lost time by channel hides chat (2 answers) and, as its complement, email (5 answers; the
    # first of the two channels of 5): the email link would give chat's lost minutes away as
    # total minus phone minus email, so it is withheld too. Chat alone is simply too small.
    assert _report(drill_url, monkeypatch, channels=("email",)).withheld == "complement"
    assert _report(drill_url, monkeypatch, channels=("chat",)).withheld == "small"


def test_a_withheld_focused_link_says_why(drill_url, page):  # noqa: F811
    at = page(params={"service": "2", "channel": "phone"})
    notice = [i.value for i in at.info if "withheld" in i.value]
    assert notice == ["This selection holds part, not all, of the cells a wider view hides to protect a small "
                      "group, so its figures are withheld (n = 5). Remove a filter to see the wider view, where "
                      "that group is hidden with its neighbours."]
    assert not at.metric or {m.label: m.value for m in at.metric}.get("Happiness") in (None, "–")


# ---- one click (or a link) opens a month's or a factor's responses: components/drill_link.py

def _read_param(at) -> str | None:
    value = at.query_params.get("read")
    return value if value is None or isinstance(value, str) else value[0]


def test_a_link_naming_a_month_opens_its_responses_in_the_read_tab(drill_url, page):  # noqa: F811
    at = page(params={"read": "month-2026-10"})
    assert at.session_state["trends_tabs"] == "Read responses"
    assert at.segmented_control(key="trends_drill_kind").value == "month"
    assert at.selectbox(key="trends_drill_month").value == DrillTarget("month", month=dt.date(2026, 10, 1))
    assert "12 responses, 6 with a comment · newest first" in [c.value for c in at.caption]
    printer = literal("Printer jam again, [analyst] knows.")
    assert _drill_markdown(at) == [literal(REDACTED[10]), literal(REDACTED[9]), printer, literal(REDACTED[8]),
                                   printer, literal(REDACTED[6])]
    assert _read_param(at) == "month-2026-10"
    # Undone like a filter: "Back to cells" forgets it, in the section and in the link.
    at.button(key="trends_drill_clear").click().run()
    assert at.segmented_control(key="trends_drill_kind").value == "cell"
    assert _read_param(at) is None
    assert at.selectbox(key="trends_drill_cell").options == ["Email · Email"]


def test_picking_a_month_in_the_section_puts_it_in_the_link(drill_url, page):  # noqa: F811
    at = page()
    assert _read_param(at) is None
    at.segmented_control(key="trends_drill_kind").set_value("month").run()
    assert _read_param(at) == "month-2026-10"
    at.segmented_control(key="trends_drill_kind").set_value("cell").run()
    assert _read_param(at) is None


def test_a_link_to_a_factor_too_small_to_open_shows_only_its_size(drill_url, page):  # noqa: F811
    at = page(params={"read": "factor-1"})
    assert at.selectbox(key="trends_drill_factor").value == DrillTarget("factor", factor_id=1)
    assert [i.value for i in at.info if i.value.startswith("3 responses")] == [
        "3 responses — not shown: fewer than 5 responses or 3 analysts, or hidden so that a small group cannot "
        "be worked out from the others."]
    assert not _drill_markdown(at)


@pytest.mark.parametrize("raw", ["month-2026-13", "factor-x", "cell-2", "month-2099-01", "factor-0"])
def test_a_link_naming_nothing_is_dropped_with_a_notice(drill_url, page, raw):  # noqa: F811
    at = page(params={"read": raw})
    assert any(f"responses to read “{raw}”" in w.value for w in at.warning), [w.value for w in at.warning]
    assert _read_param(at) is None
    assert at.segmented_control(key="trends_drill_kind").value == "cell"


def test_a_link_to_a_month_without_figures_says_so_and_opens_none_of_it(drill_url, page):  # noqa: F811
    at = page(params={"read": "month-2025-12"})  # inside the period, but no trend point (no responses)
    assert any(i.value.startswith("That month shows no figures in this selection") for i in at.info)
    assert at.selectbox(key="trends_drill_month").options == ["October 2026"]
