"""Culture trends: one suppression pattern for the service × channel × team table (docs/PRIVACY.md).

The plain link, each link on a service, a channel or a team and their combinations release cells of
one lattice over the *atoms* (service, channel, team) of the widest link (`root`: the link without
its filters on services, channels and teams): the grand total, the three one-way margins, the three
two-way tables (hotspots; team rows of a service's or a channel's link; channel and service lines
of a team's link) and the atoms themselves (a team link's hotspots). Each table is protected on its
own, but together they may pin down a small group of atoms. So the page computes, from the root's
per-analyst cells, which lattice cells no link shows:

1. every non-empty lattice cell that fails the rule is hidden; the rest are *released*;
2. a group of atoms is worked out from the released cells when its 0/1 vector lies in their row
   space, that is when the null space basis N of the released matrix gives N^T g = 0. Every group
   that fails the rule (fewer than `min_group` responses or `min_analysts` analysts) is searched
   for among the atoms that can take part in such a combination at all (`_dependent`);
3. for each group found, the smallest released cell (fixed order on ties) that every way of
   writing the group as released cells needs is hidden too, and the search runs again.

Every link then hides the lattice cells of the pattern that its figures add up (and withholds
itself when its own headline is such a cell), so every link makes the same choice. The pattern of
a period also holds what each of its weeks' own patterns hides (`pattern`): links of other periods
differ from it by whole weeks.

The cost is in the search and in the SVDs (one per round, and one per cell the end of
`hidden_cells` tries to show again). Whatever is done to save time does the same float operations
on what decides a cell's fate, or skips work whose outcome is known: the search counts visits in
runs (`_Search`); a cell is tried again only until its search finds one group; a cube with no atom
below the rule has no search; the period's search is skipped once its weeks hide every cell; equal
week cubes are searched once. tests/test_threeway_equivalence.py holds the plain version and checks
that every input gets the same cells hidden.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from data_access.filters import Filters
from views.culture_cells import CellReads
from views.disclosure import Disclosure

DIMS = ("service_id", "channel", "team_id")
FIELDS = {"service_id": "service_ids", "channel": "channels", "team_id": "team_ids"}
LEVELS = tuple(level for size in range(4) for level in itertools.combinations(DIMS, size))
"""The lattice's levels, widest first: the total, the one-way margins, the two-way tables, the atoms."""
TOL = 1e-8
SEARCH_BUDGET = 20_000
"""Groups the search may visit per round; past that the candidates count as disclosed (errs on hiding)."""
LEAKS_PER_ROUND = 16
MAX_ATOMS = 100
"""Above this many non-empty atoms the search is not run (one round costs seconds at 700 atoms):
the pattern then holds only the cells below the rule (docs/PRIVACY.md, known limits)."""

Cell = tuple[tuple[str, object], ...]
"""A lattice cell: its (dimension, value) pairs in `DIMS` order; () is the root's total."""


def root(filters: Filters) -> Filters:
    """The widest link of `filters`' family: no filter on services, channels or teams."""
    return replace(filters, **{field: () for field in FIELDS.values()})


@dataclass(frozen=True)
class Cube:
    """The root's atoms and its lattice cells: responses, exact distinct analysts, atoms covered.
    `people` holds each atom's analysts as the bits of an int (one bit per analyst of the cells the
    cube comes from), so a group's distinct analysts are the bits set in its atoms' `|`."""

    sizes: np.ndarray
    people: list[int]
    cells: dict[Cell, tuple[int, int, tuple[int, ...]]]


def cube(cells: pl.DataFrame, by_month: bool = False) -> Cube:
    """The lattice of the root link from its per-analyst cells (`analyst_cells` rows). With
    `by_month` (one week cut by a month's end), the atoms are its parts' three-way cells, and the
    lattice holds the week's cells and each part's (keyed with ("month", its month) first)."""
    return cubes(cells, (), by_month).get((), Cube(np.zeros(0), [], {}))


def cubes(cells: pl.DataFrame, by: tuple[str, ...], by_month: bool = False) -> dict[tuple, Cube]:
    """`cube` of each part of the per-analyst cells, keyed by its values of the columns `by` (a week;
    none: one cube, keyed ()). The parts are grouped together, level by level."""
    keys, split = [*by, "_all"], ["month"] if by_month else []
    rows = (cells.filter(pl.col("n") > 0)
            .with_columns(pl.lit(0).alias("_all"), pl.col("analyst_id").rank("dense").fill_null(0).alias("_bit"))
            .select(*keys, *split, *DIMS, "analyst_id", "_bit", "n"))
    atoms = (rows.group_by(*keys, *split, *DIMS).agg(pl.col("n").sum(), pl.col("_bit").unique().alias("who"))
             .sort([*keys, *split, *DIMS], nulls_last=True)
             .with_columns(pl.int_range(pl.len()).over(keys).alias("_atom")))
    rows = rows.join(atoms.select(*keys, *split, *DIMS, "_atom"), on=[*keys, *split, *DIMS], how="left",
                     nulls_equal=True)
    lattice: dict[tuple, dict[Cell, tuple[int, int, tuple[int, ...]]]] = {}
    for cut in [(*part, *level) for part in [(), *([tuple(split)] if split else [])] for level in LEVELS]:
        grouped = (rows.group_by(*keys, *cut)
                   .agg(pl.col("n").sum(), pl.col("analyst_id").n_unique().alias("analysts"),
                        pl.col("_atom").unique().sort().alias("atoms"))
                   .sort([*keys, *cut], nulls_last=True))
        for row in grouped.iter_rows():
            n, analysts, covered = row[-3:]
            if n:
                lattice.setdefault(row[:len(by)], {})[tuple(zip(cut, row[len(keys):-3]))] = (
                    int(n), int(analysts), tuple(covered))
    out = {}
    for key, frame in atoms.partition_by(keys, as_dict=True, maintain_order=True).items():
        who = [sum(1 << bit for bit in bits) for bits in frame["who"].to_list()]
        out[key[:len(by)]] = Cube(frame["n"].to_numpy().astype(float), who, lattice.get(key[:len(by)], {}))
    return out


def _dependent(null: np.ndarray, family: list[int]) -> list[int]:
    """The atoms of `family` that take part in some combination of released cells lying inside
    `family` (the support of the row space's part within it); only they can form a worked-out group."""
    if not family:
        return []
    block = null[family]
    if block.shape[1] == 0:
        return family
    _, values, vt = np.linalg.svd(block.T, full_matrices=True)
    kernel = vt[int((values > TOL).sum()):]
    if not kernel.shape[0]:
        return []
    return [family[i] for i in np.flatnonzero(np.abs(kernel).max(axis=0) > TOL)]


class _Search:
    """The search of `_worked_out`, over the candidates' positions 0..end-1 (the `group` of a call
    is a tuple of positions). It visits what the plain recursion below visits, in its order, and
    counts visits alike, but where that recursion steps through every position one by one, this
    one counts a run of positions whose atom lifts the group over the rule in one step:

        def grow(start, group):                      # group: fails the rule
            for pos in range(start, end):
                if len(found) >= most: return
                visits += 1
                if visits > budget: found.append(candidates[pos:]); return
                if group + pos passes the rule: continue
                if the null-space rows of group + pos sum to 0: found.append(group + pos)
                grow(pos + 1, group + pos)

    The positions that keep a group below the rule come from lists kept per shortfall of responses
    and per set of analysts. Whether the rows sum to 0 (every coordinate below 1e-7) is first asked
    of one coordinate, summed along the way as a float; only where that one is below 1e-7 is the
    whole sum made, row by row in the group's order (the same additions, so the same floats)."""

    def __init__(self, gate: Disclosure, null: np.ndarray, shape: Cube, candidates: list[int], most: int):
        self.candidates, self.most, self.found = candidates, most, []
        self.visits, self.budget, self.end = 0, SEARCH_BUDGET, len(candidates)
        self.min_group, self.min_analysts = gate.min_group, gate.min_analysts
        self.sizes = [int(shape.sizes[atom]) for atom in candidates]
        self.people = [shape.people[atom] for atom in candidates]
        self.rows = null[candidates]
        nonzero = (np.abs(self.rows) > 1e-9).sum(axis=0)  # the coordinate fewest groups sum to 0 on
        self.probe = self.rows[:, int(np.argmax(nonzero))].tolist() if nonzero.size else [0.0] * self.end
        self._few: dict[int, list[int]] = {}
        self._thin: dict[int, list[int]] = {}

    def _keeping_below(self, start: int, n: int, who: int) -> list[int]:
        """The positions from `start` whose atom leaves a group of `n` responses by `who` below the rule."""
        if n < self.min_group and (few := self._few.get(n)) is None:
            few = self._few[n] = [p for p, size in enumerate(self.sizes) if n + size < self.min_group]
        if who.bit_count() < self.min_analysts and (thin := self._thin.get(who)) is None:
            thin = self._thin[who] = [p for p, more in enumerate(self.people)
                                      if (who | more).bit_count() < self.min_analysts]
        few = few[bisect.bisect_left(few, start):] if n < self.min_group else []
        thin = thin[bisect.bisect_left(thin, start):] if who.bit_count() < self.min_analysts else []
        return sorted({*few, *thin}) if few and thin else few or thin

    def _visit(self, start: int, stop: int) -> bool:
        """Visit positions start..stop-1 (all but the last lift the group over the rule); True when
        the search stops there (`most` groups found, or past the budget)."""
        if start >= stop:
            return False
        if len(self.found) >= self.most:
            return True
        if self.visits + stop - start > self.budget:
            cut = start + max(0, self.budget - self.visits)  # the first position past the budget
            self.visits += cut - start + 1
            self.found.append(tuple(self.candidates[cut:]))
            return True
        self.visits += stop - start
        return False

    def _zero(self, group: tuple[int, ...]) -> bool:
        total = np.zeros(self.rows.shape[1])
        for pos in group:
            total = total + self.rows[pos]
        return bool(np.abs(total).max(initial=0.0) < 1e-7)

    def grow(self, start: int, group: tuple[int, ...], probe: float, n: int, who: int) -> None:
        at = start
        for pos in self._keeping_below(start, n, who):
            if self._visit(at, pos + 1):
                return
            grown, value = (*group, pos), probe + self.probe[pos]
            if abs(value) < 1e-7 and self._zero(grown):
                self.found.append(tuple(self.candidates[p] for p in grown))
            self.grow(pos + 1, grown, value, n + self.sizes[pos], who | self.people[pos])
            at = pos + 1
        self._visit(at, self.end)


def _worked_out(gate: Disclosure, null: np.ndarray, shape: Cube, candidates: list[int],
                most: int) -> list[tuple[int, ...]]:
    """Groups of `candidates` that fail the rule yet lie in the released span: a search that grows
    each group while it still fails (adding atoms only adds responses and analysts), in a fixed order,
    up to `most` groups (`_Search`). Past the budget, the candidates left count as one such group (and
    so do those left at each wider group the search goes back to, up to `most`)."""
    search = _Search(gate, null, shape, candidates, most)
    search.grow(0, (), 0.0, 0, 0)
    return search.found


def _leaks(gate: Disclosure, null: np.ndarray, shape: Cube, most: int) -> list[tuple[int, ...]]:
    """Groups of atoms below the rule that the released cells determine (the first `most` found)."""
    few = [i for i, n in enumerate(shape.sizes) if n < gate.min_group]
    thin = [i for i, who in enumerate(shape.people) if who.bit_count() < gate.min_analysts]
    dependent = set(_dependent(null, few))
    if thin != few:
        dependent |= set(_dependent(null, thin))
    candidates = sorted(dependent)
    return _worked_out(gate, null, shape, candidates, most) if candidates else []


def _matrix(shape: Cube, cells: list[Cell]) -> np.ndarray:
    matrix = np.zeros((len(cells), len(shape.sizes)))
    for row, cell in enumerate(cells):
        matrix[row, list(shape.cells[cell][2])] = 1.0
    return matrix


def _withhold(shape: Cube, shown: list[Cell], basis: tuple, group: tuple[int, ...]) -> Cell | None:
    """The smallest shown cell (ties: lattice order; never the root's total) that every way of
    writing `group` as a combination of the shown cells needs; failing that, the smallest shown
    cell the shortest combination uses, or that overlaps the group."""
    u, values, vt = basis
    rank = values.size
    target = np.zeros(len(shape.sizes))
    target[list(group)] = 1.0
    weights = u[:, :rank] @ ((vt[:rank] @ target) / values)
    free = np.abs(u[:, rank:]).max(axis=1, initial=0.0) > TOL  # a cell others can stand in for
    used = np.abs(weights) > TOL
    overlap = [i for i, c in enumerate(shown) if set(shape.cells[c][2]) & set(group)]
    for pick in (np.flatnonzero(used & ~free), np.flatnonzero(used), overlap):
        options = [i for i in pick if shown[i]]
        if options:
            return shown[min(options, key=lambda i: (shape.cells[shown[i]][0], i))]
    return None


def _round(gate: Disclosure, shape: Cube, hidden: set[Cell], most: int) -> tuple[list, list[Cell], tuple]:
    """The groups below the rule that the cells not `hidden` determine (the first `most` the search
    finds), those cells and their SVD."""
    shown = [cell for cell in shape.cells if cell not in hidden]
    u, values, vt = np.linalg.svd(_matrix(shape, shown), full_matrices=True)
    rank = int((values > TOL * values[0]).sum())
    return _leaks(gate, vt[rank:].T, shape, most), shown, (u, values[:rank], vt)


def hidden_cells(gate: Disclosure, shape: Cube) -> frozenset[Cell]:
    """The pattern: the lattice cells no link of the family shows. Cells below the rule, then one
    more cell per group worked out until none is; then each cell hidden that way is shown again,
    largest first, where that lets no group be worked out (so an early choice hides no more than
    it must: there, the search stops at the first group it finds)."""
    small = {cell for cell, (n, people, _) in shape.cells.items() if not gate.allows(n, people)}
    if () in small or not shape.cells:
        return frozenset(shape.cells)
    if all(n >= gate.min_group and who.bit_count() >= gate.min_analysts
           for n, who in zip(shape.sizes, shape.people)):
        return frozenset(small)  # no atom below the rule: no group of atoms is below it
    hidden = set(small)
    for _ in range(len(shape.cells)):
        leaks, shown, basis = _round(gate, shape, hidden, LEAKS_PER_ROUND)
        picks = {_withhold(shape, shown, basis, group) for group in leaks} - {None}
        if not picks:
            break
        hidden |= picks
    order = list(shape.cells)
    for cell in sorted(hidden - small, key=lambda c: (-shape.cells[c][0], -order.index(c))):
        if not _round(gate, shape, hidden - {cell}, min(LEAKS_PER_ROUND, 1))[0]:
            hidden.discard(cell)
    return frozenset(hidden)


def _parts(filters: Filters, keys: tuple[str, ...], values: tuple) -> Iterable[Cell]:
    """The lattice cells a figure of the link `filters` adds up: the row `values` of its table
    `keys` (() for the headline), over every combination of the values its filters chose."""
    fixed = dict(zip(keys, values))
    choices = [[fixed[d]] if d in fixed else list(getattr(filters, FIELDS[d])) for d in DIMS]
    for combo in itertools.product(*[c if c else [None] for c in choices]):
        yield tuple((d, v) for d, v, c in zip(DIMS, combo, choices) if c)


TABLES = (("service_id", "channel"), ("team_id",), ("channel",), ("service_id",))
"""The link tables keyed by the lattice's dimensions (hotspots, teams, lost time by channel and by service)."""


@dataclass(frozen=True)
class Pattern:
    """The hidden lattice cells of one family of links, applied to one link of it."""

    hidden: frozenset[Cell]
    cells: frozenset[Cell]
    months: dict = field(default_factory=dict)
    """Per month holding part of a week cut by a month's end: that part's cells which the week's
    pattern with its parts (`_cut_weeks`) hides. A link's month rows adding one up are hidden."""

    def withholds(self, filters: Filters) -> bool:
        """Whether the link's own headline adds up a hidden cell (the link shows no figures)."""
        return any(part in self.hidden for part in _parts(filters, (), ()))

    def gaps(self, filters: Filters, months: dict[str, pl.DataFrame]) -> dict[tuple[str, ...], set[tuple]]:
        """Per table of the link, its rows that add up a hidden cell; the monthly lines by channel and
        by team hide every month of such a row (`months`: `month_lines` of the link)."""
        out: dict[tuple[str, ...], set[tuple]] = {}
        for keys in TABLES:
            rows = {tuple(dict(cell)[k] for k in keys) for cell in self.cells
                    if tuple(d for d, _ in cell) == tuple(d for d in DIMS if d in keys)}
            out[keys] = {row for row in rows if any(p in self.hidden for p in _parts(filters, keys, row))}
        for key in ("channel", "team_id"):
            lines = [value for (value,) in out[(key,)]]
            line_months = months[key]
            out[("month", key)] = set(line_months.filter(pl.col(key).is_in(lines)).select("month", key)
                                      .unique().iter_rows()) if lines and line_months.height else set()
        out[("month",)] = set()
        for month, hidden in self.months.items():
            # Month rows are the only figures that split a week at a month's end: a part's cell that
            # the pattern of the week with its parts hides stays out of that month's rows.
            if any(p in hidden for p in _parts(filters, (), ())):
                out[("month",)].add((month,))
            for key in ("channel", "team_id"):
                values = months[key].filter(pl.col("month") == month)[key].to_list() if months[key].height else []
                out[("month", key)] |= {(month, v) for v in values
                                        if any(p in hidden for p in _parts(filters, (key,), (v,)))}
        return out


def pattern(gate: Disclosure, cells: pl.DataFrame) -> Pattern:
    """The pattern of the family whose widest link has the per-analyst `cells`: the cells its period
    hides, and every cell that the own pattern of one of its weeks hides. Links of other periods
    differ from this family's by whole weeks, so what two links give away by difference adds up
    week cells; a cell shown only when no week of the period hides it keeps every figure a sum of
    cells the weeks' own patterns show, and a group below the rule has a part below it in some week
    (docs/PRIVACY.md). A week cut by a month's end is also split into its parts for the month rows
    (`Pattern.months`).

    The weeks (and the cut weeks with their parts) are grouped together and each distinct cube is
    searched once; the period's own search runs only while some cell is left that no week hides (a
    week's cells are cells of the period)."""
    shape = cube(cells)
    if len(shape.sizes) > MAX_ATOMS:
        small = {cell for cell, (n, people, _) in shape.cells.items() if not gate.allows(n, people)}
        return Pattern(frozenset(shape.cells) if () in small else frozenset(small), frozenset(shape.cells))
    searched: dict[tuple, frozenset[Cell]] = {}

    def search(part: Cube) -> frozenset[Cell]:
        key = (part.sizes.tobytes(), tuple(part.people), tuple(part.cells.items()))
        if key not in searched:
            searched[key] = hidden_cells(gate, part)
        return searched[key]

    everything = frozenset(shape.cells)
    weekly, months = _cut_weeks(cells, search)
    hidden: set[Cell] = set(weekly)
    weeks = cubes(cells, ("week",)) if "week" in cells.columns else {}
    if len(weeks) > 1:
        for week in weeks.values():
            if len(hidden) == len(everything):
                break
            hidden |= search(week)
    if len(hidden) < len(everything):
        hidden |= hidden_cells(gate, shape)
    return Pattern(frozenset(hidden), everything, months)


def _cut_weeks(cells: pl.DataFrame, search: Callable[[Cube], frozenset[Cell]]) -> tuple[set[Cell], dict]:
    """For each week with answers on both sides of a month's end: the pattern (`search`) of the
    week's cells and its parts' cells together (`cube(by_month=True)`). Month rows tell the parts
    apart (links of other periods subtract to a part), while every other figure adds the whole week:
    so a group below the rule may be a part's cells against the week's. Returns the week cells that
    pattern hides and, per month (`Pattern.months`), the part cells it hides."""
    weekly: set[Cell] = set()
    months: dict = {}
    if "week" not in cells.columns or "month" not in cells.columns:
        return weekly, months
    cut = cells.filter(pl.col("n") > 0).filter(pl.col("month").n_unique().over("week") > 1)
    for week in cubes(cut, ("week",), by_month=True).values():
        for cell in search(week):
            if cell and cell[0][0] == "month":
                months[cell[0][1]] = months.get(cell[0][1], frozenset()) | {cell[1:]}
            else:
                weekly.add(cell)
    return weekly, months


def announce(reads: CellReads, filters: Filters) -> None:
    """Tell `reads` the groupings `pattern_for` and `month_lines` will ask of `filters`' family, so
    they come in the same statements as the report's own."""
    reads.want(root(filters), LEVELS[1:])
    reads.want(filters, [("month", "channel"), ("month", "team_id")])


def month_lines(reads: CellReads, filters: Filters) -> dict[str, pl.DataFrame]:
    """The link's months per channel and per team (what `Pattern.gaps` hides a line's months from)."""
    return {key: reads.distinct(filters, ["month", key]) for key in ("channel", "team_id")}


def pattern_for(gate: Disclosure, reads: CellReads, filters: Filters) -> Pattern:
    """The pattern of `filters`' family. Its widest link's lattice comes grouped by the database; the
    per-analyst cells the search needs are read only when the search runs (at most `MAX_ATOMS`);
    above that, the period's lattice gets line complements."""
    top = root(filters)
    announce(reads, filters)
    atoms = reads.distinct(top, list(DIMS)).filter(pl.col("n") > 0)
    if atoms.height <= MAX_ATOMS:
        return pattern(gate, reads(top))
    period = _lattice_frame([(level, reads.distinct(top, list(level))) for level in LEVELS[1:]])
    return Pattern(frozenset(line_complements(gate, period)), frozenset(_cells_of(period)))


KEY_TYPES = {"service_id": pl.Int64, "channel": pl.String, "team_id": pl.Int64}


def _lattice_frame(levels: list[tuple[tuple[str, ...], pl.DataFrame]], group: str | None = None) -> pl.DataFrame:
    """Lattice cells as rows: `group` (the week, or none), `level` (a bit per dimension of `DIMS`
    the cell has), the three keys (null where the cell has no such dimension), n, analysts."""
    frames = []
    for level, frame in levels:
        bits = sum(1 << i for i, d in enumerate(DIMS) if d in level)
        frames.append(frame.filter(pl.col("n") > 0).select(
            (pl.col(group) if group else pl.lit(0)).alias("_group"), pl.lit(bits, pl.Int64).alias("level"),
            *[pl.col(d).cast(t) if d in level else pl.lit(None, t).alias(d) for d, t in KEY_TYPES.items()],
            pl.col("n").cast(pl.Int64), pl.col("analysts").cast(pl.Int64)))
    return pl.concat(frames).sort("_group", "level", *DIMS, nulls_last=True)


def _cells_of(frame: pl.DataFrame) -> set[Cell]:
    """The `Cell` of each row of a `_lattice_frame`."""
    return {tuple((d, row[i + 1]) for i, d in enumerate(DIMS) if row[0] & (1 << i))
            for row in frame.select("level", *DIMS).unique().iter_rows()}


def line_complements(gate: Disclosure, frame: pl.DataFrame, group: str | None = None) -> set[Cell]:
    """The pattern of a lattice too large for the search (`_lattice_frame` rows, per `group` when
    given: each week its own lattice), as the `Cell`s hidden in any group: the cells below the
    rule, then, line by line, complements. A *line* is a cell and its cells one dimension further in
    (a service's cells by team, say); the cell is their sum. Where the cell is shown, the line's
    hidden cells must be at least two and pass the rule together (distinct analysts: the largest
    cell's, a lower bound), else their sum is the cell minus the others; where it is hidden, a line
    all shown would add it up. The smallest shown cell of each line that fails (ties: lattice
    order) is hidden too, until every line holds. This closes what one line gives away, not every
    combination of lines the search finds (docs/PRIVACY.md, known limits)."""
    cells = frame.with_row_index("_id").with_columns(pl.col("_id").cast(pl.Int64))
    hidden = ((cells["n"] < gate.min_group) | (cells["analysts"] < gate.min_analysts)).to_numpy().copy()
    roots = cells.filter(pl.col("level") == 0)
    if roots.height and hidden[roots["_id"].to_numpy()].any() and group is None:
        return _cells_of(cells)  # the total itself is below the rule: nothing of the lattice shows
    keys = ["_group", "level", *DIMS]
    edges = []
    for i, dim in enumerate(DIMS):
        children = cells.filter((pl.col("level") & (1 << i)) != 0)
        parents = children.select(pl.col("_id").alias("child"), "_group",
                                  (pl.col("level") - (1 << i)).alias("level"),
                                  *[pl.lit(None, t).alias(d) if d == dim else pl.col(d) for d, t in KEY_TYPES.items()])
        edges.append(parents.join(cells.select(*keys, pl.col("_id").alias("parent")), on=keys, how="inner",
                                  nulls_equal=True).select("parent", pl.lit(i).alias("dim"), "child"))
    edges = (pl.concat(edges).join(cells.select(pl.col("_id").alias("child"), "n", "analysts"), on="child")
             .with_columns((pl.col("parent") * len(DIMS) + pl.col("dim")).alias("line"))
             .sort("line", "n", "child"))  # in each line, its cells smallest first (ties: lattice order)
    line, child, parent = (edges[c].to_numpy() for c in ("line", "child", "parent"))
    todo = np.ones(edges.height, dtype=bool)  # the lines to look at: at first all, then those a pick touched
    while todo.any():
        state = edges.filter(pl.Series(todo)).with_columns(pl.Series("hid", hidden[child[todo]]),
                                                           pl.Series("top", hidden[parent[todo]]))
        lines = state.group_by("line").agg(
            pl.col("top").first(), pl.col("hid").sum().alias("hidden"), (~pl.col("hid")).sum().alias("shown"),
            pl.col("n").filter(pl.col("hid")).sum().alias("hidden_n"),
            pl.col("analysts").filter(pl.col("hid")).max().alias("hidden_analysts"),
            pl.col("child").filter(~pl.col("hid")).first().alias("pick"))
        fails = (pl.col("hidden") < 2) | (pl.col("hidden_n") < gate.min_group) \
            | (pl.col("hidden_analysts").fill_null(0) < gate.min_analysts)
        need = (pl.col("shown") > 0) & pl.when(pl.col("top")).then(pl.col("hidden") == 0) \
            .otherwise((pl.col("hidden") > 0) & fails)
        picks = lines.filter(need)["pick"].unique().to_numpy()
        hidden[picks] = True
        touched = np.isin(child, picks) | np.isin(parent, picks)
        todo = np.isin(line, np.unique(line[touched]))
    return _cells_of(cells.filter(pl.Series(hidden)))
