"""Demo survey data: requester addresses and the invitations behind the demo's responses.

Surveys are "switched on" `DAYS` before the demo's end: from then on every responded ticket
has an answered invitation and most others a sent, unanswered one (some requesters were in
their cool-down), which gives the realistic channel-dependent non-response the generator
already models. Uses its own random stream, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import polars as pl

DAYS = 180
INVITED_WITHOUT_ANSWER = 0.88
VALID_DAYS = 14


def email_of(name: str) -> str:
    """'Chloé Dubois' → 'chloe.dubois@example.com' (example.com never receives mail)."""
    text = name.replace("ø", "o").replace("ł", "l")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return ".".join("".join(ch for ch in part if ch.isalnum()) for part in plain.split()) + "@example.com"


def invitations(seed: int, tickets: pl.DataFrame, responses: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """One invitation per surveyed ticket resolved in the last `DAYS` days up to `end`."""
    rng = np.random.default_rng(seed + 16)
    since = dt.datetime.combine(end - dt.timedelta(days=DAYS), dt.time())
    recent = (tickets.lazy().filter(pl.col("resolved_at") >= since)
              .select("ticket_key", "resolved_at", "requester_email")
              .join(responses.lazy().select("ticket_key", "submitted_at"), on="ticket_key", how="left")
              .collect().sort("ticket_key"))
    if recent.is_empty():
        return _empty()
    delay = pl.Series((rng.uniform(5, 40, recent.height) * 60).astype("int64")).cast(pl.Duration("us")) * 1_000_000
    keep = pl.Series(rng.random(recent.height) < INVITED_WITHOUT_ANSWER)
    frame = recent.with_columns(delay=delay, keep=keep).filter(pl.col("submitted_at").is_not_null() | pl.col("keep"))
    sent = pl.min_horizontal(pl.col("resolved_at") + pl.col("delay"),
                             pl.col("submitted_at").fill_null(pl.col("resolved_at") + pl.col("delay")))
    out = frame.with_columns(
        invitation_id=pl.int_range(1, frame.height + 1, dtype=pl.Int64),
        sent_at=sent,
    ).select(
        "invitation_id", "ticket_key", "requester_email",
        created_at=pl.col("sent_at"), sent_at=pl.col("sent_at"),
        expires_at=pl.col("sent_at") + pl.duration(days=VALID_DAYS),
        answered_at=pl.col("submitted_at"),
        state=pl.when(pl.col("submitted_at").is_not_null()).then(pl.lit("answered")).otherwise(pl.lit("sent")),
        attempts=pl.lit(1, pl.Int64), last_error=pl.lit(None, pl.String))
    return out


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"invitation_id": pl.Int64, "ticket_key": pl.Int64, "requester_email": pl.String,
                                "created_at": pl.Datetime("us"), "sent_at": pl.Datetime("us"),
                                "expires_at": pl.Datetime("us"), "answered_at": pl.Datetime("us"),
                                "state": pl.String, "attempts": pl.Int64, "last_error": pl.String})
