"""Culture trends' cells summed in SQL: for several groupings of the cell dimensions at once, each
group's experience sums and its exact number of distinct analysts.

`trends.analyst_cells` returns one row per analyst and cell (hundreds of thousands a year at 1M
answers). The page needs a few dozen groupings of it (months, teams, service × channel, each kind
of cell by week…), each with the sufficient statistics of `trends.experience_stats` and the
distinct analysts that disclosure control counts. Here the database sums them: the cells read
becomes a common table expression, and each grouping is a GROUP BY over it in two steps — per
group and analyst, then per group, where the rows counted are the group's distinct analysts (a
hash aggregate on every engine, where COUNT(DISTINCT …) would sort: on PostgreSQL at a million
answers that was slower still). The per-analyst sums are 32-bit integers (one analyst's answers
in one cell of one period): PostgreSQL sums 64-bit integers through numeric, which made each of
those steps about twice as slow. One UNION ALL of all the groupings is one round trip, and
thousands of rows leave the database instead of the cells.

Analyst ids stay inside the statement; only their counts leave.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import sqlalchemy as sa

from data_access import config, query
from data_access.engine import get_engine
from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import stat_types
from data_access.trends import CELL_TYPES, CELLS_WORK_MEM_MB, EXPERIENCE, analyst_cells_statement

SUMS = ("n", "happy", "unhappy", "lost_n", "lost_sum", "sla_met_n", "sla_met_unhappy")
GROUPING = "grouping"


def key_order(by_priority: bool) -> tuple[str, ...]:
    """Every key a grouping may use, in the read's column order."""
    keys = tuple(k for k in CELL_TYPES if k not in ("analyst_id", *SUMS))
    return (*keys, "priority") if by_priority else keys


RARE = ("service_id", "reassignment_count", "priority")
"""Dimensions few groupings use: the groupings with and without them are summed from different hubs."""


def _plan(groupings: list[tuple[str, ...]], every: tuple[str, ...]) -> list[tuple[tuple[str, ...], int | None, list]]:
    """Hubs — per analyst and a few keys, the sums of the cells — each a fraction of the cells' rows:
    (its keys, the hub it is summed from (None: the cells), the groupings summed from it). The
    groupings with the same rare dimensions share a hub of all their keys; those without the week,
    a hub of that without the week."""
    parts: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for g in groupings:
        parts.setdefault(tuple(k for k in g if k in RARE), []).append(g)
    plan: list[tuple[tuple[str, ...], int | None, list]] = []
    for part in parts.values():
        keys = tuple(k for k in every if any(k in g for g in part))
        rest = [g for g in part if "week" not in g]
        if "week" in keys and rest:
            plan.append((keys, None, [g for g in part if "week" in g]))
            plan.append((tuple(k for k in keys if k != "week"), len(plan) - 1, rest))
        else:
            plan.append((keys, None, part))
    return plan


def _materialized(cte: sa.CTE) -> sa.CTE:
    """A CTE computed once however often it is referenced (DuckDB may otherwise inline it into
    each reference; PostgreSQL computes a CTE referenced more than once once anyway, SQLite too)."""
    return cte.prefix_with("MATERIALIZED", dialect="duckdb")


def _hub(source: sa.CTE, keys: tuple[str, ...], first: bool, name: str, sums: tuple[str, ...]) -> sa.CTE:
    """Per analyst and `keys`, the `sums` of `source` (from the cells, the SLA-met sums split off)."""
    group = [source.c[k] for k in keys] + [source.c.analyst_id]
    if first and sums == SUMS:
        met = source.c.sla_met.is_(sa.true())
        sums = [*[_per_analyst(source.c[c], c) for c in SUMS[:5]],
                _per_analyst(sa.case((met, source.c.n), else_=0), "sla_met_n"),
                _per_analyst(sa.case((met, source.c.unhappy), else_=0), "sla_met_unhappy")]
    else:
        sums = [_per_analyst(source.c[c], c) for c in sums]
    return _materialized(sa.select(*group, *sums).group_by(*group).cte(name))


def _per_analyst(value: sa.ColumnElement, name: str) -> sa.ColumnElement:
    """One analyst's sum of `value`: a count as a 32-bit integer (the module says why), lost minutes as they are."""
    total = sa.func.sum(value)
    return (total if name == "lost_sum" else sa.cast(total, sa.Integer)).label(name)


def _grouping(hub: sa.CTE, hub_keys: tuple[str, ...], index: int, keys: tuple[str, ...],
              cells: sa.CTE, every: tuple[str, ...], sums: tuple[str, ...]) -> sa.Select:
    """Per group of `keys`: the `sums` and the number of analysts (the rows per group and analyst)."""
    per = hub
    if keys != hub_keys:
        group = [hub.c[k] for k in keys] + [hub.c.analyst_id]
        per = sa.select(*group, *[_per_analyst(hub.c[c], c) for c in sums]).group_by(*group).subquery()
    columns = [per.c[k] if k in keys else sa.cast(sa.null(), cells.c[k].type).label(k) for k in every]
    stmt = sa.select(sa.literal_column(str(index)).label(GROUPING), *columns,
                     *[sa.func.coalesce(sa.func.sum(per.c[c]), 0).label(c) for c in sums],
                     sa.func.count().label("analysts"))
    return stmt.group_by(*[per.c[k] for k in keys]) if keys else stmt


def cell_groups_query(*, cells: sa.Select, groupings: list[tuple[str, ...]], by_priority: bool,
                      sums: tuple[str, ...] = SUMS) -> sa.CompoundSelect:
    """The statement behind `cell_groups`: `cells` (an `analyst_cells` statement) once, the hubs
    (`_plan`), every grouping summed from its hub, one UNION ALL (column `grouping`: the grouping's
    index in `groupings`; then the keys some grouping uses, `sums` and analysts). With fewer `sums`
    than all, only the columns they need are taken of the cells."""
    every = key_columns(groupings, by_priority)
    if sums != SUMS:
        inner = cells.subquery("all_cells")
        cells = sa.select(*[inner.c[k] for k in every], inner.c.analyst_id, *[inner.c[c] for c in sums])
    shared = _materialized(cells.cte("cells"))
    hubs: list[sa.CTE] = []
    selects = []
    for i, (keys, parent, served) in enumerate(_plan(groupings, every)):
        hubs.append(_hub(shared if parent is None else hubs[parent], keys, parent is None, f"hub_{i}", sums))
        selects += [_grouping(hubs[-1], keys, groupings.index(g), g, shared, every, sums) for g in served]
    return sa.union_all(*selects)


def key_columns(groupings: list[tuple[str, ...]], by_priority: bool) -> tuple[str, ...]:
    """The keys some grouping uses, in the read's column order (the others would be nulls only)."""
    return tuple(k for k in key_order(by_priority) if any(k in g for g in groupings))


def _types(keys: tuple[str, ...], sums: tuple[str, ...]) -> dict[str, pl.DataType]:
    return {GROUPING: pl.Int64, **{k: (pl.Int64 if k == "priority" else CELL_TYPES[k]) for k in keys},
            **{c: pl.Float64 if c == "lost_sum" else pl.Int64 for c in sums}, "analysts": pl.Int64}


def cell_groups(*, scope: Scope, filters: Filters, groupings: list[tuple[str, ...]], url: str | None = None,
                by_priority: bool = False, counts_only: bool = False) -> dict[tuple[str, ...], pl.DataFrame]:
    """Per grouping (a tuple of cell dimensions, `key_order`): its groups' keys, then n, happy,
    unhappy, analysts (exact distinct analysts), lost_n, lost_sum, sla_met_n, sla_met_unhappy —
    what `views.culture_cells.experience` sums from `trends.analyst_cells` (same columns, types,
    order; a test compares them on every engine). The empty grouping gives one row of totals.
    `counts_only`: the keys, n and analysts only (what a lattice of disclosure control needs), a
    narrower and cheaper statement.

    On a database server the groupings are read in `SPLIT` statements at once (`_side_by_side`)."""
    groupings = list(dict.fromkeys(groupings))
    if not groupings:
        return {}

    def read(part: list[tuple[str, ...]]) -> dict[tuple[str, ...], pl.DataFrame]:
        return _read(scope, filters, part, url, by_priority, ("n",) if counts_only else SUMS)

    batches = _batches(groupings) if splits_here(url) else [groupings]
    return _side_by_side(read, batches)


SPLIT = 2
"""How many statements one read of groupings becomes on a database server: each is one backend's
work, so two run on two cores in about half the time (DuckDB already spreads one statement)."""


def splits_here(url: str | None) -> bool:
    """Whether reads are split at `url`: PostgreSQL, where one statement runs on one core."""
    return get_engine(url or config.database_url()).dialect.name == "postgresql"


def _batches(groupings: list[tuple[str, ...]]) -> list[list[tuple[str, ...]]]:
    """`groupings` in at most `SPLIT` batches of whole hub families (`_plan`: a hub and the hubs
    summed from it stay together), balanced by the number of groupings each reads."""
    families: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for g in groupings:
        families.setdefault(tuple(k for k in g if k in RARE), []).append(g)
    batches: list[list[tuple[str, ...]]] = [[] for _ in range(min(SPLIT, len(families)))]
    for family in sorted(families.values(), key=len, reverse=True):
        min(batches, key=len).extend(family)
    return batches


_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cell-groups")


def _side_by_side(read: Callable[[list], dict], batches: list[list]) -> dict:
    """`read` of every batch: the first on this thread, the others on the shared pool. A batch no
    pool thread has taken by the time this thread is done (many sessions at once) runs here too,
    so a render never waits for another's reads."""
    later = [_POOL.submit(read, batch) for batch in batches[1:]]
    out = read(batches[0])
    for future, batch in zip(later, batches[1:]):
        out.update(read(batch) if future.cancel() else future.result())
    return out


def _read(scope: Scope, filters: Filters, groupings: list[tuple[str, ...]], url: str | None,
          by_priority: bool, sums: tuple[str, ...]) -> dict[tuple[str, ...], pl.DataFrame]:
    """`cell_groups` of `groupings` in one statement."""
    stmt = cell_groups_query(cells=analyst_cells_statement(scope=scope, filters=filters, url=url,
                                                           by_priority=by_priority),
                             groupings=groupings, by_priority=by_priority, sums=sums)
    types = _types(key_columns(groupings, by_priority), sums)
    figures = EXPERIENCE if sums == SUMS else (*sums, "analysts")
    frame = stat_types(query.bulk_frame(stmt, url=url, schema=types, work_mem_mb=CELLS_WORK_MEM_MB))
    frame = frame.with_columns(pl.col(c).cast(t) for c, t in types.items())
    parts = frame.partition_by(GROUPING, as_dict=True) if frame.height else {}
    out = {}
    for i, keys in enumerate(groupings):
        part = parts.get((i,), pl.DataFrame(schema=types))
        out[keys] = part.select(*keys, *figures).sort(list(keys), nulls_last=True) if keys else \
            part.select(*figures)
    return out
