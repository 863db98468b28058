"""An analyst's own self-assessment: submit it (validated, once per form token) and share it or not.

Only the signed-in analyst writes their own assessments; the analyst id always comes from the
scope, never from the caller's arguments.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from data_access import clock, config, schema
from data_access.query import clear_cached_reads
from data_access.engine import get_engine
from data_access.scope import Scope
from data_access.writes import InvalidInput, run_with_retry

SA = schema.self_assessments
SAR = schema.self_assessment_ratings

NOTE_MAX_CHARS = 1_000
TOKEN_MAX_CHARS = 64
RATING_MIN, RATING_MAX = 1, 5

LABELS = {
    "communication": "Communication", "application": "Application", "resolution": "Resolution",
    "expectation": "Expectation", "facilitation": "Facilitation", "adaptability": "Adaptability",
    "teamwork": "Teamwork", "problem_solving": "Problem solving",
    "client_management": "Client management", "self_management": "Self-management",
}


class SelfAssessmentInvalid(InvalidInput):
    """The form cannot be saved; `problems` lists one friendly sentence per issue."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def validate(ratings: Mapping[str, object], note: str | None) -> tuple[dict[str, int], str | None]:
    """Check a filled form; return clean ratings and note, or raise SelfAssessmentInvalid."""
    problems: list[str] = []
    unknown = sorted(set(ratings) - set(schema.ASSESSMENT_DIMENSIONS))
    if unknown:
        problems.append(f"Unknown item(s): {', '.join(map(str, unknown))}.")
    clean: dict[str, int] = {}
    missing: list[str] = []
    for dim in schema.ASSESSMENT_DIMENSIONS:
        value = ratings.get(dim)
        if value is None:
            missing.append(LABELS[dim])
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
                or not RATING_MIN <= int(value) <= RATING_MAX:
            problems.append(f"{LABELS[dim]}: please choose a whole number from 1 to 5.")
            continue
        clean[dim] = int(value)
    if missing:
        problems.insert(0, "Please answer every item — still open: " + ", ".join(missing) + ".")
    text = (note or "").strip()
    if len(text) > NOTE_MAX_CHARS:
        problems.append(f"The reflection note is {len(text):,} characters long; "
                        f"please keep it to {NOTE_MAX_CHARS:,}.")
    if problems:
        raise SelfAssessmentInvalid(problems)
    return clean, (text or None)


def _own(scope: Scope) -> int:
    scope.require("analyst")
    return int(scope.analyst_id)


def submit_self_assessment(*, scope: Scope, ratings: Mapping[str, object], note: str | None,
                           submission_token: str, url: str | None = None) -> int:
    """Save the analyst's self-assessment (private to them) and return its id.

    A second call with the same `submission_token` (a double click, a re-run) saves nothing
    new and returns the id of the first.
    """
    analyst_id = _own(scope)
    token = (submission_token or "").strip()
    if not token or len(token) > TOKEN_MAX_CHARS:
        raise InvalidInput("The form expired; please reload the page and submit again.")
    clean, text = validate(ratings, note)
    engine = get_engine(url or config.database_url())

    def existing(conn: sa.Connection) -> int | None:
        row = conn.execute(sa.select(SA.c.assessment_id, SA.c.analyst_id)
                           .where(SA.c.submission_token == token)).first()
        if row is None:
            return None
        if row.analyst_id != analyst_id:
            raise InvalidInput("The form expired; please reload the page and submit again.")
        return int(row.assessment_id)

    def work(conn: sa.Connection) -> int:
        found = existing(conn)
        if found is not None:
            return found
        # A new submission keeps the sharing choice the analyst made for the previous one: saving
        # must not silently take the lead's view away (or give it without being asked).
        previous = conn.execute(sa.select(SA.c.shared_with_lead).where(SA.c.analyst_id == analyst_id)
                                .order_by(SA.c.submitted_at.desc(), SA.c.assessment_id.desc())
                                .limit(1)).scalar()
        result = conn.execute(SA.insert().values(analyst_id=analyst_id, submitted_at=clock.now(),
                                                 note=text, shared_with_lead=bool(previous),
                                                 submission_token=token))
        assessment_id = int(result.inserted_primary_key[0])
        conn.execute(SAR.insert(), [dict(assessment_id=assessment_id, dimension=d, rating=r)
                                    for d, r in clean.items()])
        return assessment_id

    try:
        assessment_id = run_with_retry(engine, work)
    except sa.exc.IntegrityError:
        # Two submits raced on the same token: the other one won, and that is the record.
        with engine.connect() as conn:
            assessment_id = existing(conn)
        if assessment_id is None:
            raise
    clear_cached_reads()
    return assessment_id


def set_sharing(*, scope: Scope, shared: bool, url: str | None = None) -> int | None:
    """Share (or stop sharing) the analyst's latest self-assessment with their lead.

    Returns the latest assessment's id, or None when there is nothing to share. Stopping also
    withdraws every earlier one, so nothing of theirs stays visible by accident.
    """
    analyst_id = _own(scope)
    engine = get_engine(url or config.database_url())

    def work(conn: sa.Connection) -> int | None:
        latest = conn.execute(sa.select(SA.c.assessment_id).where(SA.c.analyst_id == analyst_id)
                              .order_by(SA.c.submitted_at.desc(), SA.c.assessment_id.desc())
                              .limit(1)).scalar_one_or_none()
        if latest is None:
            return None
        if shared:
            conn.execute(SA.update().where(SA.c.assessment_id == latest, SA.c.analyst_id == analyst_id)
                         .values(shared_with_lead=True))
        else:
            conn.execute(SA.update().where(SA.c.analyst_id == analyst_id,
                                           SA.c.shared_with_lead.is_(True))
                         .values(shared_with_lead=False))
        return int(latest)

    latest = run_with_retry(engine, work)
    clear_cached_reads()
    return latest
