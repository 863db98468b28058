"""`generate`: the demo warehouse, built step by step (organisation → tickets → answers → what
followed → one bulk load). The steps draw from one random generator in a fixed order, so the same
seed and end date give the same data."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
import polars as pl
import sqlalchemy as sa

from data_access import schema
from data_access.demo import answers as answer_step
from data_access.demo import follow_up, organisation, people, tickets as ticket_step
from data_access.demo.load import write_all
from data_access.surveys import demo as survey_demo


@dataclass(frozen=True)
class DemoSummary:
    """What the generator produced."""

    tickets: int
    responses: int
    analysts: int
    users: int
    seconds: float


def generate(engine: sa.Engine, *, responses: int = 150_000, seed: int = 7,
             end: dt.date | None = None, years: int = 3) -> DemoSummary:
    """Fill an empty warehouse with demo data; `responses` survey answers over `years` up to `end`."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    end = end or dt.date.today()
    start = end - dt.timedelta(days=365 * years)
    teams, analysts, services = organisation.org(rng)
    team_arr = analysts["team_id"].to_numpy()
    skill = ticket_step.skills(rng, analysts.height)
    desk = ticket_step.open_tickets(rng, ticket_step.ticket_count(responses), start, (end - start).days, team_arr)
    end_ts = np.datetime64(end, "s") + np.timedelta64(86399, "s")
    ticket_step.choose_answered(rng, desk, responses, end_ts)
    said = answer_step.answer(rng, desk, skill, years)
    ticket_frame = ticket_step.ticket_frame(rng, desk, seed)
    comment = answer_step.comments(rng, said.happiness, said.analyst, analysts, desk.service[desk.chosen])
    resp = answer_step.response_frame(said, desk, comment)
    frames = [(schema.teams, teams), (schema.services, services), (schema.analysts, analysts),
              (schema.tickets, ticket_frame), (schema.responses, resp),
              (schema.survey_invitations, survey_demo.invitations(seed, ticket_frame, resp, end))]
    frames += _after_the_answers(rng, desk, said, resp, analysts, skill, end, end_ts, years)
    write_all(engine, frames)
    users = next(frame for table, frame in frames if table is schema.app_users)
    return DemoSummary(tickets=desk.size, responses=responses, analysts=analysts.height,
                       users=users.height, seconds=time.perf_counter() - started)


def _after_the_answers(rng, desk, said, resp: pl.DataFrame, analysts: pl.DataFrame, skill, end: dt.date,
                       end_ts, years: int) -> list[tuple[sa.Table, pl.DataFrame]]:
    """Reasons picked, accounts, recovery, kudos, self-assessments and notes (in the generator's order)."""
    chosen = desk.chosen
    factors_long = answer_step.factors(rng, resp, said.reassign, said.reopened, said.sla_met, desk.fcr[chosen],
                                       said.skill_t, desk.duration_h[chosen])
    users, roles, user_teams = organisation.users(analysts)
    lead_user = {int(t): int(u) for u, t in user_teams.select("user_id", "team_id").iter_rows()}
    # Each demo lead also works tickets in their team; a lead never coaches themself (docs/PRIVACY.md)
    own_record = dict(users.select("user_id", "analyst_id").iter_rows())
    lead_analyst = np.array([0] + [own_record[lead_user[t]] for t in range(1, len(lead_user) + 1)])
    home_team = analysts["team_id"].to_numpy()[desk.analyst[chosen]]  # items and kudos go to the analyst's lead
    items, actions = follow_up.recovery_items(rng, resp, desk.analyst[chosen] + 1, home_team, lead_user, end_ts,
                                              lead_analyst)
    kudos = follow_up.kudos(rng, resp, desk.analyst[chosen] + 1, home_team, lead_user, end_ts, lead_analyst)
    selfs, ratings = people.self_assessments(rng, analysts, skill.dim_skill, skill.overall, skill.slope, end, years)
    notes = people.notes(rng, analysts, lead_user, end, lead_analyst)
    return [(schema.response_factors, factors_long), (schema.app_users, users),
            (schema.user_roles, roles), (schema.user_teams, user_teams),
            (schema.recovery_items, items), (schema.recovery_actions, actions),
            (schema.kudos, kudos), (schema.self_assessments, selfs),
            (schema.self_assessment_ratings, ratings), (schema.coaching_notes, notes)]
