"""The replicated benchmark tier: a small demo warehouse repeated three times with fresh keys."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bench import replicate
from data_access import demo
from data_access.engine import get_engine
from data_access.rollups.check import check

TABLES = ("tickets", "responses", "response_factors", "recovery_items", "recovery_actions", "kudos",
          "survey_invitations")


def _counts(url: str) -> dict[str, int]:
    with get_engine(url).connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_three_copies_hold_three_times_every_ticket_and_the_rollups_agree(tmp_path):
    source, target = tmp_path / "one.duckdb", tmp_path / "three.duckdb"
    demo.generate(get_engine(f"duckdb:///{source}"), responses=2_000, seed=7, end=dt.date(2026, 11, 20))
    once = _counts(f"duckdb:///{source}")
    get_engine(f"duckdb:///{source}").dispose()
    replicate.replicate(source, target, 3, log=lambda _: None)
    url = f"duckdb:///{target}"
    assert _counts(url) == {t: 3 * n for t, n in once.items()}
    with get_engine(url).connect() as conn:
        distinct = conn.execute(sa.text("SELECT count(DISTINCT ticket_id), count(DISTINCT ticket_key) FROM tickets"))
        assert distinct.one() == (3 * once["tickets"], 3 * once["tickets"])
        # The second copy of the first answer is the same answer under another key.
        first, copy = conn.execute(sa.text(
            "SELECT r.happiness, t.ticket_id FROM responses r JOIN tickets t USING (ticket_key) "
            "WHERE r.ticket_key IN ((SELECT min(ticket_key) FROM responses), "
            "(SELECT min(ticket_key) FROM responses) + (SELECT max(ticket_key) + 1 FROM tickets) / 3) "
            "ORDER BY r.ticket_key")).all()
        assert first[0] == copy[0] and copy[1] == f"{first[1]}~1"
        assert check(conn) == []  # rollups rebuilt from the copies agree with the base tables
