"""The suppression pattern of Culture trends' service × channel × team table
(views/culture_threeway.py and its search, views/culture_threeway_search.py) is privacy code made
faster: for every input it must hide exactly the cells its earlier, plain version hides (kept as
tests/threeway_reference.py). Random per-analyst cells — null values, one atom, every cell below
the rule, weeks that repeat, a week cut by a month's end, crowds of atoms among two or three
analysts whose search runs past `SEARCH_BUDGET` or finds `LEAKS_PER_ROUND` groups — and the demo
warehouse's cells are given to both, and their patterns compared; the search's limits are also made
small, so that cutting a round short (where the order of the search decides what is hidden) is met
often. One round's search is also compared on its own."""

from __future__ import annotations

import datetime as dt
import os
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.trends import analyst_cells
from tests import threeway_reference as reference
from views import culture_threeway as threeway
from views import culture_threeway_search as search
from views.culture_cells import CellReads
from views.disclosure import Disclosure

MONDAY = dt.date(2026, 3, 23)  # the second week, 30 March - 5 April, is cut by April
SCHEMA = {"week": pl.Date, "month": pl.Date, "team_id": pl.Int64, "service_id": pl.Int64, "channel": pl.String,
          "analyst_id": pl.Int64, "n": pl.Int64}
LIMITS = [(reference.SEARCH_BUDGET, reference.LEAKS_PER_ROUND), (60, 16), (400, 3), (5, 1)]
"""(SEARCH_BUDGET, LEAKS_PER_ROUND) pairs: the module's own, and small ones that cut rounds short."""


def _values(rnd: random.Random, pool: list, most: int) -> list:
    values = rnd.sample(pool, rnd.randint(1, most))
    return values + [None] if rnd.random() < 0.25 else values


@hs.composite
def cells_frames(draw) -> tuple[Disclosure, pl.DataFrame]:
    """A gate and the per-analyst cells of a root link: a few services, channels, teams (at times a
    null among them), analysts and weeks (the second one cut by a month's end); rows of n = 0 now and
    then."""
    rnd = random.Random(draw(hs.integers(0, 2 ** 32)))
    crowd = draw(hs.sampled_from(["plain", "plain", "one atom", "crowd", "repeat"]))
    services = _values(rnd, [1, 2, 3, 4, 5, 6], 6 if crowd == "crowd" else 4)
    channels = _values(rnd, ["email", "phone", "portal", "chat"], 4 if crowd == "crowd" else 3)
    teams = _values(rnd, [1, 2, 3, 4], 4 if crowd == "crowd" else 3)
    if crowd == "one atom":
        services, channels, teams = services[:1], channels[:1], teams[:1]
    analysts = list(range(1, (rnd.randint(2, 3) if crowd == "crowd" else rnd.randint(1, 12)) + 1))
    first = rnd.randrange(2)  # one week alone may be the cut one
    weeks = [MONDAY + dt.timedelta(weeks=first + w) for w in range(rnd.randint(1, 3))]
    size = rnd.randint(30, 110) if crowd == "crowd" else rnd.randint(0, 70)
    rows = [(rnd.choice(weeks), rnd.randrange(7), rnd.choice(teams), rnd.choice(services), rnd.choice(channels),
             rnd.choice(analysts), rnd.choices([0, 1, 2, 3, 7], [1, 6, 3, 2, 1])[0]) for _ in range(size)]
    if crowd == "repeat" and len(weeks) > 1:  # every week the same cells: the weeks' cubes are equal
        rows = [(week, *row[1:]) for week in weeks for row in rows if row[0] == weeks[0]]
    rows = [(week, (week + dt.timedelta(days=day)).replace(day=1), *rest) for week, day, *rest in rows]
    gate = Disclosure(draw(hs.integers(1, 8)), draw(hs.integers(1, 4)))
    return gate, pl.DataFrame(rows, schema=SCHEMA, orient="row")


def _same(gate: Disclosure, cells: pl.DataFrame) -> None:
    expected = reference.pattern(gate, cells)
    got = threeway.pattern(gate, cells)
    assert (got.hidden, got.cells, got.months) == expected
    shape, plain = search.cube(cells), reference.cube(cells)
    assert list(shape.cells.items()) == list(plain.cells.items())
    by_month = search.cube(cells, by_month=True).cells.items()
    assert list(by_month) == list(reference.cube(cells, by_month=True).cells.items())
    if len(shape.sizes) <= threeway.MAX_ATOMS:
        assert search.hidden_cells(gate, shape) == reference.hidden_cells(gate, plain)


@pytest.fixture(params=LIMITS, ids=lambda limits: f"budget{limits[0]}-leaks{limits[1]}")
def limits(request, monkeypatch):
    budget, leaks = request.param
    for module in (search, reference):
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
    march, april = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    _same(gate, pl.DataFrame([(MONDAY, march, None, None, None, 1, 4)], schema=SCHEMA, orient="row"))
    _same(gate, pl.DataFrame([(MONDAY, march, 1, 1, "email", a, 3) for a in range(1, 6)], schema=SCHEMA,
                             orient="row"))
    cut = MONDAY + dt.timedelta(weeks=1)  # one week, cut by a month's end: its parts' own patterns
    _same(gate, pl.DataFrame([(cut, march if a % 2 else april, 1, 1 + a % 2, "email", a, 3) for a in range(1, 9)],
                             schema=SCHEMA, orient="row"))


@pytest.mark.slow
def test_the_pattern_is_the_plain_search_s_on_the_demo_warehouse(sqlite_demo_url):
    """The demo's cells where the search has work to do: the CIO's over two weeks (54 atoms), a
    lead's and a lead of two teams' over a quarter."""
    end = dt.date(2026, 11, 16)
    for scope, days in ((Scope("cio"), 14), (Scope("lead", team_ids=(6,)), 91),
                        (Scope("lead", team_ids=(1, 2)), 91)):
        reads = CellReads(lambda f, by_priority, scope=scope: analyst_cells(
            scope=scope, filters=f, url=sqlite_demo_url, by_priority=by_priority))
        _same(Disclosure.for_scope(scope), reads(threeway.root(Filters(end - dt.timedelta(days=days), end))))


@hs.composite
def searches(draw) -> tuple:
    """One round's search on its own: atoms with sizes and analysts, null-space rows whose sums are
    often exactly 0 (halves and small integers; now and then a NaN or plain floats), candidates, a
    gate, the budget and the most groups wanted."""
    rnd = random.Random(draw(hs.integers(0, 2 ** 32)))
    atoms, width = rnd.randint(1, 24), rnd.choice([0, 1, 2, 3, 5])
    sizes = np.array([float(rnd.choice([1, 1, 1, 2, 3, 6])) for _ in range(atoms)])
    analysts = rnd.randint(1, 6)
    people = [frozenset(rnd.sample(range(analysts), rnd.randint(1, min(2, analysts)))) for _ in range(atoms)]
    if rnd.random() < 0.2:
        null = np.array([[rnd.gauss(0, 1) for _ in range(width)] for _ in range(atoms)]).reshape(atoms, width)
    else:
        null = np.array([[rnd.choice([0.0, 0.0, 0.5, -0.5, 1.0, -1.0]) for _ in range(width)]
                         for _ in range(atoms)]).reshape(atoms, width)
    if width and rnd.random() < 0.05:
        null[rnd.randrange(atoms), rnd.randrange(width)] = np.nan
    candidates = sorted(rnd.sample(range(atoms), rnd.randint(1, atoms)))
    gate = Disclosure(rnd.randint(1, 9), rnd.randint(1, 4))
    return gate, sizes, people, null, candidates, rnd.choice([3, 40, 500, 20_000]), rnd.choice([1, 2, 16])


@settings(max_examples=int(os.environ.get("PRIVACY_EXAMPLES", 60)) * 10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(case=searches())
def test_one_round_s_search_finds_the_same_groups_in_the_same_order(case):
    """The search itself (`_worked_out`): the same groups, in the same order, with the same cut at
    the budget and at the most groups wanted."""
    gate, sizes, people, null, candidates, budget, most = case
    plain = reference.Cube(sizes, people, {})
    bits = search.Cube(sizes, [sum(1 << who for who in group) for group in people], {})
    kept = reference.SEARCH_BUDGET, reference.LEAKS_PER_ROUND, search.SEARCH_BUDGET
    try:
        reference.SEARCH_BUDGET, reference.LEAKS_PER_ROUND, search.SEARCH_BUDGET = budget, most, budget
        expected = reference._worked_out(gate, null, plain, candidates)
        assert search._worked_out(gate, null, bits, candidates, most) == expected
    finally:
        reference.SEARCH_BUDGET, reference.LEAKS_PER_ROUND, search.SEARCH_BUDGET = kept
