"""The Culture trends suppression-pattern search as it was before it was made faster: a frozen copy
of `views.culture_threeway`'s `cube`, `hidden_cells` and `pattern` (test-only). The equivalence test
(tests/test_threeway_equivalence.py) asserts that the module in use hides exactly the cells this
one hides; do not change this copy when the module changes."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from views.disclosure import Disclosure

DIMS = ("service_id", "channel", "team_id")
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


@dataclass(frozen=True)
class Cube:
    """The root's atoms and its lattice cells: responses, exact distinct analysts, atoms covered."""

    sizes: np.ndarray
    people: list[frozenset]
    cells: dict[Cell, tuple[int, int, tuple[int, ...]]]


def cube(cells: pl.DataFrame, by_month: bool = False) -> Cube:
    """The lattice of the root link from its per-analyst cells (`analyst_cells` rows). With
    `by_month` (one week cut by a month's end), the atoms are its parts' three-way cells, and the
    lattice holds the week's cells and each part's (keyed with ("month", its month) first)."""
    parts = ["month"] if by_month else []
    rows = cells.filter(pl.col("n") > 0).select(*parts, *DIMS, "analyst_id", "n")
    atoms = (rows.group_by([*parts, *DIMS]).agg(pl.col("n").sum(), pl.col("analyst_id").unique().alias("who"))
             .sort([*parts, *DIMS], nulls_last=True).with_row_index("_atom"))
    rows = rows.join(atoms.select(*parts, *DIMS, "_atom"), on=[*parts, *DIMS], how="left", nulls_equal=True)
    lattice: dict[Cell, tuple[int, int, tuple[int, ...]]] = {}
    aggs = [pl.col("n").sum(), pl.col("analyst_id").n_unique().alias("analysts"),
            pl.col("_atom").unique().sort().alias("atoms")]
    for split in ([()] + ([tuple(parts)] if parts else [])):
        for level in LEVELS:
            keys = [*split, *level]
            grouped = rows.group_by(keys or [pl.lit(0).alias("_all")]).agg(aggs).sort(keys or "_all", nulls_last=True)
            for row in grouped.iter_rows(named=True):
                if row["n"]:
                    lattice[tuple((d, row[d]) for d in keys)] = (int(row["n"]), int(row["analysts"]),
                                                                tuple(row["atoms"]))
    return Cube(atoms["n"].to_numpy().astype(float), [frozenset(w) for w in atoms["who"].to_list()], lattice)


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


def _worked_out(gate: Disclosure, null: np.ndarray, shape: Cube, candidates: list[int]) -> list[tuple[int, ...]]:
    """Groups of `candidates` that fail the rule yet lie in the released span: a search that grows
    each group while it still fails (adding atoms only adds responses and analysts). Past the
    budget, the candidates left count as one such group."""
    found: list[tuple[int, ...]] = []
    visits = [0]

    def grow(start: int, group: tuple[int, ...], total: np.ndarray, n: float, who: frozenset) -> None:
        for pos in range(start, len(candidates)):
            if len(found) >= LEAKS_PER_ROUND:
                return
            visits[0] += 1
            if visits[0] > SEARCH_BUDGET:
                found.append(tuple(candidates[pos:]))
                return
            atom = candidates[pos]
            size, people, vec = n + shape.sizes[atom], who | shape.people[atom], total + null[atom]
            if gate.allows(int(size), len(people)):
                continue
            grown = (*group, atom)
            if np.abs(vec).max(initial=0.0) < 1e-7:
                found.append(grown)
            grow(pos + 1, grown, vec, size, people)

    grow(0, (), np.zeros(null.shape[1]), 0.0, frozenset())
    return found


def _leaks(gate: Disclosure, null: np.ndarray, shape: Cube) -> list[tuple[int, ...]]:
    """Groups of atoms below the rule that the released cells determine."""
    few = [i for i, n in enumerate(shape.sizes) if n < gate.min_group]
    thin = [i for i, who in enumerate(shape.people) if len(who) < gate.min_analysts]
    candidates = sorted(set(_dependent(null, few)) | set(_dependent(null, thin)))
    return _worked_out(gate, null, shape, candidates) if candidates else []


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


def _round(gate: Disclosure, shape: Cube, hidden: set[Cell]) -> tuple[list, list[Cell], tuple]:
    """The groups below the rule that the cells not `hidden` determine, those cells and their SVD."""
    shown = [cell for cell in shape.cells if cell not in hidden]
    u, values, vt = np.linalg.svd(_matrix(shape, shown), full_matrices=True)
    rank = int((values > TOL * values[0]).sum())
    return _leaks(gate, vt[rank:].T, shape), shown, (u, values[:rank], vt)


def hidden_cells(gate: Disclosure, shape: Cube) -> frozenset[Cell]:
    """The pattern: the lattice cells no link of the family shows. Cells below the rule, then one
    more cell per group worked out until none is; then each cell hidden that way is shown again,
    largest first, where that lets no group be worked out (so an early choice hides no more than
    it must)."""
    small = {cell for cell, (n, people, _) in shape.cells.items() if not gate.allows(n, people)}
    if () in small or not shape.cells:
        return frozenset(shape.cells)
    hidden = set(small)
    for _ in range(len(shape.cells)):
        leaks, shown, basis = _round(gate, shape, hidden)
        picks = {_withhold(shape, shown, basis, group) for group in leaks} - {None}
        if not picks:
            break
        hidden |= picks
    order = list(shape.cells)
    for cell in sorted(hidden - small, key=lambda c: (-shape.cells[c][0], -order.index(c))):
        if not _round(gate, shape, hidden - {cell})[0]:
            hidden.discard(cell)
    return frozenset(hidden)


def pattern(gate: Disclosure, cells: pl.DataFrame) -> tuple[frozenset, frozenset, dict]:
    """The pattern of the family whose widest link has the per-analyst `cells`: the cells its period
    hides, and every cell that the own pattern of one of its weeks hides. Links of other periods
    differ from this family's by whole weeks, so what two links give away by difference adds up
    week cells; a cell shown only when no week of the period hides it keeps every figure a sum of
    cells the weeks' own patterns show, and a group below the rule has a part below it in some week
    (docs/PRIVACY.md). A week cut by a month's end is also split into its parts for the month rows
    (`Pattern.months`, the third item)."""
    shape = cube(cells)
    if len(shape.sizes) > MAX_ATOMS:
        small = {cell for cell, (n, people, _) in shape.cells.items() if not gate.allows(n, people)}
        return (frozenset(shape.cells) if () in small else frozenset(small)), frozenset(shape.cells), {}
    hidden = set(hidden_cells(gate, shape))
    weeks = cells.filter(pl.col("n") > 0).partition_by("week") if "week" in cells.columns else []
    if len(weeks) > 1:
        for week in weeks:
            hidden |= hidden_cells(gate, cube(week))
    weekly, months = _cut_weeks(gate, weeks)
    return frozenset(hidden | weekly), frozenset(shape.cells), months


def _cut_weeks(gate: Disclosure, weeks: list[pl.DataFrame]) -> tuple[set[Cell], dict]:
    """For each week with answers on both sides of a month's end: the pattern of the week's cells
    and its parts' cells together (`cube(by_month=True)`). Month rows tell the parts apart (links
    of other periods subtract to a part), while every other figure adds the whole week: so a group
    below the rule may be a part's cells against the week's. Returns the week cells that pattern
    hides and, per month (`Pattern.months`), the part cells it hides."""
    weekly: set[Cell] = set()
    months: dict = {}
    for week in weeks:
        if "month" not in week.columns or week["month"].n_unique() < 2:
            continue
        for cell in hidden_cells(gate, cube(week, by_month=True)):
            if cell and cell[0][0] == "month":
                months[cell[0][1]] = months.get(cell[0][1], frozenset()) | {cell[1:]}
            else:
                weekly.add(cell)
    return weekly, months
