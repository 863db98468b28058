"""The Notes tab of one analyst: the lead's coaching notes about them and the kudos they received."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from data_access import coaching as reads
from data_access.scope import Scope


@dataclass(frozen=True)
class AnalystNotes:
    """notes: note_id, created_at, body, follow_up_on, shared_with_analyst, version, author (newest
    first); kudos: given_at, ticket_id, happiness, comment, note (newest first)."""

    analyst: dict
    notes: pl.DataFrame
    kudos: pl.DataFrame


def analyst_notes(*, scope: Scope, analyst_id: int, url: str | None = None) -> AnalystNotes:
    """Notes and kudos of one analyst of the lead's teams (checked once, then read in SQL by the rule)."""
    analyst = reads.check_analyst(scope, analyst_id, url)
    return AnalystNotes(analyst, reads.coaching_notes(scope=scope, analyst_id=analyst_id, url=url),
                        reads.kudos_received(scope=scope, analyst_id=analyst_id, url=url))
