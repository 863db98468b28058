"""What a page is looking at: a period and optional slices, as one hashable value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlalchemy as sa

from data_access import schema


@dataclass(frozen=True)
class Filters:
    """A half-open period [start, end) on the response's submission date plus optional slices."""

    start: dt.date
    end: dt.date
    ticket_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    service_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    priorities: tuple[int, ...] = ()
    """Ticket priorities 1–4; the rollups do not keep priority, so a priority filter reads the base tables."""

    def previous(self) -> "Filters":
        """The period of equal length just before this one, same slices."""
        length = self.end - self.start
        return replace(self, start=self.start - length, end=self.start)

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def period_bounds(filters: Filters) -> tuple[dt.datetime, dt.datetime]:
    """The period as datetimes, for comparing with timestamp columns."""
    return (dt.datetime.combine(filters.start, dt.time()), dt.datetime.combine(filters.end, dt.time()))


def ticket_slice(filters: Filters, tickets: sa.Table = schema.tickets) -> list[sa.ColumnElement]:
    """WHERE conditions for the ticket slices of `filters` (not the period)."""
    conds: list[sa.ColumnElement] = []
    if filters.ticket_types:
        conds.append(tickets.c.ticket_type.in_(filters.ticket_types))
    if filters.channels:
        conds.append(tickets.c.channel.in_(filters.channels))
    if filters.service_ids:
        conds.append(tickets.c.service_id.in_(filters.service_ids))
    if filters.team_ids:
        conds.append(tickets.c.team_id.in_(filters.team_ids))
    if filters.priorities:
        if "priority" not in tickets.c:  # a summary table: never silently drop the filter
            raise ValueError(f"{tickets.name} holds no priority; read the base tables")
        conds.append(tickets.c.priority.in_(filters.priorities))
    return conds


def response_period(filters: Filters) -> list[sa.ColumnElement]:
    """WHERE conditions placing responses in the period (by submission time)."""
    start, end = period_bounds(filters)
    return [schema.responses.c.submitted_at >= start, schema.responses.c.submitted_at < end]


def ticket_period(filters: Filters) -> list[sa.ColumnElement]:
    """WHERE conditions placing tickets in the period (by resolution time)."""
    start, end = period_bounds(filters)
    return [schema.tickets.c.resolved_at >= start, schema.tickets.c.resolved_at < end]
