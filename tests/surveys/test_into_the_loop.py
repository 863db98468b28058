"""A survey answer reaches Coaching, My feedback and Culture trends exactly like an imported one:
two copies of one warehouse, the same answer given through the survey page's writes in one and
imported from a generic responses file in the other, and the read models of the three pages
give the same figures in both (and one answer more than before)."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from data_access import schema
from data_access.coaching_analyst import verbatims
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.my_feedback import my_verbatims
from data_access.scope import Scope
from data_access.surveys import answers
from tests.importer.helpers import do_import
from tests.surveys.helpers import NOW, new_ticket, sent_invitation
from views.coaching.analyst import analyst_detail
from views.culture import culture_report
from views.my_feedback import my_figures

PERIOD = Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 21))
ANALYST = 3
COMMENT = "Took ages, and nobody told me"


@pytest.fixture
def twins(notify_db, tmp_path) -> tuple[str, str]:
    """The demo copy (answers come through the survey) and its twin (answers are imported)."""
    twin = tmp_path / "imported.sqlite"
    shutil.copy(notify_db.removeprefix("sqlite:///"), twin)
    return notify_db, f"sqlite:///{twin}"


def _invited_ticket(url: str) -> tuple[int, int]:
    key = new_ticket(url, analyst_id=ANALYST, email="kim@example.com", description="Mailbox full")
    inv, _ = sent_invitation(url, key)
    return key, inv


def _figures(url: str, team_id: int) -> dict:
    """What the three pages show about the analyst in November (read models, uncached)."""
    me, lead = Scope("analyst", analyst_id=ANALYST, team_ids=(team_id,)), Scope("lead", team_ids=(team_id,))
    detail = analyst_detail(scope=lead, analyst_id=ANALYST, filters=PERIOD, phrase="in November", url=url)
    culture = culture_report(scope=Scope("cio"), filters=PERIOD, url=url)
    return {
        "my_stats": my_figures(scope=me, filters=PERIOD, url=url).stats,
        "my_comments": my_verbatims(scope=me, filters=PERIOD, url=url)[0],
        "coaching_totals": detail.totals,
        "coaching_factors": detail.factors,
        "coaching_comments": verbatims(scope=lead, analyst_id=ANALYST, filters=PERIOD, url=url)[0],
        "culture_headline": (culture.headline.n, culture.headline.happiness, culture.headline.unhappy,
                             culture.headline.lost),
        "culture_factors": culture.factors,
    }


def _same(a: dict, b: dict) -> None:
    for name in a:
        if isinstance(a[name], pl.DataFrame):
            assert_frame_equal(a[name], b[name], check_exact=False, rel_tol=1e-12)
        else:
            assert a[name] == b[name], name


def test_a_survey_answer_shows_on_every_page_like_an_imported_one(twins, tmp_path):
    surveyed, imported = twins
    key, inv = _invited_ticket(surveyed)
    assert _invited_ticket(imported) == (key, inv)
    with get_engine(surveyed).connect() as conn:
        team_id, ticket_id = conn.execute(sa.select(schema.tickets.c.team_id, schema.tickets.c.ticket_id)
                                          .where(schema.tickets.c.ticket_key == key)).one()
        labels = {label: fid for fid, label, _ in answers.factor_options(conn)}
    before = _figures(surveyed, team_id)

    engine = get_engine(surveyed)
    assert answers.record_score(engine, inv, 3, now=NOW) == "recorded"
    assert answers.save_followup(engine, inv, care={"communication": 2, "expectation": 1}, lost_minutes=45,
                                 comment=COMMENT, factor_ids=[labels["Slow service"], labels["Not kept informed"]])
    path = tmp_path / "answers.csv"
    path.write_text("ticket_id,happiness,communication,expectation,lost_minutes,factors,comment,submitted_at\n"
                    f'{ticket_id},3,2,1,45,Slow service;Not kept informed,"{COMMENT}",'
                    f"{NOW:%Y-%m-%d %H:%M:%S}\n")
    result = do_import(imported, "responses", path, preset="generic")
    assert (result.rejected, result.inserted) == (0, 1)

    after, twin = _figures(surveyed, team_id), _figures(imported, team_id)
    _same(after, twin)
    # And it is there: one answer more for the analyst, their team's lead and the organisation.
    assert int(after["my_stats"]["n"][0]) == int(before["my_stats"]["n"][0]) + 1
    assert after["coaching_totals"]["n"] == before["coaching_totals"]["n"] + 1
    assert after["culture_headline"][0] == before["culture_headline"][0] + 1
    assert COMMENT in after["my_comments"]["comment"].to_list()
    assert COMMENT in after["coaching_comments"]["comment"].to_list()
    slow = after["coaching_factors"].filter(pl.col("label") == "Slow service")["analyst_count"][0]
    assert slow == before["coaching_factors"].filter(pl.col("label") == "Slow service")["analyst_count"][0] + 1
