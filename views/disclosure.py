"""Disclosure control: the one gate every figure about unnamed people passes on its way out.

A *cell* is any group a figure is computed over (the whole selection, a month, a team, a
service × channel pair, a factor's group…). A cell may carry figures only when it holds at least
`min_group` responses **and** `min_analysts` distinct analysts (docs/PRIVACY.md). A suppressed
cell keeps its size `n` and loses every other number. On top of the per-cell rule:

- comparisons are suppressed when either side is (`comparable`);
- a table whose rows add up to a total shown elsewhere gets complementary suppression, so a
  hidden row cannot be recovered as "total minus the others" (`complementary`);
- a selection that differs from a neighbouring one (one filter value more or less, or a week
  more or less at either end) by a non-empty group below the minimum is withheld as a whole,
  so two links cannot be subtracted (`neighbour_gap`, `period_gap`); as three links of whole
  weeks subtract to any run of weeks, every run counts, in the middle of the period too, and a
  cell hidden in one week's own table is hidden on every link holding that week
  (`split_cells`, `week_complements`).

Distinct-analyst counts cannot be added up: where a cell's count comes from a roll-up, it is
the largest part's count, a lower bound, so every decision here errs on the side of hiding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from data_access.config import thresholds
from data_access.scope import Scope

SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Disclosure:
    """The thresholds that apply to one viewer's org-level (unnamed) figures."""

    min_group: int
    min_analysts: int

    @classmethod
    def for_scope(cls, scope: Scope) -> "Disclosure":
        """The rule for a CIO, or a lead looking at unnamed org-style views of their teams."""
        scope.require("cio", "lead")
        limits = thresholds()
        return cls(limits.min_group, limits.min_analysts)

    # ------------------------------------------------------------ single cells

    def allows(self, n: int | None, analysts: int | None) -> bool:
        """Whether a cell of `n` responses by `analysts` distinct analysts may carry figures."""
        return int(n or 0) >= self.min_group and int(analysts or 0) >= self.min_analysts

    def comparable(self, now: tuple[int, int], before: tuple[int, int]) -> bool:
        """A change between two cells needs both sides to pass."""
        return self.allows(*now) and self.allows(*before)

    # ------------------------------------------------------------ tables

    def cells(self, frame: pl.DataFrame, figures: Iterable[str], *, n: str = "n",
              analysts: str = "analysts") -> pl.DataFrame:
        """Mark each row `suppressed` unless it passes, and blank its `figures` when it does not."""
        if frame.is_empty():
            return frame.with_columns(pl.lit(None, pl.Boolean).alias(SUPPRESSED))
        small = (pl.col(n).fill_null(0) < self.min_group) | (pl.col(analysts).fill_null(0) < self.min_analysts)
        already = pl.col(SUPPRESSED).fill_null(False) if SUPPRESSED in frame.columns else pl.lit(False)
        return blank(frame.with_columns((small | already).alias(SUPPRESSED)), figures)

    def complementary(self, frame: pl.DataFrame, figures: Iterable[str], *, n: str = "n",
                      analysts: str = "analysts") -> pl.DataFrame:
        """Complementary suppression for a table whose rows add up to a total shown elsewhere.

        While the hidden rows are a single row, or together fall below the minimum, the smallest
        visible row is hidden too (if no row is left, everything is hidden: the caller's total
        passed the rule on its own). Expects the `suppressed` column of `cells`; rows with n = 0
        take no part.
        """
        if frame.is_empty() or SUPPRESSED not in frame.columns:
            return frame
        flags = [bool(s) for s in frame[SUPPRESSED].to_list()]
        if not any(flags):
            return frame
        sizes = [int(v or 0) for v in frame[n].to_list()]
        people = [int(v or 0) for v in frame[analysts].to_list()]
        while True:  # empty rows hide nothing and cover nothing: they take no part
            hidden = [i for i, f in enumerate(flags) if f and sizes[i] > 0]
            union = (sum(sizes[i] for i in hidden), max((people[i] for i in hidden), default=0))
            visible = sorted((i for i, f in enumerate(flags) if not f and sizes[i] > 0),
                             key=lambda i: (sizes[i], i))
            if not hidden or not visible or (len(hidden) >= 2 and self.allows(*union)):
                break
            flags[visible[0]] = True
        return blank(frame.with_columns(pl.Series(SUPPRESSED, flags, dtype=pl.Boolean)), figures)

    # ------------------------------------------------------------ differencing between links

    def neighbour_gap(self, parts: pl.DataFrame, key: str, chosen: Sequence) -> bool:
        """True when a filter's neighbours differ from this selection by a group below the minimum.

        `parts` holds, for every value of one filter dimension (the other filters applied), its
        `n` and `analysts`. Neighbours are the link without this filter (difference: the values
        not chosen) and, with several values chosen, the link without one of them.
        """
        if not chosen or parts.is_empty():
            return False
        return self._splits(parts.select(key, "n", "analysts").iter_rows(), set(chosen))

    def _splits(self, rows: Iterable[tuple], picked: set) -> bool:
        """`neighbour_gap` on plain (value, n, analysts) rows, `picked` the values chosen."""
        rest_n = rest_people = 0
        each_picked = []
        for value, n, people in rows:
            n, people = int(n or 0), int(people or 0)
            if value in picked:
                each_picked.append((n, people))
            else:
                rest_n, rest_people = rest_n + n, max(rest_people, people)
        groups = [(rest_n, rest_people)] + (each_picked if len(picked) >= 2 else [])
        return any(n > 0 and not self.allows(n, people) for n, people in groups)

    def period_gap(self, weeks: pl.DataFrame) -> bool:
        """True when some run of whole weeks, not all of them, is not empty and fails the rule.

        `weeks` holds `week`, `n`, `analysts` per week of the period (weeks without responses
        may be absent). Links of whole weeks can be subtracted in threes as well as in twos: the
        period minus a link ending before a run and one starting after it leaves the run, in the
        middle just as at either end (docs/PRIVACY.md).
        """
        if weeks.height < 2:
            return False
        return bool(self._runs_failing(weeks.with_columns(pl.lit(0).alias("_cell")), ["_cell"]).height)

    def _runs_failing(self, weeks: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        """The cells (`keys`) with a run of consecutive weeks — not all of them — that is not empty
        and fails the rule. A run that is not empty holds a week with responses, and adding weeks
        only adds responses and analysts, so every such run passes exactly when each week with
        responses passes on its own (in a cell that has responses in two weeks or more)."""
        n, people = pl.col("n").fill_null(0), pl.col("analysts").fill_null(0)
        weekly = weeks.filter(n > 0).group_by([*keys, "week"]).agg(n.sum(), people.max())
        fails = (pl.col("n") < self.min_group) | (pl.col("analysts") < self.min_analysts)
        return (weekly.filter((pl.len().over(keys) > 1) & fails).select(keys).unique())

    def month_gap(self, inside: Iterable[tuple[int, int]], outside: Iterable[tuple[int, int]]) -> bool:
        """True when a calendar month (a digest's) could be subtracted from a page link of whole weeks.

        A link of whole weeks inside the month misses at least its partial first and last weeks
        (`inside`: their (n, analysts)); a link covering the month adds at least the days just
        outside it that share those weeks (`outside`). Each of the two groups, taken together,
        must be empty or pass (distinct analysts: the larger part's, a lower bound).
        """
        for parts in (list(inside), list(outside)):
            n, people = sum(int(p[0] or 0) for p in parts), max((int(p[1] or 0) for p in parts), default=0)
            if n > 0 and not self.allows(n, people):
                return True
        return False

    def split_cells(self, keys: Sequence[str], lifted: Iterable[tuple[pl.DataFrame, str, Sequence]],
                    weeks: pl.DataFrame) -> set[tuple]:
        """The cells of a table (tuples of their `keys` values) that a neighbouring link would split.

        A cell shown on two links that differ in one filter can be subtracted just like the whole
        selection, so each cell gets the selection's checks: `lifted` holds, for every filter in
        use, that filter's dimension lifted (`n`, `analysts` per cell and value of the dimension,
        and per week when the frame has a `week`: links of other periods can be subtracted to the
        cell's weeks, so each week must pass the check too) and the values chosen; `weeks` holds
        `n`, `analysts` per cell and week of the period.
        """
        keys = list(keys)
        gaps: set[tuple] = set()
        for frame, dim, chosen in lifted:
            if frame.is_empty() or not chosen:
                continue
            by = keys + (["week"] if "week" in frame.columns else [])
            per_cell: dict[tuple, list[tuple]] = {}  # plain rows: this runs for thousands of cells
            for row in frame.select(*by, pl.col(dim).alias("__value"), "n", "analysts").iter_rows():
                per_cell.setdefault(row[:len(by)], []).append(row[len(by):])
            picked = set(chosen)
            gaps |= {cell[:len(keys)] for cell, rows in per_cell.items() if self._splits(rows, picked)}
        if not weeks.is_empty():
            gaps |= set(self._runs_failing(weeks, keys).iter_rows()) | self.week_complements(weeks, keys)
        return gaps

    def week_complements(self, weeks: pl.DataFrame, keys: Sequence[str]) -> set[tuple]:
        """The cells (`keys` values) hidden in some week's own table: each week, the cells that
        fail the rule there and, complementarily, the smallest others (ties in `impact` order when
        `weeks` has that column, as the hotspot table breaks them, then in key order).

        Links of whole weeks subtract to any one week of a cell that passes each week, and the
        selection's week to its total, so a cell hidden in one week for another's sake must be
        hidden on every link holding that week — the same cells whatever the link's period."""
        keys = list(keys)
        n, people = pl.col("n").fill_null(0), pl.col("analysts").fill_null(0)
        order = [c for c in ("impact",) if c in weeks.columns]  # the table's own order, where it has one
        weekly = weeks.filter(n > 0).group_by([*keys, "week"]).agg(n.sum(), people.max(),
                                                                  *(pl.col(c).first() for c in order))
        small = (pl.col("n") < self.min_group) | (pl.col("analysts") < self.min_analysts)
        troubled = (weekly.filter(small.any().over("week")).with_columns(small.alias(SUPPRESSED))
                    .sort(["week", *order, *keys], nulls_last=True))  # in each week, the table's order
        per_week: dict = {}
        for row in troubled.select("week", *keys, "n", "analysts", SUPPRESSED).iter_rows():
            per_week.setdefault(row[0], []).append(row[1:])
        hidden: set[tuple] = set()
        width = len(keys)
        for rows in per_week.values():
            cells = [r[:width] for r in rows]
            flags = self._grid_flags(cells, [r[width] for r in rows], [r[width + 1] for r in rows],
                                     [bool(r[width + 2]) for r in rows])
            hidden |= {cell for cell, flag in zip(cells, flags) if flag}
        return hidden

    def _complementary_grid(self, frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        """`complementary` over the whole table and, with several keys, inside each value of each key
        (a row or column of the table adds up to a figure shown elsewhere too), until it holds."""
        flags = self._grid_flags(list(frame.select(keys).iter_rows()), frame["n"].to_list(),
                                 frame["analysts"].to_list(), [bool(f) for f in frame[SUPPRESSED].to_list()])
        return frame.with_columns(pl.Series(SUPPRESSED, flags, dtype=pl.Boolean))

    def _grid_flags(self, cells: list[tuple], sizes: list, people: list, flags: list[bool]) -> list[bool]:
        """`_complementary_grid` on plain lists: `cells` the key tuples in the table's order (ties
        go to the earlier row); returns `flags`, changed. It runs for every troubled week of every
        kind of cell, so no frame is built here."""
        groups = [list(range(len(cells)))]
        if cells and len(cells[0]) > 1:
            for k in range(len(cells[0])):
                members: dict = {}
                for i, cell in enumerate(cells):
                    members.setdefault(cell[k], []).append(i)
                groups += list(members.values())
        for _ in range(len(cells) + 1):
            before = list(flags)
            for rows in groups:
                self._complement(rows, sizes, people, flags)
            if flags == before:
                break
        return flags

    def _complement(self, rows: list[int], sizes: list, people: list, flags: list[bool]) -> None:
        """`complementary` on the rows `rows` of plain lists (ties in row order), changing `flags`."""
        while True:
            hidden = [i for i in rows if flags[i] and sizes[i] > 0]
            visible = sorted((i for i in rows if not flags[i] and sizes[i] > 0), key=lambda i: (sizes[i], i))
            union = (sum(sizes[i] for i in hidden), max((people[i] for i in hidden), default=0))
            if not hidden or not visible or (len(hidden) >= 2 and self.allows(*union)):
                return
            flags[visible[0]] = True


def hidden_keys(gate: Disclosure, frame: pl.DataFrame, key: str, *, shown_total: bool = True,
                also: Iterable = ()) -> set:
    """The `key` values of a stats frame (n, analysts per group) whose figures must not leave:
    those below the rule, those in `also` (hidden for another reason) and, when the groups'
    total is shown too, their complementary rows."""
    if frame.is_empty():
        return set(also)
    checked = gate.cells(frame.select(key, "n", "analysts"), [])
    checked = checked.with_columns((pl.col(SUPPRESSED) | pl.col(key).is_in(list(also))).alias(SUPPRESSED))
    if shown_total:
        checked = gate.complementary(checked, [])
    return set(checked.filter(pl.col(SUPPRESSED).fill_null(False))[key].to_list()) | set(also)


def blank(frame: pl.DataFrame, figures: Iterable[str]) -> pl.DataFrame:
    """Null the `figures` of every row marked suppressed."""
    hidden = pl.col(SUPPRESSED).fill_null(False)
    return frame.with_columns(pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
                              for c in figures if c in frame.columns)


def shown_only(frame: pl.DataFrame) -> pl.DataFrame:
    """Chart data: the rows that passed (a chart draws no empty cells)."""
    if frame.is_empty() or SUPPRESSED not in frame.columns:
        return frame
    return frame.filter(~pl.col(SUPPRESSED).fill_null(False))


def released(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the internal distinct-analyst counts before a frame leaves the read model."""
    return frame.drop("analysts", strict=False)


@dataclass(frozen=True)
class PeerBand:
    """The rule for an analyst's own page (My feedback): their figures next to their unnamed team.

    Own figures need `min_responses`; a colleague counts toward the team's band only with
    `min_responses` too; the band (quartiles and median in whole points, and the analyst's
    percentile) is shown only over at least `min_colleagues` such colleagues, the analyst not
    counted, and only the band leaves the read model — never a colleague's value or id. Team
    CARE means behind a past self-assessment need `min_analysts` members. The formulas that
    apply it are in `metrics.self_view`.
    """

    min_responses: int
    min_colleagues: int
    min_analysts: int

    @classmethod
    def for_scope(cls, scope: Scope) -> "PeerBand":
        """The rule for the signed-in analyst; any other role is refused."""
        scope.require("analyst")
        limits = thresholds()
        return cls(limits.min_responses, limits.min_colleagues, limits.min_analysts)
