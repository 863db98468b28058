"""The analysts' own side: self-assessments over time, and their leads' coaching notes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from data_access import schema
from data_access.demo.constants import NOTE_TEXTS


def self_assessments(rng, analysts: pl.DataFrame, dim_skill, overall, slope, end: dt.date,
                      years: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    heads, ratings = [], []
    aid = 0
    for i, analyst_id in enumerate(analysts["analyst_id"].to_list()):
        count = rng.choice([0, 1, 2, 3, 4], p=[0.12, 0.2, 0.3, 0.23, 0.15])
        days_back = np.sort(rng.choice(np.arange(5, 700), count, replace=False))[::-1]
        for j, back in enumerate(days_back):
            aid += 1
            when = dt.datetime.combine(end - dt.timedelta(days=int(back)), dt.time(15, 0))
            t = years - back / 365.0
            skill = dim_skill[i] + slope[i] * (t - years / 2)
            # Weaker analysts see themselves above their customers; strong ones a little below.
            bias = 0.55 - 0.85 * overall[i] + rng.normal(0, 0.25)
            customer_level = 3.3 + 0.55 * skill
            care = np.clip(np.round(customer_level + bias + rng.normal(0, 0.3, 4)), 1, 5)
            comp = np.clip(np.round(3.4 + 0.5 * overall[i] + bias + rng.normal(0, 0.45, 6)), 1, 5)
            latest = j == count - 1
            heads.append(dict(assessment_id=aid, analyst_id=analyst_id, submitted_at=when,
                              note="Reflecting on last quarter." if rng.random() < 0.4 else None,
                              shared_with_lead=bool(latest and rng.random() < 0.6),
                              submission_token=None))
            for dim, val in zip(schema.ASSESSMENT_DIMENSIONS, np.r_[care, comp]):
                ratings.append((aid, dim, int(val)))
    head_schema = {"assessment_id": pl.Int64, "analyst_id": pl.Int32, "submitted_at": pl.Datetime("us"),
                   "note": pl.String, "shared_with_lead": pl.Boolean, "submission_token": pl.String}
    return (pl.DataFrame(heads, schema=head_schema),
            pl.DataFrame(ratings, schema=["assessment_id", "dimension", "rating"], orient="row"))


def notes(rng, analysts: pl.DataFrame, lead_user, end: dt.date, lead_analyst) -> pl.DataFrame:
    """Dated coaching notes from each team's lead about its analysts (none about the lead themself)."""
    rows = []
    nid = 0
    for analyst_id, team_id in analysts.select("analyst_id", "team_id").iter_rows():
        for _ in range(int(rng.integers(1, 5))):
            back = int(rng.integers(3, 330))
            follow = end + dt.timedelta(days=int(rng.integers(3, 30))) if back < 40 and rng.random() < 0.6 else None
            body = NOTE_TEXTS[int(rng.integers(len(NOTE_TEXTS)))]
            shared = bool(rng.random() < 0.5)
            if analyst_id == lead_analyst[team_id]:
                continue
            nid += 1
            rows.append(dict(note_id=nid, analyst_id=analyst_id, author_user_id=lead_user[team_id],
                             created_at=dt.datetime.combine(end - dt.timedelta(days=back), dt.time(10, 30)),
                             body=body, follow_up_on=follow, shared_with_analyst=shared, version=1))
    return pl.DataFrame(rows, schema={"note_id": pl.Int64, "analyst_id": pl.Int32,
                                      "author_user_id": pl.Int64, "created_at": pl.Datetime("us"),
                                      "body": pl.String, "follow_up_on": pl.Date,
                                      "shared_with_analyst": pl.Boolean, "version": pl.Int64})

