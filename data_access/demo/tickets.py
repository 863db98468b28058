"""The tickets: when they were opened, what and who they were about, how they went, who answered.

Every draw from the random generator happens in a fixed order (the same seed gives the same
data), so the steps here run in the order `build.generate` calls them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_access.demo.constants import (CHANNEL_RESPONSE_RATE, CHANNEL_SHARE, CHANNELS, FIRST, LAST, SERVICES,
                                        TEAM_NAMES)
from data_access.demo.organisation import day_weights, ts
from data_access.surveys import demo as survey_demo


@dataclass(frozen=True)
class Skills:
    """Latent skill per analyst and CARE dimension, and a yearly trend (improvers and decliners)."""

    overall: np.ndarray
    dim_skill: np.ndarray
    slope: np.ndarray


@dataclass
class Desk:
    """One array per ticket attribute (ticket i is index i), and the chosen answered tickets."""

    opened: np.ndarray
    t_years: np.ndarray
    service: np.ndarray
    team: np.ndarray
    ticket_type: np.ndarray
    channel: np.ndarray
    priority: np.ndarray
    analyst: np.ndarray
    reassign: np.ndarray
    reopened: np.ndarray
    duration_h: np.ndarray
    sla_met: np.ndarray
    resolved: np.ndarray
    fcr: np.ndarray
    handle: np.ndarray
    submitted_all: np.ndarray | None = None
    chosen: np.ndarray | None = None

    @property
    def size(self) -> int:
        return self.opened.size


def skills(rng: np.random.Generator, n_analysts: int) -> Skills:
    """Each analyst's latent skill per CARE dimension and their trend per year."""
    overall = rng.normal(0, 1, n_analysts)
    dim_skill = 0.7 * overall[:, None] + 0.55 * rng.normal(0, 1, (n_analysts, 4))
    slope = rng.normal(0, 0.2, n_analysts)
    movers = rng.choice(n_analysts, 28, replace=False)
    slope[movers[:16]] = rng.uniform(0.45, 0.8, 16)     # clear improvers
    slope[movers[16:]] = rng.uniform(-0.75, -0.4, 12)   # clear decliners
    return Skills(overall, dim_skill, slope)


def ticket_count(responses: int) -> int:
    """Enough closed tickets for `responses` answers at the channels' response rates."""
    return max(int(round(responses / float(CHANNEL_SHARE @ CHANNEL_RESPONSE_RATE))), responses)


def open_tickets(rng: np.random.Generator, n_tickets: int, start: dt.date, days: int,
                 team_arr: np.ndarray) -> Desk:
    """Open times, service, team, type, channel, priority and resolver of every ticket, then how it went."""
    day = rng.choice(days, size=n_tickets, p=day_weights(start, days))
    hour = np.clip(rng.normal(11.5, 2.6, n_tickets), 6.5, 20.5)
    opened = (np.datetime64(start, "s") + day.astype("timedelta64[D]").astype("timedelta64[s]")
              + (hour * 3600).astype("timedelta64[s]"))
    order = np.argsort(opened, kind="stable")
    opened = opened[order]
    day = day[order]

    svc_w = 1.0 / np.arange(1, len(SERVICES) + 1) ** 0.7
    svc_w = rng.permutation(svc_w)
    service = rng.choice(len(SERVICES), n_tickets, p=svc_w / svc_w.sum())
    primary_team = np.array([s[1] for s in SERVICES]) + 1
    req_share = np.array([s[2] for s in SERVICES])
    team = np.where(rng.random(n_tickets) < 0.8, primary_team[service],
                    rng.integers(1, len(TEAM_NAMES) + 1, n_tickets))
    ticket_type = np.where(rng.random(n_tickets) < req_share[service], "request", "incident")
    channel = rng.choice(5, n_tickets, p=CHANNEL_SHARE)
    priority = rng.choice([1, 2, 3, 4], n_tickets, p=[0.03, 0.12, 0.55, 0.30])
    analyst = _resolvers(rng, team, team_arr)
    return _outcomes(rng, opened, day / 365.0, service, team, ticket_type, channel, priority, analyst)


def _resolvers(rng: np.random.Generator, team: np.ndarray, team_arr: np.ndarray) -> np.ndarray:
    """Resolver within the team; some analysts carry more volume than others."""
    volume = rng.lognormal(0, 0.45, team_arr.size)
    analyst = np.empty(team.size, dtype=np.int64)
    for t_id in range(1, len(TEAM_NAMES) + 1):
        members = np.flatnonzero(team_arr == t_id)
        idx = np.flatnonzero(team == t_id)
        w = volume[members] / volume[members].sum()
        analyst[idx] = members[rng.choice(len(members), idx.size, p=w)]
    return analyst


def _outcomes(rng, opened, t_years, service, team, ticket_type, channel, priority, analyst) -> Desk:
    """Reassignments, reopenings, duration against the SLA, first-contact resolution, handle time."""
    n_tickets = opened.size
    reassign = np.minimum(rng.poisson(0.35 + 0.25 * (service % 4 == 0), n_tickets), 6)
    reopened = rng.random(n_tickets) < (0.04 + 0.025 * reassign)
    median_h = np.array([0, 3.0, 8.0, 20.0, 40.0])[priority] * (1 + 0.35 * reassign)
    duration_h = rng.lognormal(np.log(median_h), 0.9)
    target_h = np.array([0, 6.0, 16.0, 60.0, 120.0])[priority]
    sla_met = duration_h <= target_h
    resolved = opened + (duration_h * 3600).astype("timedelta64[s]")
    fcr = (reassign == 0) & (duration_h < 1.0) & np.isin(channel, [0, 3, 4])
    handle = np.round(rng.lognormal(np.log(22), 0.7, n_tickets), 1)
    return Desk(opened, t_years, service, team, ticket_type, channel, priority, analyst, reassign, reopened,
                duration_h, sla_met, resolved, fcr, handle)


def choose_answered(rng: np.random.Generator, desk: Desk, responses: int, end_ts: np.datetime64) -> None:
    """Who answers the survey: a channel-dependent rate, exactly `responses` answers by the end date."""
    key = rng.random(desk.size) / CHANNEL_RESPONSE_RATE[desk.channel]
    delay = (rng.exponential(18, desk.size) * 3600).astype("timedelta64[s]")
    desk.submitted_all = desk.resolved + delay
    key[desk.submitted_all > end_ts] = np.inf
    desk.chosen = np.sort(np.argpartition(key, responses - 1)[:responses])


def ticket_frame(rng: np.random.Generator, desk: Desk, seed: int) -> pl.DataFrame:
    """The tickets table: one row per ticket, ids like INC00000001 / RITM00000002, requesters."""
    tickets = pl.DataFrame({
        "ticket_key": np.arange(1, desk.size + 1, dtype=np.int64),
        "ticket_type": desk.ticket_type,
        "channel": np.array(CHANNELS)[desk.channel],
        "service_id": desk.service + 1,
        "priority": desk.priority,
        "opened_at": ts(desk.opened),
        "resolved_at": ts(desk.resolved),
        "analyst_id": desk.analyst + 1,
        "team_id": desk.team,
        "reassignment_count": desk.reassign,
        "reopened": desk.reopened,
        "sla_met": desk.sla_met,
        "first_contact_resolution": desk.fcr,
        "handle_minutes": desk.handle,
    }).with_columns(
        ticket_id=pl.when(pl.col("ticket_type") == "incident")
        .then(pl.lit("INC") + pl.col("ticket_key").cast(pl.String).str.zfill(8))
        .otherwise(pl.lit("RITM") + pl.col("ticket_key").cast(pl.String).str.zfill(8)),
        requester=pl.lit(None, dtype=pl.String),
        priority=pl.col("priority").cast(pl.Int16),
        reassignment_count=pl.col("reassignment_count").cast(pl.Int16),
        service_id=pl.col("service_id").cast(pl.Int32),
        analyst_id=pl.col("analyst_id").cast(pl.Int32),
        team_id=pl.col("team_id").cast(pl.Int32),
    )
    requester_pool = [f"{f} {l}" for f in FIRST[::3] for l in LAST[::2]]
    pick = rng.integers(0, len(requester_pool), desk.size)
    # The pool is small: pick by index from a categorical-like lookup instead of a Python object array.
    return tickets.with_columns(
        requester=pl.Series(requester_pool, dtype=pl.String).gather(pick),
        requester_email=survey_demo.emails(seed, requester_pool, pick, desk.chosen))
