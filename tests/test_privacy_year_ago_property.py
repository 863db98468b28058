"""An auditor for the year-earlier comparison of Culture trends (docs/PRIVACY.md).

`tests/test_privacy_periods_property.py` plays links over `WEEKS` weeks of one year. Here the
warehouse also holds answers in the weeks around the same dates a year earlier, and the links are
every whole-week range of both blocks (plain and with one filter): the current ones show, besides
their own figures, the year-earlier comparison (its Happiness, through the change, and its months
on the trend), and the earlier ones are what a reader sees by opening those weeks directly. The
earlier period is the one the page itself compares with (`same_weeks_last_year`), so the auditor
follows whatever dates the code uses.

Every boundary any link has (each block's Mondays, the first of each month, each earlier period's
first and last day) cuts the days into pieces; an atom is a piece × service × channel × team. No
figure adds up atoms of both blocks, so each block's span is searched for groups that fail the
rule on its own (a failing group across both blocks would have a failing part in one of them).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from data_access import schema
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from tests.test_privacy_periods_property import (TEAMS, TIME, WEEKS, Layout, _shown, leaks, monday, released,
                                                 released_extras, write)
from views.culture import culture_report
from views.culture_extras import CultureExtras, culture_page, same_weeks_last_year

DAY = dt.timedelta(days=1)


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Link:
    """A period [start, end) and its slices ((field, values), …)."""

    start: dt.date
    end: dt.date
    slices: tuple = ()

    @property
    def filters(self) -> Filters:
        return Filters(self.start, self.end, **dict(self.slices))

    def before(self) -> "Link":
        return Link(self.start - (self.end - self.start), self.start, self.slices)

    def year_earlier(self) -> "Link":
        earlier = same_weeks_last_year(self.filters)
        return Link(earlier.start, earlier.end, self.slices)


def _ranges(first: dt.date, weeks: int) -> list[tuple[dt.date, dt.date]]:
    mondays = [first + dt.timedelta(weeks=w) for w in range(weeks + 1)]
    return [(a, b) for a, b in itertools.combinations(mondays, 2)]


CURRENT = _ranges(monday(0), WEEKS)
"""The current block's whole-week ranges."""
_EARLIER = [Link(a, b).year_earlier() for a, b in CURRENT]
EARLIER_FIRST = _monday_of(min(link.start for link in _EARLIER))
EARLIER_WEEKS = (_monday_of(max(link.end for link in _EARLIER) - DAY) - EARLIER_FIRST).days // 7 + 1
EARLIER = _ranges(EARLIER_FIRST, EARLIER_WEEKS)
"""The whole weeks holding every earlier period, and their ranges (a reader can open them too)."""


def _pieces() -> list[tuple[dt.date, dt.date]]:
    """The runs of days [first, last) that no boundary cuts (a block's Mondays and its first days of
    a month, each earlier period's start and end), in both blocks."""
    blocks = ((monday(0), monday(WEEKS)), (EARLIER_FIRST, EARLIER_FIRST + dt.timedelta(weeks=EARLIER_WEEKS)))
    days = [first + k * DAY for first, last in blocks for k in range((last - first).days + 1)]
    cuts = sorted({d for d in days if d.weekday() == 0 or d.day == 1}
                  | {day for link in _EARLIER for day in (link.start, link.end)})
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if any(first <= a and b <= last for first, last in blocks)]


PIECES = _pieces()


@dataclass(frozen=True)
class Blocks:
    """The atoms: pieces of days × service × channel × team of a layout."""

    layout: Layout

    @cached_property
    def atoms(self) -> list[tuple]:
        lay = self.layout
        return [(a, b, s, c, t) for (a, b), s, c, t in itertools.product(PIECES, lay.services, lay.channels,
                                                                           lay.teams)]

    def block(self, current: bool) -> np.ndarray:
        """Indices of the atoms of the current (or the earlier) block."""
        return np.array([i for i, atom in enumerate(self.atoms) if (atom[0] >= monday(0)) == current])

    def atom_of(self, analyst: int, day: dt.date, channel: str, service: int) -> int:
        piece = next(p for p in PIECES if p[0] <= day < p[1])
        return self.atoms.index((*piece, service, channel, self.layout.home[analyst]))


FIELDS = {"service_ids": 2, "channels": 3, "team_ids": 4}
KEYS = {"service_id": 2, "channel": 3, "team_id": 4}


def vector(blocks: Blocks, link: Link, month: dt.date | None = None, **cell) -> np.ndarray:
    """The atoms a figure of `link` sums over: its period and slices, narrowed to one cell."""
    chosen = dict(link.slices)

    def inside(atom: tuple) -> bool:
        return (link.start <= atom[0] and atom[1] <= link.end
                and (month is None or atom[0].replace(day=1) == month)
                and all(atom[FIELDS[f]] in values for f, values in chosen.items())
                and all(atom[KEYS[k]] == v for k, v in cell.items()))

    return np.array([float(inside(a)) for a in blocks.atoms])


def released_year_ago(blocks: Blocks, extras: CultureExtras | None, link: Link) -> list[np.ndarray]:
    """The year-earlier figures of a link: the earlier Happiness (the change gives it away) and each
    month of the earlier trend (drawn a year later, so its month is moved back a year here)."""
    if extras is None:
        return []
    earlier = link.year_earlier()
    out = []
    if extras.year_ago is not None and extras.year_ago.previous is not None:
        out.append(vector(blocks, earlier))
    for row in _shown(extras.year_ago_trend, "happiness").iter_rows(named=True):
        out.append(vector(blocks, earlier, month=row["month"].replace(year=row["month"].year - 1)))
    return out


def links(layout: Layout) -> list[Link]:
    """Every whole-week range of both blocks, plain and with one filter."""
    return [Link(a, b, tuple(f.items())) for a, b in (*CURRENT, *EARLIER) for f in layout.filters()]


def collect(url: str, blocks: Blocks) -> dict[str, list[np.ndarray]]:
    """Every figure of every link, as vectors by measure."""
    st.cache_data.clear()
    collected: dict[str, list[np.ndarray]] = {"happiness": [], "lost": []}
    for link in links(blocks.layout):
        report, extras = culture_page(scope=Scope("cio"), filters=link.filters, url=url)
        for found in (released(blocks, report, link, vector), released_extras(blocks, extras, link, vector)):
            for measure, vectors in found.items():
                collected[measure] += vectors
        collected["happiness"] += released_year_ago(blocks, extras, link)
    return collected


def fill(url: str, blocks: Blocks, dated: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Write `dated` ((analyst, day, score, channel, service)); responses and analysts per atom."""
    write(url, blocks.layout, dated)
    sizes, people = np.zeros(len(blocks.atoms)), np.zeros((len(blocks.atoms), len(blocks.layout.home)))
    for analyst, day, _, channel, service in dated:
        atom = blocks.atom_of(analyst, day, channel, service)
        sizes[atom] += 1
        people[atom, analyst] = 1
    return sizes, people


def found_leaks(url: str, layout: Layout, dated: list[tuple]) -> dict[str, list[tuple]]:
    """The failing groups the figures of every link give away, by measure, each block on its own."""
    blocks = Blocks(layout)
    sizes, people = fill(url, blocks, dated)
    atoms = blocks.atoms
    out: dict[str, list[tuple]] = {}
    for measure, vectors in collect(url, blocks).items():
        out[measure] = []
        for current in (True, False):
            part = blocks.block(current)
            rows = [v[part] for v in vectors if v[part].any()]
            out[measure] += leaks([atoms[i] for i in part], rows, sizes[part], people[part])
    return out


def warehouses(layout: Layout, current: tuple[int, int], earlier: tuple[int, int]):
    """Answers in both blocks (`current`, `earlier`: the least and most in each): some weeks and
    weekdays busier than others (a Sunday at a period's edge matters when the earlier period starts
    on another weekday). The current block is the larger, so that its links show their comparison."""
    @hs.composite
    def draw_one(draw) -> list[tuple]:
        rnd = random.Random(draw(hs.integers(0, 2 ** 32)))
        weekdays = [rnd.random() + 0.05 for _ in range(7)]
        channels = [rnd.random() + 0.05 for _ in layout.channels]

        def block(first: dt.date, weeks: int, size: int) -> list[tuple]:
            busy = [rnd.random() + 0.05 for _ in range(weeks)]
            return [(rnd.randrange(len(layout.home)),
                     first + dt.timedelta(weeks=rnd.choices(range(weeks), busy)[0],
                                          days=rnd.choices(range(7), weekdays)[0]),
                     rnd.randint(0, 10), rnd.choices(layout.channels, channels)[0], rnd.choice(layout.services))
                    for _ in range(size)]

        return [*block(monday(0), WEEKS, draw(hs.integers(*current))),
                *block(EARLIER_FIRST, EARLIER_WEEKS, draw(hs.integers(*earlier)))]

    return draw_one()


def audit(url: str, layout: Layout, examples: int, current: tuple[int, int], earlier: tuple[int, int]) -> None:
    @settings(max_examples=int(os.environ.get("PRIVACY_EXAMPLES", examples)), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(dated=warehouses(layout, current, earlier))
    def check(dated):
        found = found_leaks(url, layout, dated)
        assert found == {"happiness": [], "lost": []}, (dated, {m: f[:3] for m, f in found.items()})

    check()


@pytest.fixture()
def url(tmp_path) -> str:
    address = f"sqlite:///{tmp_path / 'year_ago.sqlite'}"
    schema.create_schema(get_engine(address))
    return address


def test_no_combination_with_the_year_earlier_reveals_a_small_group_time_sqlite(url):
    audit(url, TIME, examples=3, current=(60, 150), earlier=(20, 110))


def test_no_combination_with_the_year_earlier_reveals_a_small_group_teams_sqlite(url):
    audit(url, TEAMS, examples=1, current=(100, 200), earlier=(40, 150))


def on(day: dt.date, analysts: list[int], scores: list[int]) -> list[tuple]:
    """Answers on `day` by `analysts` in turn, one a score."""
    return [(analysts[i % len(analysts)], day, score, "email", 1) for i, score in enumerate(scores)]


SUNDAY_AFTER = [*on(dt.date(2026, 10, 6), [0, 1, 2], [9, 9, 3, 10, 6, 8]),
                *on(dt.date(2025, 10, 7), [0, 1, 2], [9, 10, 2, 7, 10, 4]),
                *on(dt.date(2025, 10, 12), [3], [0])]
"""Six answers by three analysts in the week of 5 October 2026 and in that of 6 October 2025, and
one more, unhappy, on Sunday 12 October 2025 by a fourth analyst."""


def test_the_year_earlier_is_the_same_weeks_not_the_same_days(url):
    """The same calendar days a year before the week of 5 October 2026 ran from Sunday 5 to Saturday
    11 October 2025: six answers, +16.7. The week of 6 October 2025, opened directly, showed 0 over
    seven, and the difference was the one answer of Sunday 12 October. The auditor found this on its
    first run; the year earlier is now the same weeks, 52 weeks back: here that very week."""
    assert found_leaks(url, TIME, SUNDAY_AFTER) == {"happiness": [], "lost": []}
    st.cache_data.clear()
    _, extras = culture_page(scope=Scope("cio"), filters=Filters(dt.date(2026, 10, 5), dt.date(2026, 10, 12)), url=url)
    week = culture_report(scope=Scope("cio"), filters=Filters(dt.date(2025, 10, 6), dt.date(2025, 10, 13)), url=url)
    assert (extras.year_ago_n, extras.year_ago.previous) == (7, pytest.approx(0.0))
    assert (week.headline.n, week.headline.happiness) == (7, pytest.approx(0.0))
    assert extras.year_ago_trend.select("month", "n").rows() == [(dt.date(2026, 10, 1), 7)]
