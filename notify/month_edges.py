"""A calendar month next to Culture trends links of whole weeks: which of its cells could be
worked out by subtracting one from the other (the CIO's monthly digest and its PDF)."""

from __future__ import annotations

import datetime as dt

from data_access.filters import Filters
from data_access.scope import Scope
from data_access.stats import response_stats
from views.disclosure import Disclosure

EDGES = "not shown — a few answers at the month's edges could be singled out"


def month_edges(gate: Disclosure, scope: Scope, period: Filters, url: str | None,
                by: tuple[str, ...] = ("team_id",)) -> tuple[set[tuple], bool]:
    """The cells (tuples of their `by` values), and whether the whole, whose month a Culture
    trends link of whole weeks could be subtracted from: a few answers in the month's partial
    first and last weeks, or in the days just outside the month that share those weeks
    (`Disclosure.month_gap`)."""
    first = period.start - dt.timedelta(days=period.start.weekday())
    last = period.end - dt.timedelta(days=1)
    last_monday, after = last - dt.timedelta(days=last.weekday()), last + dt.timedelta(days=7 - last.weekday())
    inside = [Filters(a, b) for a, b in ((period.start, first + dt.timedelta(days=7)), (last_monday, period.end))
              if a != first and b != after]
    outside = [Filters(a, b) for a, b in ((first, period.start), (period.end, after)) if a < b]

    def parts(spans: list[Filters], keys: tuple[str, ...]) -> list[dict]:
        return [r for f in spans for r in response_stats(scope=scope, filters=f, by=keys, url=url).iter_rows(named=True)]

    def sizes(rows: list[dict], cell: tuple) -> list[tuple[int, int]]:
        return [(r["n"], r["analysts"]) for r in rows if tuple(r[k] for k in by) == cell]

    cells_in, cells_out = parts(inside, by), parts(outside, by)
    gaps = {cell for cell in {tuple(r[k] for k in by) for r in cells_in + cells_out}
            if gate.month_gap(sizes(cells_in, cell), sizes(cells_out, cell))}
    whole = gate.month_gap([(r["n"], r["analysts"]) for r in parts(inside, ())],
                           [(r["n"], r["analysts"]) for r in parts(outside, ())])
    return gaps, whole
