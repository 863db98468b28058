"""The survey answers: Happiness, CARE ratings, lost time, comments and the reasons people picked.

Every draw from the random generator happens in a fixed order (the same seed gives the same data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from data_access import schema
from data_access.demo.constants import (CHANNEL_EFFECT, NEGATIVE_COMMENTS, NEUTRAL_COMMENTS, POSITIVE_COMMENTS,
                                        SERVICE_EFFECT, SERVICES, TRICKY_COMMENTS)
from data_access.demo.organisation import ts
from data_access.demo.tickets import Desk, Skills


@dataclass(frozen=True)
class Answers:
    """One array per answer (answer j is about ticket desk.chosen[j])."""

    analyst: np.ndarray       # 0-based analyst index
    skill_t: np.ndarray       # the analyst's CARE skill at the time of the ticket
    reassign: np.ndarray
    reopened: np.ndarray
    sla_met: np.ndarray
    happiness: np.ndarray
    care: np.ndarray
    care_answered: np.ndarray
    lost_answered: np.ndarray
    lost: np.ndarray


def answer(rng: np.random.Generator, desk: Desk, skill: Skills, years: int) -> Answers:
    """Happiness from the analyst's skill, channel, service and how the ticket went; CARE and lost time."""
    chosen = desk.chosen
    responses = chosen.size
    a = desk.analyst[chosen]
    skill_t = skill.dim_skill[a] + (skill.slope[a] * (desk.t_years[chosen] - years / 2))[:, None]
    r_reassign = desk.reassign[chosen]
    r_reopened = desk.reopened[chosen]
    r_sla = desk.sla_met[chosen]
    latent = (8.75 + 0.55 * skill_t.mean(axis=1) + CHANNEL_EFFECT[desk.channel[chosen]]
              + SERVICE_EFFECT[desk.service[chosen]] + 0.25 * (desk.ticket_type[chosen] == "request")
              - 0.1 * r_reassign - 1.3 * r_reopened - 0.75 * (~r_sla)
              + rng.normal(0, 1.45, responses))
    happiness = np.clip(np.round(latent), 0, 10).astype(np.int64)

    care = np.clip(np.round(3.3 + 0.42 * (latent - 7.2)[:, None] + 0.55 * skill_t
                            + rng.normal(0, 0.55, (responses, 4))), 1, 5).astype(np.int64)
    care_answered = rng.random((responses, 4)) < np.array([0.86, 0.84, 0.88, 0.8])

    lost_answered = rng.random(responses) < 0.7
    p_big = 1 / (1 + np.exp(-(-1.8 + 0.5 * r_reassign + 0.22 * (6.5 - happiness).clip(0)
                              + 0.6 * r_reopened)))
    big = rng.random(responses) < p_big
    lost = np.where(big, rng.lognormal(np.log(200), 0.75, responses),
                    np.where(rng.random(responses) < 0.3, 0, rng.exponential(7, responses)))
    lost = np.round(lost + 8 * r_reassign * (lost > 0))
    return Answers(a, skill_t, r_reassign, r_reopened, r_sla, happiness, care, care_answered, lost_answered, lost)


def comments(rng: np.random.Generator, happiness: np.ndarray, a: np.ndarray, analysts: pl.DataFrame,
             service: np.ndarray) -> pl.Series:
    """Half the unhappy and a third of the others leave a comment; 2 % of them a tricky one (markup,
    formulas) that the pages must show as text. Templates filled in polars, no Python loop."""
    first = pl.Series([n.split(" ")[0] for n in analysts["name"].to_list()], dtype=pl.String)
    has = rng.random(happiness.size) < np.where(happiness <= 6, 0.5, 0.3)
    tricky = rng.random(happiness.size) < 0.02
    pick = rng.integers(0, 1000, happiness.size)
    pools = [NEGATIVE_COMMENTS, NEUTRAL_COMMENTS, POSITIVE_COMMENTS, TRICKY_COMMENTS]
    sizes = np.array([len(p) for p in pools])
    offsets = np.r_[0, np.cumsum(sizes)[:-1]]
    pool = np.where(tricky, 3, np.where(happiness >= 9, 2, np.where(happiness >= 7, 1, 0)))
    template = offsets[pool] + pick % sizes[pool]
    frame = pl.DataFrame({
        "text": pl.Series([t for p in pools for t in p], dtype=pl.String).gather(template),
        "first": first.gather(a), "service": pl.Series([s[0] for s in SERVICES], dtype=pl.String).gather(service),
        "tricky": tricky, "has": has})
    filled = (pl.col("text").str.replace_all("{first}", pl.col("first"), literal=True)
              .str.replace_all("{service}", pl.col("service"), literal=True))
    # A tricky comment is kept exactly as written (it is never a template).
    return frame.select(pl.when(~pl.col("has")).then(None).when(pl.col("tricky")).then(pl.col("text"))
                        .otherwise(filled).alias("comment")).to_series()


def response_frame(answers: Answers, desk: Desk, comment: pl.Series) -> pl.DataFrame:
    """The responses table: one row per answer, CARE ratings missing where not answered."""
    return pl.DataFrame({
        "ticket_key": desk.chosen.astype(np.int64) + 1,
        "happiness": answers.happiness.astype(np.int16),
        **{d: pl.Series(np.where(answers.care_answered[:, i], answers.care[:, i], 0)).cast(pl.Int16).replace(0, None)
           for i, d in enumerate(schema.CARE_DIMENSIONS)},
        "lost_minutes": pl.Series(np.where(answers.lost_answered, answers.lost, np.nan)).fill_nan(None),
        "comment": comment,
        "submitted_at": ts(desk.submitted_all[desk.chosen]),
    })


def factors(rng, resp: pl.DataFrame, reassign, reopened, sla, fcr, skill_t, duration_h) -> pl.DataFrame:
    h = resp["happiness"].to_numpy()
    pos = h >= 9
    mid = (h >= 7) & (h <= 8)
    neg = h <= 6
    base_pos = np.where(pos, 1.0, np.where(mid, 0.25, 0.0))
    base_neg = np.where(neg, 1.0, np.where(mid, 0.2, 0.0))
    comm, appl, reso, expe = (skill_t[:, i] for i in range(4))
    probs = {
        1: base_pos * (0.18 + 0.3 * (duration_h < 4)),
        2: base_pos * np.clip(0.25 + 0.1 * appl, 0.05, 0.6),
        3: base_pos * np.clip(0.22 + 0.1 * reso, 0.05, 0.6),
        4: base_pos * np.clip(0.18 + 0.1 * comm, 0.03, 0.5),
        5: base_pos * (0.08 + 0.4 * fcr),
        6: base_pos * 0.1,
        11: base_neg * (0.12 + 0.6 * reopened),
        12: base_neg * (0.15 + 0.35 * ~sla),
        13: base_neg * np.clip(0.05 + 0.22 * reassign, 0, 0.85),
        14: base_neg * np.clip(0.16 - 0.08 * comm, 0.02, 0.5),
        15: base_neg * np.clip(0.08 - 0.05 * appl, 0.01, 0.4),
        16: base_neg * np.clip(0.12 - 0.07 * reso, 0.01, 0.45),
        17: base_neg * np.clip(0.14 - 0.07 * expe, 0.02, 0.45),
    }
    keys = resp["ticket_key"].to_numpy()
    frames = []
    for fid, p in probs.items():
        picked = rng.random(h.size) < p
        frames.append(pl.DataFrame({"ticket_key": keys[picked],
                                    "factor_id": np.full(picked.sum(), fid, dtype=np.int32)}))
    return pl.concat(frames).sort("ticket_key", "factor_id")
