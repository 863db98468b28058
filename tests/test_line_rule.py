"""The line rule of Culture trends' large lattices (`views.culture_threeway.line_complements`), against
a plain reading of its definition: every line looked at again in every round, in Python loops."""

from __future__ import annotations

import random

import polars as pl
import pytest

from views.culture_cells import distinct
from views.culture_threeway import _lattice_frame, line_complements
from views.culture_threeway_search import DIMS, LEVELS
from views.disclosure import Disclosure

GATE = Disclosure(min_group=5, min_analysts=3)


def plain_lines(gate: Disclosure, frame: pl.DataFrame, by: tuple[str, ...]) -> set:
    """The rule as written in docs/PRIVACY.md: below the rule hidden; then, round after round, for
    every line (a cell and its cells one dimension further in) that fails — a shown cell whose hidden
    cells are one, or fewer than 5 answers, or fewer than 3 analysts by the largest; a hidden cell
    whose cells are all shown — its smallest shown cell (ties: row order) is hidden too."""
    rows = frame.to_dicts()
    hidden = [r["n"] < gate.min_group or r["analysts"] < gate.min_analysts for r in rows]
    cell = [tuple((d, r[d]) for i, d in enumerate(DIMS) if r["level"] & (1 << i)) for r in rows]
    where = {(tuple(r[b] for b in by), c): i for i, (r, c) in enumerate(zip(rows, cell))}
    if any(h and not c for h, c in zip(hidden, cell)):
        return set(cell)
    lines: dict[tuple[int, str], list[int]] = {}
    for i, (r, c) in enumerate(zip(rows, cell)):
        for d, _ in c:
            parent = where.get((tuple(r[b] for b in by), tuple(p for p in c if p[0] != d)))
            if parent is not None:
                lines.setdefault((parent, d), []).append(i)
    while True:
        picks = set()
        for (parent, _), kids in lines.items():
            shown = sorted((rows[k]["n"], k) for k in kids if not hidden[k])
            gone = [k for k in kids if hidden[k]]
            if not shown:
                continue
            if hidden[parent]:
                failing = not gone
            else:
                failing = bool(gone) and (len(gone) < 2 or sum(rows[k]["n"] for k in gone) < gate.min_group
                                          or max(rows[k]["analysts"] for k in gone) < gate.min_analysts)
            if failing:
                picks.add(shown[0][1])
        if not picks:
            return {c for c, h in zip(cell, hidden) if h}
        for k in picks:
            hidden[k] = True


def random_cells(rnd: random.Random) -> pl.DataFrame:
    """Per-analyst cells of up to three weeks, three services, channels and teams, six analysts."""
    return pl.DataFrame([dict(week=rnd.randint(1, 3), service_id=rnd.randint(1, 3), channel=rnd.choice("abc"),
                              team_id=rnd.randint(1, 3), analyst_id=rnd.randint(1, 6), n=rnd.randint(1, 4))
                         for _ in range(rnd.randint(1, 90))])


@pytest.mark.parametrize("by", [(), ("week",)])
def test_the_line_rule_hides_what_its_plain_reading_hides(by):
    rnd = random.Random(7)
    hiding = 0
    for _ in range(150):
        cells = random_cells(rnd)
        frame = _lattice_frame([(level, distinct(cells, [*by, *level])) for level in LEVELS[1:]], by=by)
        expected = plain_lines(GATE, frame, by)
        assert line_complements(GATE, frame, by) == expected
        hiding += bool(expected)
    assert hiding > 100  # most lattices hide something: the comparison is not of empty sets


def test_one_small_cell_takes_its_lines_neighbours_with_it():
    """One team; service 1 by channel a holds 2 answers by one analyst, the other three service ×
    channel cells 9 answers each. Service 1's line (11 = 2 + 9) would give the 2 away: its b cell
    goes; channel a's line (11 = 2 + 9) likewise takes service 2 by a; then service 2's line, with
    one hidden cell, takes service 2 by b. Each cell's one team cell follows its cell the same way.
    The services' and channels' own totals stay."""
    cells = pl.DataFrame([dict(service_id=1, channel="a", team_id=1, analyst_id=1, n=2),
                          *[dict(service_id=1, channel="b", team_id=1, analyst_id=a, n=n)
                            for a, n in ((2, 3), (3, 3), (4, 2), (5, 1))],
                          *[dict(service_id=2, channel=c, team_id=1, analyst_id=a, n=3)
                            for c in "ab" for a in (6, 7, 8)]])
    frame = _lattice_frame([(level, distinct(cells, list(level))) for level in LEVELS[1:]])
    pairs = [(("service_id", s), ("channel", c)) for s in (1, 2) for c in "ab"]
    assert line_complements(GATE, frame) == {*pairs, *[(*pair, ("team_id", 1)) for pair in pairs]}
    assert plain_lines(GATE, frame, ()) == line_complements(GATE, frame)


def test_each_weeks_lines_are_read_and_worked_out_once_per_build():
    """Over whole weeks, a build keeps each week's line rule: a later period reads only the span of
    its weeks not worked out yet, and every period gets what the rule over its own weeks hides."""
    import datetime as dt

    from data_access.filters import Filters
    from views.culture_cells import CellReads, GroupedCells
    from views.culture_threeway import WEEK_LEVELS, _week_lines

    rnd = random.Random(11)
    monday = dt.date(2026, 8, 3)
    cells = pl.concat([random_cells(rnd).with_columns(pl.lit(monday + dt.timedelta(weeks=w)).alias("week"))
                       for w in range(12)])

    def in_period(f):
        return cells.filter((pl.col("week") >= f.start) & (pl.col("week") < f.end))

    asked: list[tuple[dt.date, dt.date]] = []

    def read_groups(f, by_priority, groupings, counts_only=False):
        asked.append((f.start, f.end))
        return {g: distinct(in_period(f), list(g)) for g in groupings}

    grouped = GroupedCells(lambda f, p: in_period(f), read_groups, ("week", *DIMS))
    for first, weeks in ((2, 2), (0, 6), (3, 3), (8, 2), (0, 12)):
        period = Filters(monday + dt.timedelta(weeks=first), monday + dt.timedelta(weeks=first + weeks))
        plain = CellReads(lambda f, p: in_period(f))
        frame = _lattice_frame([(level[1:], plain.distinct(period, list(level))) for level in WEEK_LEVELS],
                               by=("week",))
        assert _week_lines(GATE, grouped, period) == line_complements(GATE, frame, ("week",))
    # Weeks 2-3, then 0-5 for 0, 1, 4 and 5 (2 and 3 read again, not worked out twice), none for
    # 3-5, 8-9, then 6-11 for 6, 7, 10 and 11.
    assert asked == [(monday + dt.timedelta(weeks=a), monday + dt.timedelta(weeks=b))
                     for a, b in ((2, 4), (0, 6), (8, 10), (6, 12))]


def test_a_lattice_grouping_the_full_statement_reads_is_not_read_again():
    """The weeks' lattices come by a narrow statement, but those of their groupings that the
    period's full statement reads anyway (the report's checks by week) are taken from it."""
    import datetime as dt

    from data_access.filters import Filters
    from views.culture_cells import GroupedCells

    asked: list[tuple[bool, list]] = []

    def read_groups(f, by_priority, groupings, counts_only=False):
        asked.append((counts_only, list(groupings)))
        return {g: pl.DataFrame({**{k: [1] for k in g}, "n": [9], "analysts": [3]}) for g in groupings}

    period = Filters(dt.date(2026, 8, 3), dt.date(2026, 8, 17))
    grouped = GroupedCells(lambda f, p: None, read_groups, ("week", *DIMS))
    grouped.want(period, [("week", "channel"), ()])
    grouped.want(period, [("week", "channel"), ("week", "team_id")], counts_only=True)
    assert grouped.lattice(period, ["week", "channel"]).rows() == [(1, 1, 9, 3)]
    assert grouped.lattice(period, ["week", "team_id"]).rows() == [(1, 1, 9, 3)]
    assert asked == [(False, [(), ("week", "channel")]), (True, [("week", "team_id")])]
