"""The generic template: the fields a tickets or responses import understands, and which are required.

This is the Service Pulse column list (the "Generic template" preset uses these names as headers).
The two field lists are rows of one shape (name, kind, required, help): data, not logic twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["tickets", "responses"]
KINDS: tuple[Kind, ...] = ("tickets", "responses")
REPORT_COLUMNS = ("line", "column", "reason")  # added to rejected rows in the rejects CSV


@dataclass(frozen=True)
class Field:
    """One target field: its name, what it holds and whether a file must provide it."""

    name: str
    kind: str  # text | enum | int | bool | float | datetime | name | factors
    required: bool
    help: str


TICKET_FIELDS: tuple[Field, ...] = (
    Field("ticket_id", "text", True, "source ticket number, the key of every import (e.g. INC0012345)"),
    Field("ticket_type", "enum", True, "incident | request (or derived from the number's prefix)"),
    Field("channel", "enum", True, "phone | email | portal | chat | walk_in | social | other (unknown values → other)"),
    Field("service", "name", True, "business service or category; created when new"),
    Field("priority", "int", True, "1–4 (1 = critical); '2 - High', 'P2', critical/high/medium/low… mapped"),
    Field("opened_at", "datetime", True, "when the ticket was opened"),
    Field("resolved_at", "datetime", True, "when it was resolved; not before opened_at"),
    Field("analyst", "name", True, "resolver's name; created when new"),
    Field("team", "name", True, "assignment group at resolution; created when new"),
    Field("sla_met", "bool", True, "true/false, yes/no, 1/0"),
    Field("reassignment_count", "int", False, "times reassigned, ≥ 0 (default 0)"),
    Field("reopened", "bool", False, "true/false, or a reopen count (> 0 means reopened; default false)"),
    Field("first_contact_resolution", "bool", False, "true/false (default false)"),
    Field("handle_minutes", "float", False, "work time in minutes, ≥ 0 (preset may convert units)"),
    Field("requester", "text", False, "who raised it"),
    Field("requester_email", "text", False, "requester's email address: who gets the survey invitation"),
    Field("short_description", "text", False, "the ticket's title, shown in the survey email"),
    Field("state", "enum", False, "only resolved/closed tickets are imported; others are skipped"),
)

# Rows of the same shape as TICKET_FIELDS above (see the module note): data, not logic.
RESPONSE_FIELDS: tuple[Field, ...] = (
    Field("ticket_id", "text", True, "source ticket number the answer belongs to (ticket must exist)"),
    Field("happiness", "int", True, "0–10, or another scale converted by the documented rule"),
    Field("communication", "int", False, "CARE rating 1–5"),
    Field("application", "int", False, "CARE rating 1–5"),
    Field("resolution", "int", False, "CARE rating 1–5"),
    Field("expectation", "int", False, "CARE rating 1–5"),
    Field("lost_minutes", "float", False, "user's estimate of work time lost, ≥ 0"),
    Field("factors", "factors", False, "factor codes or labels separated by ; or |"),
    Field("comment", "text", False, "free text, stored as text (never evaluated)"),
    Field("submitted_at", "datetime", True, "when the answer was given"),
)

FIELDS: dict[str, tuple[Field, ...]] = {"tickets": TICKET_FIELDS, "responses": RESPONSE_FIELDS}


def field_names(kind: str) -> list[str]:
    """Target field names of a kind, in template order."""
    return [f.name for f in FIELDS[kind]]


def required_fields(kind: str) -> list[str]:
    """Fields a file of this kind must map (ticket_type may come from a preset's prefix rule)."""
    return [f.name for f in FIELDS[kind] if f.required]
