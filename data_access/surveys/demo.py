"""Demo survey data: requester addresses and the invitations behind the demo's responses.

Surveys are "switched on" `DAYS` before the demo's end: from then on every ticket with an
address has an invitation, answered where the generator gave the ticket a response, which keeps
the generator's channel-dependent non-response. Uses its own random streams, so the rest of the
demo stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import polars as pl

DAYS = 180
WITHOUT_EMAIL = 0.12  # walk-ins, shared mailboxes, contractors: no address to survey
ADDRESSES_PER_NAME = 40  # the demo's 210 names stand for a few thousand people
VALID_DAYS = 14


def email_of(name: str, number: int | None = None) -> str:
    """'Chloé Dubois', 7 → 'chloe.dubois.7@example.com' (example.com never receives mail)."""
    text = name.replace("ø", "o").replace("ł", "l")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    local = ".".join("".join(ch for ch in part if ch.isalnum()) for part in plain.split())
    return f"{local}{'' if number is None else f'.{number}'}@example.com"


def emails(seed: int, pool: list[str], pick: np.ndarray, answered: np.ndarray) -> pl.Series:
    """A requester address per ticket (`pick` indexes `pool`); tickets that got an answer always
    have one, some of the others none."""
    rng = np.random.default_rng(seed + 16)
    number = rng.integers(0, ADDRESSES_PER_NAME, pick.size)
    missing = rng.random(pick.size) < WITHOUT_EMAIL
    missing[answered] = False
    local = pl.Series([email_of(n).removesuffix("@example.com") for n in pool], dtype=pl.String)
    frame = pl.DataFrame({"local": local.gather(pick), "number": number, "missing": missing})
    return frame.select(pl.when(~pl.col("missing")).then(
        pl.col("local") + "." + pl.col("number").cast(pl.String) + "@example.com").alias("requester_email")
    ).to_series()


def invitations(seed: int, tickets: pl.DataFrame, responses: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    """The invitations of the last `DAYS` days: every ticket with an address resolved then, except
    those of the demo's last day that got no answer (left for a first `surveys send`)."""
    rng = np.random.default_rng(seed + 17)
    since = dt.datetime.combine(end - dt.timedelta(days=DAYS), dt.time())
    last_day = dt.datetime.combine(end, dt.time())
    recent = (tickets.lazy().filter(pl.col("resolved_at") >= since, pl.col("requester_email").is_not_null())
              .select("ticket_key", "resolved_at", "requester_email")
              .join(responses.lazy().select("ticket_key", "submitted_at"), on="ticket_key", how="left")
              .filter(pl.col("submitted_at").is_not_null() | (pl.col("resolved_at") < last_day))
              .collect().sort("ticket_key"))
    if recent.is_empty():
        return _empty()
    delay = pl.Series((rng.uniform(5, 40, recent.height) * 60).astype("int64")).cast(pl.Duration("us")) * 1_000_000
    frame = recent.with_columns(delay=delay)
    sent = pl.min_horizontal(pl.col("resolved_at") + pl.col("delay"),
                             pl.col("submitted_at").fill_null(pl.col("resolved_at") + pl.col("delay")))
    return frame.with_columns(
        invitation_id=pl.int_range(1, frame.height + 1, dtype=pl.Int64),
        sent_at=sent,
    ).select(
        "invitation_id", "ticket_key", "requester_email",
        created_at=pl.col("sent_at"), sent_at=pl.col("sent_at"),
        expires_at=pl.col("sent_at") + pl.duration(days=VALID_DAYS),
        answered_at=pl.col("submitted_at"),
        state=pl.when(pl.col("submitted_at").is_not_null()).then(pl.lit("answered")).otherwise(pl.lit("sent")),
        attempts=pl.lit(1, pl.Int64), last_error=pl.lit(None, pl.String))


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"invitation_id": pl.Int64, "ticket_key": pl.Int64, "requester_email": pl.String,
                                "created_at": pl.Datetime("us"), "sent_at": pl.Datetime("us"),
                                "expires_at": pl.Datetime("us"), "answered_at": pl.Datetime("us"),
                                "state": pl.String, "attempts": pl.Int64, "last_error": pl.String})
