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
