"""Culture trends: hiding decisions carried from a wider link to a narrower one (docs/PRIVACY.md).

A table whose keys are filterable (hotspots by service × channel, teams, lost time by channel or
by service, the monthly lines by ticket type, channel or team) hides some of its cells, small
ones and their complements. A link filtered on some of those keys shows the sum of a part of
that wider table — its headline, its months — and shows the cells of that part one by one. If the
part held some, but not all, of the cells the wider link hides, the difference would single out
a subset of the hidden cells (say the complement of a small cell, and through it the small cell).

For every such table T and the current link L, the *parent* A is L with its filters on T's keys
removed; H is what A's table hides; M is A's cells inside L's selection.

1. M ∩ H neither empty nor all of H: L would give away the sums of M ∩ H and of H ∖ M (its
   total minus what A shows, and A's total minus that). It is withheld as a whole unless each of
   the two parts holds at least two cells and passes the rule as one group. Every figure L then
   releases is a sum of cells A shows plus the whole block or one of those two parts.
2. Otherwise L's own table hides M ∩ H too, whatever its own complementary choice would be.

The parent's decisions are computed from its per-analyst cells with the functions the report
itself uses (`table_frame`, `monthly_series`), so they are the parent page's decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import polars as pl

from data_access.filters import Filters
from views import culture_sections as sections
from views.culture_cells import CellReads
from views.disclosure import SUPPRESSED, Disclosure

FINE_GRAIN = ("month", "team_id", "channel", "ticket_type", "sla_met")
TABLES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("service_id", "channel"): ("service_ids", "channels"),
    ("team_id",): ("team_ids",),
    ("channel",): ("channels",),
    ("service_id",): ("service_ids",),
    ("month", "ticket_type"): ("ticket_types",),
    ("month", "channel"): ("channels",),
    ("month", "team_id"): ("team_ids",),
}
"""Each table with filterable keys (its cells' keys) and the filters on those keys."""
PARENT_KINDS = (("month",), *TABLES)
"""The kinds of cell whose neighbouring-link gaps a wider link's decisions depend on."""
FIELD_OF = {"service_id": "service_ids", "channel": "channels", "team_id": "team_ids", "ticket_type": "ticket_types"}
COMPARE_SERIES = {("month", "ticket_type"): "ticket_type", ("month", "channel"): "channel",
                  ("month", "team_id"): "team_id"}

Gaps = dict[tuple[str, ...], set[tuple]]


def table_frame(reads: CellReads, filters: Filters, keys: tuple[str, ...]) -> pl.DataFrame:
    """A one-level table's cells (n, exact distinct analysts, sums) on the link `filters`."""
    return reads.experience(filters, keys)


def monthly_series(gate: Disclosure, reads: CellReads, filters: Filters, series: str, gaps: Gaps,
                   cur: pl.DataFrame | None = None) -> pl.DataFrame:
    """The shown (month, `series`) lines of the comparison charts on the link `filters`, each line's
    distinct analysts counted exactly (a roll-up's lower bound would hide lines that pass).
    `cur`: the link's cells summed to `FINE_GRAIN`, when the caller has them already."""
    cur = reads.experience(filters, FINE_GRAIN) if cur is None else cur
    exact = reads.experience(filters, ("month", series))  # exact distinct analysts per line and month
    return sections.monthly(gate, cur, series, gaps=gaps[("month",)], cell_gaps=gaps[("month", series)],
                            exact=exact)


def _hidden(gate: Disclosure, reads: CellReads, filters: Filters, keys: tuple[str, ...], gaps: Gaps) -> set[tuple]:
    """The cells with responses that the link `filters` hides in the table `keys`."""
    if keys in COMPARE_SERIES:
        cur = reads.experience(filters, FINE_GRAIN)
        every = set(cur.filter(pl.col("n") > 0).group_by(list(keys)).agg().iter_rows()) if cur.height else set()
        shown = monthly_series(gate, reads, filters, COMPARE_SERIES[keys], gaps, cur)
        return every - set(shown.select(*keys).iter_rows())
    frame = table_frame(reads, filters, keys)
    if frame.is_empty():
        return set()
    if keys == ("service_id", "channel"):  # the hotspot table breaks ties in its own (impact) order
        hot = sections.hotspots(gate, frame, {}, {}, gaps=gaps[keys])
        return set(hot.filter(pl.col(SUPPRESSED).fill_null(False) & (pl.col("n") > 0)).select(*keys).iter_rows())
    checked = sections._also_hidden(gate.cells(frame.select(*keys, "n", "analysts"), []), list(keys),
                                    gaps.get(keys, set()))
    checked = gate.complementary(checked, [])
    return set(checked.filter(pl.col(SUPPRESSED).fill_null(False) & (pl.col("n") > 0)).select(*keys).iter_rows())


def _inside(cell: tuple, keys: tuple[str, ...], filters: Filters) -> bool:
    """Whether a cell of a wider link's table lies inside the selection of `filters`."""
    for key, value in zip(keys, cell):
        chosen = getattr(filters, FIELD_OF[key]) if key in FIELD_OF else ()
        if chosen and value not in chosen:
            return False
    return True


def carried(gate: Disclosure, filters: Filters, reads: CellReads,
            gaps_of: Callable[[Filters], Gaps]) -> Gaps | None:
    """Per table, the cells the link `filters` must hide because a wider link hides them (rule 2),
    or None when the link must be withheld as a whole (rule 1). `gaps_of(f)`: the cells a
    neighbouring link would split on the link `f` (`views.culture._all_gaps`)."""
    out: Gaps = {}
    parents: dict[Filters, Gaps] = {}
    for keys, parent in _parents(filters):  # each parent's groupings, read together
        reads.want(parent, [FINE_GRAIN, ("month", COMPARE_SERIES[keys])] if keys in COMPARE_SERIES else [keys])
    for keys, parent in _parents(filters):
        if parent not in parents:
            parents[parent] = gaps_of(parent)
        hidden = _hidden(gate, reads, parent, keys, parents[parent])
        inside = {cell for cell in hidden if _inside(cell, keys, filters)}
        if inside and inside != hidden and not (_passes(gate, reads, parent, keys, inside)
                                                and _passes(gate, reads, parent, keys, hidden - inside)):
            return None
        out[keys] = inside
        if keys in COMPARE_SERIES:  # each month of the link's trend sums a part of that month's row
            out[("month",)] = out.get(("month",), set()) | _partial_months(hidden, inside)
    return _across(out, filters, reads)


def _parents(filters: Filters) -> list[tuple[tuple[str, ...], Filters]]:
    """Each table whose keys `filters` filters on, and its wider link (those filters removed)."""
    out = []
    for keys, fields in TABLES.items():
        used = [field for field in fields if getattr(filters, field)]
        if used:
            out.append((keys, replace(filters, **{field: () for field in used})))
    return out


def _partial_months(hidden: set[tuple], inside: set[tuple]) -> set[tuple]:
    """Months (as 1-tuples) in which the link holds some, but not all, of a monthly table's hidden
    cells: its own month there would give the sum of that part away, so it is hidden too."""
    return {(month,) for month in {cell[0] for cell in inside}
            if {c for c in hidden if c[0] == month} != {c for c in inside if c[0] == month}}


def _across(out: Gaps, filters: Filters, reads: CellReads) -> Gaps:
    """On a link on services (not channels), a table by channel is a row of the wider link's
    hotspot table — and on a link on channels, a table by service a column of it: the hotspot
    cells the wider link hides stay hidden there too (in every month, for the monthly lines)."""
    hot = out.get(("service_id", "channel"), set())
    if not hot or (filters.service_ids and filters.channels):
        return out
    if filters.service_ids:
        channels = {c for _, c in hot}
        out[("channel",)] = out.get(("channel",), set()) | {(c,) for c in channels}
        months = reads.experience(filters, ("month", "channel"))
        out[("month", "channel")] = out.get(("month", "channel"), set()) | set(
            months.filter(pl.col("channel").is_in(list(channels))).select("month", "channel").iter_rows())
    else:
        out[("service_id",)] = out.get(("service_id",), set()) | {(s,) for s, _ in hot}
    return out


def _passes(gate: Disclosure, reads: CellReads, filters: Filters, keys: tuple[str, ...], block: set[tuple]) -> bool:
    """Whether a part of a hidden block may be worked out as one group: at least two cells that
    together pass the rule (responses and exact distinct analysts, from the per-analyst cells)."""
    if len(block) < 2:
        return False
    return gate.allows(*reads.block(filters, keys, block))
