"""Self-assessments as read back: an analyst's own history, and what a lead may see once shared.

Analysts rate themselves 1–5 on the four CARE dimensions and the six competencies. Only the
analyst reads their own history; a team lead sees the latest assessment of an analyst in their
teams, and only while that analyst has chosen to share it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
import sqlalchemy as sa

from data_access import query, schema
from data_access.scope import Scope, ScopeError
from data_access.scoping import lead_coaches

SA = schema.self_assessments
SAR = schema.self_assessment_ratings
A = schema.analysts

HISTORY_SCHEMA = {"assessment_id": pl.Int64, "submitted_at": pl.Datetime("us"), "note": pl.String,
                  "shared_with_lead": pl.Boolean, "dimension": pl.String, "rating": pl.Int64}


@dataclass(frozen=True)
class SelfAssessment:
    """One submitted self-assessment: its ratings per dimension (1–5) and the optional note."""

    assessment_id: int
    analyst_id: int
    submitted_at: dt.datetime
    note: str | None
    shared_with_lead: bool
    ratings: dict[str, int] = field(default_factory=dict)


def _own_analyst(scope: Scope) -> int:
    scope.require("analyst")
    return int(scope.analyst_id)


def history_query(*, scope: Scope) -> sa.Select:
    """The SELECT behind `self_assessment_history`: one row per assessment and dimension."""
    analyst_id = _own_analyst(scope)
    return (sa.select(SA.c.assessment_id, SA.c.submitted_at, SA.c.note, SA.c.shared_with_lead,
                      SAR.c.dimension, SAR.c.rating)
            .select_from(SA.join(SAR, SAR.c.assessment_id == SA.c.assessment_id))
            .where(SA.c.analyst_id == analyst_id)
            .order_by(SA.c.submitted_at, SA.c.assessment_id, SAR.c.dimension))


def self_assessment_history(*, scope: Scope, url: str | None = None) -> pl.DataFrame:
    """Every self-assessment of the signed-in analyst, oldest first, in long form.

    Columns: assessment_id, submitted_at, note, shared_with_lead, dimension, rating.
    """
    return query.frame(history_query(scope=scope), url=url, schema=HISTORY_SCHEMA)


def assessments_from_history(history: pl.DataFrame, analyst_id: int) -> list[SelfAssessment]:
    """Group the long history into SelfAssessment values, oldest first."""
    result: list[SelfAssessment] = []
    if history.is_empty():
        return result
    for part in history.partition_by("assessment_id", maintain_order=True):
        head = part.row(0, named=True)
        result.append(SelfAssessment(
            assessment_id=int(head["assessment_id"]), analyst_id=analyst_id,
            submitted_at=head["submitted_at"], note=head["note"],
            shared_with_lead=bool(head["shared_with_lead"]),
            ratings={d: int(r) for d, r in zip(part["dimension"], part["rating"])}))
    return result


def latest_self_assessment(*, scope: Scope, url: str | None = None) -> SelfAssessment | None:
    """The signed-in analyst's most recent self-assessment, or None if they have none yet."""
    items = assessments_from_history(self_assessment_history(scope=scope, url=url), _own_analyst(scope))
    return items[-1] if items else None


def shared_query(*, scope: Scope, analyst_id: int) -> sa.Select:
    """The SELECT behind `shared_self_assessment` (latest assessment, if shared, in the lead's teams)."""
    scope.require("lead")
    latest = (sa.select(SA.c.assessment_id)
              .where(SA.c.analyst_id == analyst_id)
              .order_by(SA.c.submitted_at.desc(), SA.c.assessment_id.desc())
              .limit(1).scalar_subquery())
    return (sa.select(SA.c.assessment_id, SA.c.submitted_at, SA.c.note, SA.c.shared_with_lead,
                      SAR.c.dimension, SAR.c.rating)
            .select_from(SA.join(SAR, SAR.c.assessment_id == SA.c.assessment_id))
            .where(SA.c.assessment_id == latest, SA.c.analyst_id == analyst_id,
                   SA.c.shared_with_lead.is_(True), lead_coaches(scope, SA.c.analyst_id))
            .order_by(SAR.c.dimension))


def shared_self_assessment(*, scope: Scope, analyst_id: int, url: str | None = None) -> SelfAssessment | None:
    """For a team lead: the analyst's latest self-assessment, only if the analyst shared it.

    None when the analyst has no assessment, their latest one is private, or they are not in one
    of the lead's teams. Any role other than lead is refused with ScopeError.
    """
    if scope.role != "lead":
        raise ScopeError("only a team lead reads a shared self-assessment")
    frame = query.frame(shared_query(scope=scope, analyst_id=int(analyst_id)), url=url, schema=HISTORY_SCHEMA)
    items = assessments_from_history(frame, int(analyst_id))
    return items[0] if items else None
