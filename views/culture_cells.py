"""Culture trends' experience figures and distinct analysts of a period, by any grouping of its cells.

`trends.analyst_cells` holds, per analyst and every dimension a cell of the page is cut by, the
sufficient statistics of `trends.experience_stats` (n, happy, unhappy, lost_n, lost_sum). Disclosure
control counts each kind of cell's distinct analysts exactly (per week, per value of a lifted
filter), and the page's groupings of the period are sums of the same cells. `experience` sums a
grouping from the per-analyst rows; it returns what `trends.experience_stats(by=…)` returns for the
same filters: the same columns, types and order (a test compares them on every engine).

`CellReads` answers a report build's questions — `experience(filters, by)`, `distinct(filters,
keys)`, `block(…)` — once per filters and grouping. `GroupedCells`, the one the read models use,
has the database sum the groupings (`data_access.cell_groups`), those announced with `want` in
one statement per filters, so the per-analyst rows never leave it; the base class sums them in
polars from one per-analyst read per filters (the reference the tests compare against).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import polars as pl

from data_access.cell_groups import cell_groups, key_order
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.trends import EXPERIENCE, analyst_cells, answers_stamp

_KEY_TYPES = {"week": pl.Date, "month": pl.Date, "team_id": pl.Int64, "service_id": pl.Int64,
              "channel": pl.String, "ticket_type": pl.String, "sla_met": pl.Boolean,
              "reassignment_count": pl.Int64, "priority": pl.Int64}


def experience(cells: pl.DataFrame, by: tuple[str, ...]) -> pl.DataFrame:
    """Per group of `by`: n, happy, unhappy, analysts, lost_n, lost_sum, sla_met_n, sla_met_unhappy."""
    met = pl.col("sla_met").fill_null(False)
    figures = {"n": pl.col("n").sum(), "happy": pl.col("happy").sum(), "unhappy": pl.col("unhappy").sum(),
               "analysts": pl.col("analyst_id").n_unique().cast(pl.Int64), "lost_n": pl.col("lost_n").sum(),
               "lost_sum": pl.col("lost_sum").sum(), "sla_met_n": pl.col("n").filter(met).sum(),
               "sla_met_unhappy": pl.col("unhappy").filter(met).sum()}
    aggs = [figures[name].alias(name) for name in EXPERIENCE]
    if not by:
        return cells.select(aggs)
    if cells.is_empty():
        return pl.DataFrame(schema={**{b: _KEY_TYPES[b] for b in by},
                                    **{m: pl.Float64 if m == "lost_sum" else pl.Int64 for m in EXPERIENCE}})
    grouped = cells.group_by(list(by)).agg(aggs).sort(list(by), nulls_last=True)
    return grouped.with_columns(pl.col(m).cast(pl.Float64 if m == "lost_sum" else pl.Int64) for m in EXPERIENCE)


def distinct(people: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Responses and exact distinct analysts per `keys`, from per-analyst rows (ids dropped here).
    Lazy: polars then counts distinct ids at about half the CPU of the eager group-by."""
    return (people.lazy().group_by(keys).agg(pl.col("n").sum(), pl.col("analyst_id").n_unique().alias("analysts"))
            .collect())


class CellReads:
    """A period's cells for one scope and url, grouped as the report asks: `experience(filters, by)`
    and `distinct(filters, keys)` (n and exact distinct analysts per group), and `block` (one group
    of chosen cells). This base class sums them from `read(filters, by_priority)` (an
    `analyst_cells` reader bound to scope and url), read once per filters and grain
    (`by_priority`: the ticket priority as one more dimension); `GroupedCells` asks the database."""

    def __init__(self, read: Callable[[Filters, bool], pl.DataFrame]):
        self._read = read
        self._seen: dict[tuple[Filters, bool], pl.DataFrame] = {}
        self.kept: dict = {}
        """What a report build works out from these reads and asks again (per week: `culture_threeway`)."""

    def remember(self, key: tuple, compute: Callable[[], object]) -> object:
        """`compute()`, a figure of these reads that other report builds may share (the same `key`
        means the same answer on the same warehouse): here worked out each time; `GroupedCells`
        built with `keep` keeps it across builds."""
        return compute()

    def __call__(self, filters: Filters, by_priority: bool = False) -> pl.DataFrame:
        """The per-analyst cells of `filters`."""
        key = (filters, by_priority)
        if key not in self._seen:
            self._seen[key] = self._read(filters, by_priority)
        return self._seen[key]

    def want(self, filters: Filters, groupings: Iterable[tuple[str, ...]], by_priority: bool = False,
             counts_only: bool = False) -> None:
        """Say which groupings of `filters` will be asked for (a hint: they are then read together;
        `counts_only`: through `lattice`)."""

    def experience(self, filters: Filters, by: tuple[str, ...], by_priority: bool = False) -> pl.DataFrame:
        """`experience` of the cells of `filters` by `by`."""
        return experience(self(filters, by_priority), tuple(by))

    def distinct(self, filters: Filters, keys: Sequence[str], by_priority: bool = False) -> pl.DataFrame:
        """`keys`, n and exact distinct analysts per group of the cells of `filters`."""
        return distinct(self(filters, by_priority), list(keys))

    def lattice(self, filters: Filters, keys: Sequence[str]) -> pl.DataFrame:
        """`distinct`, read for a lattice of disclosure control only (`GroupedCells`: in a statement
        of such groupings, announced with `want(…, counts_only=True)`, that sums nothing else)."""
        return self.distinct(filters, keys)

    def block(self, filters: Filters, keys: tuple[str, ...], block: set[tuple]) -> tuple[int, int]:
        """Responses and exact distinct analysts of the cells of `filters` whose `keys` are in `block`."""
        cells = self(filters)
        wanted = pl.DataFrame([dict(zip(keys, cell)) for cell in block]).with_columns(
            pl.col(k).cast(cells.schema[k]) for k in keys)
        rows = cells.join(wanted, on=list(keys), how="semi")
        return int(rows["n"].sum()), rows["analyst_id"].n_unique()


class GroupedCells(CellReads):
    """`CellReads` whose groupings the database sums (`data_access.cell_groups`): per filters, the
    groupings announced by `want` and the one asked for are read in one statement, and Python gets
    the groups, not the per-analyst cells. `block` (rare: a link holding part of a wider link's
    hidden cells) still reads the cells."""

    def __init__(self, read: Callable[[Filters, bool], pl.DataFrame],
                 read_groups: Callable[[Filters, bool, list[tuple[str, ...]], bool], dict[tuple[str, ...], pl.DataFrame]],
                 order: Sequence[str], keep: Keep | None = None, where: tuple = ()):
        super().__init__(read)
        self._keep, self._where = keep, where
        self._stamp: tuple | None = None
        self._read_groups = read_groups
        self._order = {k: i for i, k in enumerate(order)}
        self._groups: dict[tuple[Filters, bool, bool], dict[tuple[str, ...], pl.DataFrame]] = {}
        self._wanted: dict[tuple[Filters, bool, bool], set[tuple[str, ...]]] = {}

    def _canonical(self, keys: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(keys), key=self._order.__getitem__))

    def want(self, filters: Filters, groupings: Iterable[tuple[str, ...]], by_priority: bool = False,
             counts_only: bool = False) -> None:
        known = set(self._groups.get((filters, by_priority, counts_only), {}))
        if counts_only:  # a grouping the full statement reads anyway is taken from it (`lattice`)
            known |= self._full(filters)
        wanted = self._wanted.setdefault((filters, by_priority, counts_only), set())
        wanted.update(g for g in map(self._canonical, groupings) if g not in known)

    def _full(self, filters: Filters) -> set[tuple[str, ...]]:
        """The groupings of `filters` read, or to be read, by its full statement."""
        return set(self._groups.get((filters, False, False), {})) | self._wanted.get((filters, False, False), set())

    def _group(self, filters: Filters, keys: Iterable[str], by_priority: bool, counts_only: bool = False) -> pl.DataFrame:
        at, grouping = (filters, by_priority, counts_only), self._canonical(keys)
        known = self._groups.setdefault(at, {})
        if grouping not in known:
            batch = sorted((self._wanted.pop(at, set()) | {grouping}) - set(known))
            known.update(self._read_groups(filters, by_priority, batch, counts_only))
        return known[grouping]

    def remember(self, key: tuple, compute: Callable[[], object]) -> object:
        """Kept under `key` and the answers' stamp (`trends.answers_stamp`, read once per build)."""
        if self._keep is None:
            return compute()
        if self._stamp is None:
            self._stamp = answers_stamp(url=self._where[1])
        return self._keep(*self._where, (*key, self._stamp), compute)

    def experience(self, filters: Filters, by: tuple[str, ...], by_priority: bool = False) -> pl.DataFrame:
        frame = self._group(filters, by, by_priority)
        return frame.select(*by, *EXPERIENCE).sort(list(by), nulls_last=True) if by else frame

    def distinct(self, filters: Filters, keys: Sequence[str], by_priority: bool = False) -> pl.DataFrame:
        return self._group(filters, keys, by_priority).select(*keys, "n", "analysts")

    def lattice(self, filters: Filters, keys: Sequence[str]) -> pl.DataFrame:
        narrow = self._canonical(keys) not in self._full(filters)
        return self._group(filters, keys, False, counts_only=narrow).select(*keys, "n", "analysts")


def whole_weeks(filters: Filters) -> bool:
    """Whether the period of `filters` is whole weeks, Monday to Sunday (every period the pages make)."""
    return filters.start.weekday() == 0 and filters.end.weekday() == 0 and filters.start < filters.end


def weeks_of(filters: Filters) -> list[dt.date]:
    """The Mondays of the weeks of a period of whole weeks."""
    return [filters.start + dt.timedelta(weeks=i) for i in range((filters.end - filters.start).days // 7)]


Keep = Callable[[Scope, "str | None", tuple, Callable[[], object]], object]
"""`keep(scope, url, key, compute)`: `compute()`'s answer, kept for every build at that scope and url
under `key` (views.cache: the app's TTL, emptied by every write)."""


def cell_reads(scope: Scope, url: str | None, keep: Keep | None = None) -> GroupedCells:
    """The cells of `scope` at `url`, grouped by the database (one report build's reads); with
    `keep`, what `remember` is asked is kept across builds."""
    return GroupedCells(lambda f, by_priority: analyst_cells(scope=scope, filters=f, url=url, by_priority=by_priority),
                        lambda f, by_priority, groupings, counts_only: cell_groups(
                            scope=scope, filters=f, groupings=groupings, url=url, by_priority=by_priority,
                            counts_only=counts_only),
                        key_order(True), keep, (scope, url))
