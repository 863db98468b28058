"""Culture trends on a warehouse whose service × channel × team table is too large for the pattern
search (`views.culture_threeway.MAX_ATOMS`): the line rule still keeps one small cell from being
the difference of a shown cell and the rest of its line."""

from __future__ import annotations

import itertools
import random

import pytest
import streamlit as st

from data_access import schema
from data_access.engine import get_engine
from data_access.scope import Scope
from tests.test_privacy_periods_property import Layout, Link, _fill
from views import culture_threeway
from views.culture import culture_report

SERVICES = tuple(range(1, 13))
LAYOUT = Layout(services=SERVICES, channels=("email", "phone", "portal"), home=(1, 1, 1, 2, 2, 2, 3, 3, 3))
SMALL = (1, "email", 1)
"""The one small three-way cell: service 1 by email in team 1, two answers by one analyst."""


def _answers() -> list[tuple]:
    """Six answers by three analysts in every service × channel × team cell, but `SMALL`; all in one week."""
    rnd = random.Random(1)
    raw = []
    for service, channel, team in itertools.product(SERVICES, LAYOUT.channels, LAYOUT.teams):
        members = [i for i, home in enumerate(LAYOUT.home) if home == team]
        if (service, channel, team) == SMALL:
            raw += [(members[0], 2, 1, 2, channel, service), (members[0], 2, 2, 3, channel, service)]
            continue
        raw += [(members[k % 3], 2, rnd.randrange(5), rnd.randint(0, 10), channel, service) for k in range(6)]
    return raw


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lattice') / 'large.sqlite'}"
    schema.create_schema(get_engine(url))
    _fill(url, LAYOUT, _answers())
    st.cache_data.clear()
    return url


def _cell(url: str, slices: tuple = ()) -> list[tuple]:
    report = culture_report(scope=Scope("cio"), filters=Link(2, 3, slices).filters, url=url)
    hot = report.hotspots
    return hot.filter((hot["service_id"] == 1) & (hot["channel"] == "email")).select("happiness", "n").rows()


def test_the_table_is_above_the_search_limit():
    assert len(SERVICES) * len(LAYOUT.channels) * len(LAYOUT.teams) > culture_threeway.MAX_ATOMS


def test_a_small_cell_is_not_its_shown_line_minus_the_rest(warehouse):
    """Service 1 by email: 14 answers on the plain link, 2 in team 1, 6 in each other team. With
    teams 2 and 3 both shown, team 1's two answers (scores 2 and 3) were 14 minus 6 minus 6; now
    the line holds two hidden cells: team 1's and the smaller of the others (team 2's, by order)."""
    plain = _cell(warehouse)
    assert plain == [(pytest.approx(-300 / 7), 14)]
    assert _cell(warehouse, (("team_ids", (1,)),)) == [(None, 2)]
    assert _cell(warehouse, (("team_ids", (2,)),)) == [(None, 6)]
    assert _cell(warehouse, (("team_ids", (3,)),)) == [(-50.0, 6)]


# The grand total and the one-way totals: one team, channel or service that is small as a whole
# (two answers by one analyst), beside values that are each large. Its figure must not be the
# plain link's total minus the others' links, so at least one other value's link is withheld too.
# Each case: the layout, the cells of six answers, the two small answers, the field, the small value.
_FULL = tuple(itertools.product(SERVICES, ("email", "phone", "portal"), (1, 2, 3)))
SMALL_WHOLES = {
    "team": (Layout(SERVICES, ("email", "phone", "portal"), (1, 1, 1, 2, 2, 2, 3, 3, 3, 4)), _FULL,
             [(9, 2, 1, 0, "email", 1), (9, 2, 2, 0, "email", 1)], "team_ids", 4),
    "channel": (Layout(SERVICES, ("chat", "email", "phone", "portal"), LAYOUT.home), _FULL,
                [(0, 2, 1, 0, "chat", 1), (0, 2, 2, 0, "chat", 1)], "channels", "chat"),
    "service": (Layout((*SERVICES, 13), ("email", "phone", "portal"), LAYOUT.home), _FULL,
                [(0, 2, 1, 0, "email", 13), (0, 2, 2, 0, "email", 13)], "service_ids", 13),
}


def _six_per_cell(layout: Layout, cells) -> list[tuple]:
    rnd = random.Random(1)
    raw = []
    for service, channel, team in cells:
        members = [i for i, home in enumerate(layout.home) if home == team]
        raw += [(members[k % 3], 2, rnd.randrange(5), rnd.randint(0, 10), channel, service) for k in range(6)]
    return raw


@pytest.mark.parametrize("case", sorted(SMALL_WHOLES))
def test_a_small_one_way_total_is_not_the_grand_total_minus_the_rest(tmp_path, case):
    layout, cells, small, field, value = SMALL_WHOLES[case]
    url = f"sqlite:///{tmp_path / 'whole.sqlite'}"
    schema.create_schema(get_engine(url))
    _fill(url, layout, _six_per_cell(layout, cells) + small)
    st.cache_data.clear()
    values = {"team_ids": layout.teams, "channels": layout.channels, "service_ids": layout.services}[field]
    plain = culture_report(scope=Scope("cio"), filters=Link(2, 3).filters, url=url)
    assert plain.withheld is None and plain.headline.n == 6 * len(cells) + 2
    heads = {v: culture_report(scope=Scope("cio"), filters=Link(2, 3, ((field, (v,)),)).filters, url=url)
             for v in values}
    assert heads[value].withheld == "small" and heads[value].headline.happiness is None
    shown = [v for v, report in heads.items() if report.headline.happiness is not None]
    assert len(shown) <= len(values) - 2, "the small value's figure is the plain total minus the shown others"
    hidden_others = [v for v in values if v != value and v not in shown]
    assert [heads[v].withheld for v in hidden_others] == ["complement"]
