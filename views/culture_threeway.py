"""Culture trends: one suppression pattern for the service × channel × team table (docs/PRIVACY.md).

The plain link, each link on a service, a channel or a team and their combinations release cells of
one lattice over the *atoms* (service, channel, team) of the widest link (`root`: the link without
its filters on services, channels and teams): the grand total, the three one-way margins, the three
two-way tables (hotspots; team rows of a service's or a channel's link; channel and service lines
of a team's link) and the atoms themselves (a team link's hotspots). Each table is protected on its
own, but together they may pin down a small group of atoms. So the page computes, from the root's
per-analyst cells, which lattice cells no link shows: the cells below the rule, and one more cell
for each group below the rule that the others work out, until none is
(`views.culture_threeway_search`, which says how).

Every link then hides the lattice cells of the pattern that its figures add up (and withholds
itself when its own headline is such a cell), so every link makes the same choice. The pattern of
a period also holds what each of its weeks' own patterns hides (`pattern`): links of other periods
differ from it by whole weeks. The period's search is skipped once its weeks hide every cell, and
equal week cubes are searched once. Above `MAX_ATOMS` there is no search: the period's lattice and
each week's get line complements (`line_complements`), which close what one line of cells gives away.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from data_access.filters import Filters
from views.culture_cells import CellReads, weeks_of, whole_weeks
from views.culture_threeway_search import DIMS, LEVELS, Cell, Cube, cube, cubes, hidden_cells
from views.disclosure import Disclosure

FIELDS = {"service_id": "service_ids", "channel": "channels", "team_id": "team_ids"}
MAX_ATOMS = 100
"""Above this many non-empty atoms the search is not run (one round costs seconds at 700 atoms):
`pattern_for` then gives the line complements of the period and of its weeks (docs/PRIVACY.md, known limits)."""


def root(filters: Filters) -> Filters:
    """The widest link of `filters`' family: no filter on services, channels or teams."""
    return replace(filters, **{field: () for field in FIELDS.values()})


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
    they come in the same statements as the report's own. The weeks' lattices (read above
    `MAX_ATOMS` only) of a period of whole weeks come on their own, week by week and shared between
    periods (`_week_lines`); those of any other period come with its statement, as before."""
    top = root(filters)
    reads.want(top, LEVELS[1:] if whole_weeks(top) else (*LEVELS[1:], *WEEK_LEVELS))
    reads.want(filters, [("month", "channel"), ("month", "team_id")])


def month_lines(reads: CellReads, filters: Filters) -> dict[str, pl.DataFrame]:
    """The link's months per channel and per team (what `Pattern.gaps` hides a line's months from)."""
    return {key: reads.distinct(filters, ["month", key]) for key in ("channel", "team_id")}


WEEK_LEVELS = tuple(("week", *level) for level in LEVELS[1:])
"""The lattice's levels week by week (what the line rule reads above `MAX_ATOMS`)."""


def pattern_for(gate: Disclosure, reads: CellReads, filters: Filters) -> Pattern:
    """The pattern of `filters`' family. Its widest link's lattice comes grouped by the database; the
    per-analyst cells the search needs are read only when the search runs (at most `MAX_ATOMS`);
    above that, the period's lattice and each week's get line complements, and a cell that one
    week's lines hide stays hidden for the period (links of other periods differ by whole weeks).
    It is the same for every link of the family, so `reads.remember` may share it between builds
    that see the same answers."""
    top = root(filters)
    announce(reads, filters)
    return reads.remember(("service × channel × team pattern", top, gate), lambda: family_pattern(gate, reads, top))


def family_pattern(gate: Disclosure, reads: CellReads, top: Filters) -> Pattern:
    """`pattern_for` of the family whose widest link is `top`, worked out."""
    atoms = reads.distinct(top, list(DIMS)).filter(pl.col("n") > 0)
    if atoms.height <= MAX_ATOMS:
        return pattern(gate, reads(top))
    period = _lattice_frame([(level, reads.distinct(top, list(level))) for level in LEVELS[1:]])
    hidden = line_complements(gate, period) | _week_lines(gate, reads, top)
    return Pattern(frozenset(hidden), frozenset(_cells_of(period)))


def _week_lines(gate: Disclosure, reads: CellReads, top: Filters) -> set[Cell]:
    """The cells that the line rule of some week of `top`'s period hides. Over whole weeks each
    week's are worked out once per report build (`reads.kept`): the period before and the same
    weeks a year earlier share most of their weeks, and a week's lattice is the same in each, so
    only the span of the weeks not worked out yet is read, in a statement of its own."""
    if not whole_weeks(top):
        return line_complements(gate, _week_frame(reads, top), by=("week",))
    kept = reads.kept.setdefault(("week lines", replace(top, start=dt.date.min, end=dt.date.min), gate), {})
    todo = [week for week in weeks_of(top) if week not in kept]
    if todo:
        span = replace(top, start=min(todo), end=max(todo) + dt.timedelta(weeks=1))
        reads.want(span, WEEK_LEVELS, counts_only=True)
        frame = _week_frame(reads, span).filter(pl.col("week").is_in(todo))
        found = week_line_complements(gate, frame)
        none = frame.select("level", *DIMS).clear()
        kept.update({week: found.get(week, none) for week in todo})
    return _cells_of(pl.concat([kept[week] for week in weeks_of(top)]).unique())


def _week_frame(reads: CellReads, filters: Filters) -> pl.DataFrame:
    """The lattices of the weeks of `filters` (`_lattice_frame` rows by week), through
    `CellReads.lattice`: from the full statement where it reads them, else a narrow one."""
    return _lattice_frame([(level[1:], reads.lattice(filters, list(level))) for level in WEEK_LEVELS], by=("week",))


KEY_TYPES = {"service_id": pl.Int64, "channel": pl.String, "team_id": pl.Int64}


def _lattice_frame(levels: list[tuple[tuple[str, ...], pl.DataFrame]], by: tuple[str, ...] = ()) -> pl.DataFrame:
    """Lattice cells as rows: the columns `by` (a week: one lattice per value), `level` (a bit per
    dimension of `DIMS` the cell has), the three keys (null where the cell has no such dimension),
    n, analysts; in lattice order."""
    frames = []
    for level, frame in levels:
        bits = sum(1 << i for i, d in enumerate(DIMS) if d in level)
        frames.append(frame.filter(pl.col("n") > 0).select(
            *by, pl.lit(bits, pl.Int64).alias("level"),
            *[pl.col(d).cast(t) if d in level else pl.lit(None, t).alias(d) for d, t in KEY_TYPES.items()],
            pl.col("n").cast(pl.Int64), pl.col("analysts").cast(pl.Int64)))
    return pl.concat(frames).sort(*by, "level", *DIMS, nulls_last=True)


def _cells_of(frame: pl.DataFrame) -> set[Cell]:
    """The `Cell` of each row of a `_lattice_frame`."""
    return {tuple((d, row[i + 1]) for i, d in enumerate(DIMS) if row[0] & (1 << i))
            for row in frame.select("level", *DIMS).iter_rows()}


def line_complements(gate: Disclosure, frame: pl.DataFrame, by: tuple[str, ...] = ()) -> set[Cell]:
    """The pattern of a lattice too large for the search (`_lattice_frame` rows; with `by`, one
    lattice per value of those columns, each on its own, their hidden cells together), as `Cell`s: the
    cells below the rule, then, line by line, complements. A *line* is a cell and its cells one dimension further in
    (a service's cells by team, say); the cell is their sum. Where the cell is shown, the line's
    hidden cells must be at least two and pass the rule together (distinct analysts: the largest
    cell's, a lower bound), else their sum is the cell minus the others; where it is hidden, a line
    all shown would add it up. The smallest shown cell of each line that fails (ties: lattice
    order) is hidden too, until every line holds. This closes what one line gives away, not every
    combination of lines the search finds (docs/PRIVACY.md, known limits). A grand total row (level
    0) below the rule hides the whole frame; the frames `pattern_for` builds hold none (`LEVELS[1:]`)."""
    return _cells_of(frame.filter(pl.Series(_line_rule(gate, frame, by))).select("level", *DIMS).unique())


def week_line_complements(gate: Disclosure, frame: pl.DataFrame) -> dict[dt.date, pl.DataFrame]:
    """`line_complements` of weekly lattices (`_lattice_frame` rows by "week"), week by week, each
    week's hidden cells as rows (level and keys, as `_cells_of` reads them): a period's pattern
    takes the union of its weeks', so only that union becomes `Cell`s."""
    hidden = frame.filter(pl.Series(_line_rule(gate, frame, ("week",)))).select("week", "level", *DIMS)
    return {week: part.drop("week") for (week,), part in hidden.partition_by("week", as_dict=True).items()}


def _line_rule(gate: Disclosure, frame: pl.DataFrame, by: tuple[str, ...]) -> np.ndarray:
    """Which rows of `frame` `line_complements` hides."""
    n, analysts, level = (frame[c].to_numpy() for c in ("n", "analysts", "level"))
    hidden = (n < gate.min_group) | (analysts < gate.min_analysts)
    if (hidden & (level == 0)).any():
        return np.ones(frame.height, dtype=bool)  # the total itself is below the rule: nothing of the lattice shows
    line, child, parent = _lines(frame, by)
    todo = np.ones(line.size, dtype=bool)  # the lines to look at: at first all, then those a pick touched
    while todo.any():
        at = np.flatnonzero(todo)
        kids = child[at]
        starts = np.flatnonzero(np.r_[True, line[at][1:] != line[at][:-1]])
        hid = hidden[kids]
        hidden_count = np.add.reduceat(hid.astype(np.int64), starts)
        shown = np.diff(np.r_[starts, at.size]) - hidden_count
        hidden_n = np.add.reduceat(np.where(hid, n[kids], 0), starts)
        hidden_analysts = np.maximum.reduceat(np.where(hid, analysts[kids], 0), starts)
        first_shown = np.minimum.reduceat(np.where(hid, at.size, np.arange(at.size)), starts)
        fails = (hidden_count < 2) | (hidden_n < gate.min_group) | (hidden_analysts < gate.min_analysts)
        need = (shown > 0) & np.where(hidden[parent[at][starts]], hidden_count == 0, (hidden_count > 0) & fails)
        picks = np.unique(kids[first_shown[need]])
        hidden[picks] = True
        touched = np.isin(child, picks) | np.isin(parent, picks)
        todo = np.isin(line, np.unique(line[touched]))
    return hidden


def _lines(frame: pl.DataFrame, by: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """The lattice's lines as edges (line, child, parent: row positions), ordered by line and, in
    each line, its cells smallest first (ties: lattice order). Each row's keys become one integer
    (its value's rank in each column, 0 for none, and its level), so a cell's parent one dimension
    in — the same keys with that dimension's set to none — is found by binary search."""
    columns = [*by, *DIMS]
    codes = frame.select(pl.col(c).rank("dense").fill_null(0).cast(pl.Int64) for c in columns)
    weight, key, size = {}, frame["level"].to_numpy().astype(np.int64), 1 << len(DIMS)
    for column in columns:
        values = codes[column].to_numpy()
        weight[column] = size
        key = key + values * size
        size *= int(values.max(initial=0)) + 1
    if size >= 1 << 62:
        raise OverflowError("too many distinct keys for the lattice's row keys")
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    lines, children, parents = [], [], []
    level = frame["level"].to_numpy()
    for i, dim in enumerate(DIMS):
        kids = np.flatnonzero(level & (1 << i))
        wanted = key[kids] - (1 << i) - codes[dim].to_numpy()[kids] * weight[dim]
        at = np.minimum(np.searchsorted(ordered, wanted), max(ordered.size - 1, 0))
        found = ordered[at] == wanted if ordered.size else np.zeros(0, dtype=bool)
        parents.append(order[at[found]])
        children.append(kids[found])
        lines.append(order[at[found]] * len(DIMS) + i)
    line, child, parent = (np.concatenate(part).astype(np.int64) for part in (lines, children, parents))
    rank = np.lexsort((child, frame["n"].to_numpy()[child], line))
    return line[rank], child[rank], parent[rank]
