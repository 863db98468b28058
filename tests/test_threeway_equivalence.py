"""The suppression pattern of Culture trends' service × channel × team table (views/culture_threeway.py)
is privacy code made faster: for every input it must hide exactly the cells its earlier, plain
version hides (kept as tests/threeway_reference.py). Random per-analyst cells — null values, one
atom, every cell below the rule, weeks that repeat, crowds of atoms among two or three analysts whose
search runs past `SEARCH_BUDGET` or finds `LEAKS_PER_ROUND` groups — and the demo warehouse's cells
are given to both, and their patterns compared; the search's limits are also made small, so that
cutting a round short (where the order of the search decides what is hidden) is met often."""

from __future__ import annotations

import datetime as dt
import os
import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.trends import analyst_cells
from tests import threeway_reference as reference
from views import culture_threeway as threeway
from views.culture_cells import CellReads
from views.disclosure import Disclosure

MONDAY = dt.date(2026, 3, 2)
SCHEMA = {"week": pl.Date, "team_id": pl.Int64, "service_id": pl.Int64, "channel": pl.String,
          "analyst_id": pl.Int64, "n": pl.Int64}
LIMITS = [(reference.SEARCH_BUDGET, reference.LEAKS_PER_ROUND), (60, 16), (400, 3), (5, 1)]
"""(SEARCH_BUDGET, LEAKS_PER_ROUND) pairs: the module's own, and small ones that cut rounds short."""


def _values(rnd: random.Random, pool: list, most: int) -> list:
    values = rnd.sample(pool, rnd.randint(1, most))
    return values + [None] if rnd.random() < 0.25 else values


@hs.composite
def cells_frames(draw) -> tuple[Disclosure, pl.DataFrame]:
    """A gate and the per-analyst cells of a root link: a few services, channels, teams (at times a
    null among them), analysts and weeks; rows of n = 0 now and then."""
    rnd = random.Random(draw(hs.integers(0, 2 ** 32)))
    crowd = draw(hs.sampled_from(["plain", "plain", "one atom", "crowd", "repeat"]))
    services = _values(rnd, [1, 2, 3, 4, 5, 6], 6 if crowd == "crowd" else 4)
    channels = _values(rnd, ["email", "phone", "portal", "chat"], 4 if crowd == "crowd" else 3)
    teams = _values(rnd, [1, 2, 3, 4], 4 if crowd == "crowd" else 3)
    if crowd == "one atom":
        services, channels, teams = services[:1], channels[:1], teams[:1]
    analysts = list(range(1, (rnd.randint(2, 3) if crowd == "crowd" else rnd.randint(1, 12)) + 1))
    weeks = [MONDAY + dt.timedelta(weeks=w) for w in range(rnd.randint(1, 3))]
    size = rnd.randint(30, 110) if crowd == "crowd" else rnd.randint(0, 70)
    rows = [(rnd.choice(weeks), rnd.choice(teams), rnd.choice(services), rnd.choice(channels),
             rnd.choice(analysts), rnd.choices([0, 1, 2, 3, 7], [1, 6, 3, 2, 1])[0]) for _ in range(size)]
    if crowd == "repeat" and len(weeks) > 1:  # every week the same cells: the weeks' cubes are equal
        rows = [(week, *row[1:]) for week in weeks for row in rows if row[0] == weeks[0]]
    gate = Disclosure(draw(hs.integers(1, 8)), draw(hs.integers(1, 4)))
    return gate, pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _same(gate: Disclosure, cells: pl.DataFrame) -> None:
    expected = reference.pattern(gate, cells)
    got = threeway.pattern(gate, cells)
    assert (got.hidden, got.cells) == expected
    shape, plain = threeway.cube(cells), reference.cube(cells)
    assert list(shape.cells.items()) == list(plain.cells.items())
    if len(shape.sizes) <= threeway.MAX_ATOMS:
        assert threeway.hidden_cells(gate, shape) == reference.hidden_cells(gate, plain)


@pytest.fixture(params=LIMITS, ids=lambda limits: f"budget{limits[0]}-leaks{limits[1]}")
def limits(request, monkeypatch):
    budget, leaks = request.param
    for module in (threeway, reference):
        monkeypatch.setattr(module, "SEARCH_BUDGET", budget)
        monkeypatch.setattr(module, "LEAKS_PER_ROUND", leaks)
    return request.param


def test_the_pattern_is_the_plain_search_s_on_random_cells(limits):
    @settings(max_examples=int(os.environ.get("PRIVACY_EXAMPLES", 60)), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(case=cells_frames())
    def check(case):
        _same(*case)

    check()


def test_empty_and_degenerate_cells_are_handled_alike():
    gate = Disclosure(5, 3)
    empty = pl.DataFrame(schema=SCHEMA)
    _same(gate, empty)
    _same(gate, pl.DataFrame([(MONDAY, None, None, None, 1, 4)], schema=SCHEMA, orient="row"))
    _same(gate, pl.DataFrame([(MONDAY, 1, 1, "email", a, 3) for a in range(1, 6)], schema=SCHEMA, orient="row"))


def test_the_pattern_is_the_plain_search_s_on_the_demo_warehouse(sqlite_demo_url):
    """The demo's cells for each team's lead and the CIO, over a month and over a quarter."""
    end = dt.date(2026, 11, 16)
    scopes = [Scope("cio"), *(Scope("lead", team_ids=(team,)) for team in range(1, 9)),
              Scope("lead", team_ids=(1, 2))]
    for scope in scopes:
        gate = Disclosure.for_scope(scope)
        reads = CellReads(lambda f, by_priority: analyst_cells(scope=scope, filters=f, url=sqlite_demo_url,
                                                               by_priority=by_priority))
        for days in (28, 91):
            cells = reads(threeway.root(Filters(end - dt.timedelta(days=days), end)))
            _same(gate, cells)
