"""Reference rows every warehouse starts with: the factor catalogue, competencies, default settings."""

from __future__ import annotations

import sqlalchemy as sa

from data_access import schema

# (factor_id, code, label, polarity): reference data, one row per factor (same-shape rows by nature)
FACTORS = [
    (1, "speed", "Speed of service", "positive"),
    (2, "attitude", "Analyst's attitude", "positive"),
    (3, "skills", "Analyst's skills", "positive"),
    (4, "kept_informed", "Kept informed", "positive"),
    (5, "first_time", "Solved first time", "positive"),
    (6, "easy_to_reach", "Easy to reach", "positive"),
    (11, "not_solved", "Not solved despite closure", "negative"),
    (12, "slow", "Slow service", "negative"),
    (13, "re_explain", "Had to re-explain / bounced between people", "negative"),
    (14, "poor_communication", "Poor communication", "negative"),
    (15, "unfriendly", "Unfriendly attitude", "negative"),
    (16, "lacked_skills", "Lacked skills", "negative"),
    (17, "not_informed", "Not kept informed", "negative"),
]

CARE_WORDING = {
    "communication": "I was kept clearly informed.",
    "application": "The analyst was courteous, proactive and took ownership.",
    "resolution": "My issue was actually resolved, in a way that showed care.",
    "expectation": "I was told realistically what would happen and when, and it did.",
}

# (code, label, description, customer evidence shown next to a rating): reference rows of one shape
COMPETENCIES = [
    ("facilitation", "Facilitation", "Guides the user to a solution without making them repeat themselves.",
     "Share of responses saying they had to re-explain (lower is better)"),
    ("adaptability", "Adaptability", "Serves well across channels and kinds of tickets.",
     "Spread of Happiness across channels and ticket types (smaller is better)"),
    ("teamwork", "Teamwork", "Hands over and picks up work so the user does not feel the seams.",
     "Happiness on reassigned tickets"),
    ("problem_solving", "Problem solving", "Finds the real cause and fixes it for good.",
     "Customer rating of resolution"),
    ("client_management", "Client management", "Keeps users informed and sets honest expectations.",
     "Customer ratings of communication and expectation"),
    ("self_management", "Self-management", "Plans own work so promises and targets are kept.",
     "Customer rating of expectation and SLA met"),
]

DEFAULT_SETTINGS = {
    "recovery_threshold": "6",      # responses at or below this score enter the recovery queue
    "recovery_target_hours": "24",  # hours from the answer to first contact, past a weekend (recovery.due_at)
    "data_origin": "empty",         # 'demo' once demo data is loaded, 'imported' after a real import
}


def seed_catalogue(conn: sa.Connection) -> None:
    """Insert the factor catalogue, competencies and default settings where missing."""
    have = {r[0] for r in conn.execute(sa.select(schema.factors.c.factor_id))}
    rows = [dict(factor_id=f, code=c, label=l, polarity=p, sort_order=i)
            for i, (f, c, l, p) in enumerate(FACTORS) if f not in have]
    if rows:
        conn.execute(schema.factors.insert(), rows)
    have = {r[0] for r in conn.execute(sa.select(schema.competencies.c.code))}
    rows = [dict(code=c, label=l, description=d, evidence=e, sort_order=i)
            for i, (c, l, d, e) in enumerate(COMPETENCIES) if c not in have]
    if rows:
        conn.execute(schema.competencies.insert(), rows)
    have = {r[0] for r in conn.execute(sa.select(schema.settings.c.key))}
    rows = [dict(key=k, value=v) for k, v in DEFAULT_SETTINGS.items() if k not in have]
    if rows:
        conn.execute(schema.settings.insert(), rows)
