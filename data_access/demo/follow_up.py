"""What happened after the answers: recovery items and actions for unhappy customers, kudos."""

from __future__ import annotations

import numpy as np
import polars as pl

from data_access import recovery
from data_access.demo.constants import TEAM_NAMES
from data_access.demo.organisation import ts as _ts


def due_times(ts: np.ndarray, target_hours: int) -> np.ndarray:
    """`recovery.due_at` for a whole array at once: `target_hours` later, a weekend moved to Monday."""
    due = ts.astype("datetime64[s]") + np.timedelta64(int(target_hours) * 3600, "s")
    weekday = (due.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    return due + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0)).astype("timedelta64[D]")


def recovery_items(rng, resp: pl.DataFrame, analyst, team, lead_user, end_ts,
                   lead_analyst: np.ndarray) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Recovery items for the demo's unhappy answers (`team`: the analyst's home team, whose lead
    the item is routed to), due as the default settings say. A lead's own items were followed up
    by their manager, outside the app: those actions have no author (`lead_analyst[team]` is the
    team lead's own analyst id)."""
    unhappy = resp["happiness"].to_numpy() <= recovery.DEFAULT_THRESHOLD
    keys = resp["ticket_key"].to_numpy()[unhappy]
    created = resp["submitted_at"].to_numpy().astype("datetime64[s]")[unhappy]
    due = due_times(created, recovery.DEFAULT_TARGET_HOURS)
    age_days = (end_ts - created).astype("timedelta64[h]").astype(float) / 24
    contacted = rng.random(keys.size) < np.where(age_days > 10, 0.82, 0.35)
    contact_at = created + (rng.lognormal(np.log(16), 0.9, keys.size) * 3600).astype("timedelta64[s]")
    contacted &= contact_at <= end_ts
    resolved_flag = contacted & (rng.random(keys.size) < np.where(age_days > 10, 0.92, 0.4))
    resolved_at = contact_at + (rng.exponential(40, keys.size) * 3600).astype("timedelta64[s]")
    resolved_flag &= resolved_at <= end_ts
    outcomes = np.array(["recovered", "partly recovered", "not recovered", "no answer"])
    outcome = outcomes[rng.choice(4, keys.size, p=[0.55, 0.25, 0.12, 0.08])]
    t = team[unhappy]
    items = pl.DataFrame({
        "ticket_key": keys, "team_id": t.astype(np.int32), "analyst_id": analyst[unhappy].astype(np.int32),
        "created_at": _ts(created),
        "due_at": _ts(due),
        "first_contact_at": _ts(np.where(contacted, contact_at, np.datetime64("NaT"))),
        "resolved_at": _ts(np.where(resolved_flag, resolved_at, np.datetime64("NaT"))),
        "outcome": pl.Series([o if f else None for o, f in zip(outcome.tolist(), resolved_flag.tolist())],
                             dtype=pl.String),
        "alerted_at": _ts(created),
        "version": np.ones(keys.size, dtype=np.int64),
    })
    lead_of = np.array([lead_user[int(x)] for x in range(1, len(TEAM_NAMES) + 1)])[t - 1]
    lead = pl.Series(lead_of, dtype=pl.Int64).set(pl.Series(analyst[unhappy] == lead_analyst[t]), None)
    contact_rows = pl.DataFrame({"ticket_key": keys[contacted], "kind": "contacted",
                                 "outcome": None, "note": "Called the user back.",
                                 "acted_by": lead.filter(pl.Series(contacted)),
                                 "acted_at": _ts(contact_at[contacted])},
                                schema_overrides={"outcome": pl.String, "acted_by": pl.Int64})
    resolved_rows = pl.DataFrame({"ticket_key": keys[resolved_flag], "kind": "resolved",
                                  "outcome": outcome[resolved_flag], "note": None,
                                  "acted_by": lead.filter(pl.Series(resolved_flag)),
                                  "acted_at": _ts(resolved_at[resolved_flag])},
                                 schema_overrides={"note": pl.String, "acted_by": pl.Int64})
    actions = pl.concat([contact_rows, resolved_rows.select(contact_rows.columns)]).sort("acted_at")
    actions = actions.with_row_index("action_id", offset=1).with_columns(pl.col("action_id").cast(pl.Int64))
    return items, actions


def kudos(rng, resp: pl.DataFrame, analyst, team, lead_user, end_ts, lead_analyst: np.ndarray) -> pl.DataFrame:
    """Kudos for some happy answers with a comment, passed on two days later (never after the
    data's last day); never from a lead to themself."""
    pick = (resp["happiness"].to_numpy() >= 9) & resp["comment"].is_not_null().to_numpy() \
        & (rng.random(resp.height) < 0.12)
    t = team[pick]
    given = np.minimum(resp["submitted_at"].to_numpy()[pick].astype("datetime64[s]") + np.timedelta64(2, "D"),
                       end_ts)
    frame = pl.DataFrame({
        "ticket_key": resp["ticket_key"].to_numpy()[pick],
        "analyst_id": analyst[pick].astype(np.int32), "team_id": t.astype(np.int32),
        "given_by": np.array([lead_user[int(x)] for x in t]),
        "given_at": _ts(given),
        "note": pl.Series(["Lovely feedback, well done!" if x < 0.5 else None
                           for x in rng.random(pick.sum())], dtype=pl.String),
    })
    frame = frame.filter(pl.Series(analyst[pick] != lead_analyst[t]))
    return frame.with_row_index("kudos_id", offset=1).with_columns(pl.col("kudos_id").cast(pl.Int64))

