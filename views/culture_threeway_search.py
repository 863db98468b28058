"""Culture trends: the search behind the service × channel × team pattern (views/culture_threeway.py).

The lattice's cells over the *atoms* (service, channel, team) of the widest link — the grand total,
the three one-way margins, the three two-way tables and the atoms themselves — come from its
per-analyst cells (`cube`), and `hidden_cells` works out which of them no link may show:

1. every non-empty lattice cell that fails the rule is hidden; the rest are *released*;
2. a group of atoms is worked out from the released cells when its 0/1 vector lies in their row
   space, that is when the null space basis N of the released matrix gives N^T g = 0. Every group
   that fails the rule (fewer than `min_group` responses or `min_analysts` analysts) is searched
   for among the atoms that can take part in such a combination at all (`_dependent`);
3. for each group found, the smallest released cell (fixed order on ties) that every way of
   writing the group as released cells needs is hidden too, and the search runs again.

The cost is in the search and in the SVDs (one per round, and one per cell the end of
`hidden_cells` tries to show again). Whatever is done to save time does the same float operations
on what decides a cell's fate, or skips work whose outcome is known: the search counts visits in
runs (`_Search`); a cell is tried again only until its search finds one group; a cube with no atom
below the rule has no search. tests/test_threeway_equivalence.py holds the plain version and checks
that every input gets the same cells hidden.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from views.disclosure import Disclosure

# The search's matrices are small (hundreds of rows): spread over threads, each SVD costs many times
# more in hand-offs than in sums (a lead's page at 20,000 answers: 4 s against 0.4 s), and every
# session's page shares the same cores. One BLAS thread for the process, set once; the results are
# the same bytes either way.
threadpool_limits(limits=1, user_api="blas")

DIMS = ("service_id", "channel", "team_id")
LEVELS = tuple(level for size in range(4) for level in itertools.combinations(DIMS, size))
"""The lattice's levels, widest first: the total, the one-way margins, the two-way tables, the atoms."""
TOL = 1e-8
SEARCH_BUDGET = 20_000
"""Groups the search may visit per round; past that the candidates count as disclosed (errs on hiding)."""
LEAKS_PER_ROUND = 16

Cell = tuple[tuple[str, object], ...]
"""A lattice cell: its (dimension, value) pairs in `DIMS` order; () is the root's total."""


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
