"""Deterministic demo warehouse: a believable service desk whose data carries the effects the pages show.

Same seed and same end date → the same data. Effects built in (and tested):
- each analyst has a latent skill per CARE dimension that drives their customers' ratings, and a
  trend (some improve, some decline);
- every reassignment lowers expected Happiness by about 7 points and raises lost time;
- a sizeable share of tickets with the SLA met still score 0–6 (the "watermelon");
- lost time is heavy-tailed (roughly 13% of tickets cause about 80% of it);
- weaker analysts rate themselves above their customers, strong ones slightly below.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import bcrypt
import numpy as np
import polars as pl
import sqlalchemy as sa

from data_access import catalogue, recovery, schema
from data_access.dialect import bulk_insert, upsert, without_statement_timeout
from data_access.rollups.maintain import rebuild as rebuild_rollups
from data_access.surveys import demo as survey_demo

# Clearly a demo credential: only ever loaded into the demo database, printed by `summary`.
DEMO_PASSWORD = "pulse-demo"
DEMO_MARKER = "demo_data_loaded"  # settings key written with the demo data (see bootstrap.data_origin)

TEAM_NAMES = [
    "Service Desk North", "Service Desk South", "End-User Computing", "Network & Telecom",
    "Identity & Access", "Business Applications", "Workplace Services", "Cloud & Infrastructure",
]
TEAM_SIZES = [12, 11, 10, 10, 10, 9, 9, 9]

SERVICES = [
    ("Email & Calendar", 0, 0.35), ("Laptop & Desktop", 2, 0.40), ("Password & Login", 4, 0.55),
    ("VPN & Remote Access", 3, 0.20), ("Wi-Fi & Network", 3, 0.15), ("Printing", 6, 0.30),
    ("Mobile Devices", 2, 0.45), ("Microsoft Teams", 0, 0.30), ("SharePoint & Files", 5, 0.40),
    ("ERP Finance", 5, 0.35), ("HR Portal", 5, 0.50), ("CRM", 5, 0.35), ("Software Install", 2, 0.85),
    ("Access Requests", 4, 0.90), ("New Starter Setup", 6, 0.95), ("Telephony", 3, 0.30),
    ("Meeting Rooms & AV", 6, 0.40), ("Cloud Storage", 7, 0.45), ("Databases", 7, 0.25),
    ("Backup & Restore", 7, 0.50), ("Security Incident", 4, 0.05), ("Website & Intranet", 5, 0.30),
    ("Data & Reporting", 5, 0.50), ("Hardware Orders", 6, 0.95), ("Virtual Desktop", 1, 0.30),
]
SERVICE_EFFECT = np.array([0.1, 0.0, 0.3, -0.6, -0.5, -0.3, 0.1, 0.2, 0.0, -0.7, -0.2, -0.1, 0.3,
                           0.0, -0.4, 0.1, -0.2, 0.2, -0.3, 0.0, -0.8, 0.1, -0.1, 0.1, -0.6])
CHANNELS = ["phone", "email", "portal", "chat", "walk_in"]
CHANNEL_SHARE = np.array([0.25, 0.25, 0.32, 0.12, 0.06])
CHANNEL_EFFECT = np.array([0.25, -0.35, -0.15, 0.20, 0.45])
CHANNEL_RESPONSE_RATE = np.array([0.17, 0.23, 0.27, 0.26, 0.15])

FIRST = ["Aisha", "Ben", "Chloé", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas",
         "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "Łukasz", "Søren", "José", "Aoife",
         "Bjørn", "Camille", "Dmitri", "Elif", "Femi", "Gabriel", "Hanna", "Ivan", "Julia", "Kai"]
LAST = ["Adeyemi", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ito",
        "Jansen", "Kowalski", "Larsen", "Müller", "Novak", "O'Brien", "Patel", "Quispe", "Rossi",
        "Schmidt", "Takahashi", "Úlfarsson", "Varga", "Wójcik", "Xu", "Yilmaz", "Zhang", "Núñez",
        "Ångström", "Okafor", "Lindqvist"]

POSITIVE_COMMENTS = [
    "{first} sorted it out in minutes, thank you!",
    "Quick, friendly and clear. Great job {first}.",
    "Really appreciated that {first} called me back, explained what happened and checked it worked.",
    "Fixed first time, no fuss.",
    "{first} was patient with me, even though I'm not \"technical\".",
    "Excellent service — {service} works again and I was kept informed throughout.",
    "Thanks {first}; you went the extra mile, again.",
    "Très bien, merci beaucoup !",
]
NEUTRAL_COMMENTS = [
    "Fine in the end, but it took a while.",
    "OK. Would have liked an update earlier.",
    "Solved, though I had to chase it once.",
    "Decent, nothing special.",
]
NEGATIVE_COMMENTS = [
    "Ticket was closed but {service} still doesn't work.",
    "I had to explain the same problem three times to different people.",
    "Nobody told me what was happening for days.",
    "Took far too long, I lost most of a morning.",
    "Closed without asking me, issue is NOT fixed.",
    "The fix was rushed and the problem came back, so I'm raising it again.",
    "Felt like I was bothering them.\nStill waiting for a proper answer.",
]
TRICKY_COMMENTS = [
    "<script>alert('hi')</script> still broken",
    "<b>bold</b> claims, <i>no</i> fix",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+1 for fast help",
    "-2 stars, sorry",
    "@channel please look at this",
    "**Markdown** _is_ not [a link](http://example.invalid)",
    "Smörgåsbord of issues, but Zoë fixed them, “thanks”",
    "Line one\nLine two, with a comma, and \"quotes\"",
]
NOTE_TEXTS = [
    "Talked through the re-opened tickets; agreed to confirm fixes with the user before closing.",
    "Great feedback on phone manner this month — keep it up.",
    "Practise setting expectations on timelines for access requests.",
    "Shadow a senior analyst on network tickets next week.",
    "Discussed using the knowledge base before escalating.",
]


@dataclass(frozen=True)
class DemoSummary:
    """What the generator produced."""

    tickets: int
    responses: int
    analysts: int
    users: int
    seconds: float


def _ts(values: np.ndarray) -> pl.Series:
    """numpy datetimes (any unit) → a polars microsecond datetime series."""
    return pl.Series(np.asarray(values).astype("datetime64[us]"))


def _ascii_slug(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in norm.lower() if ch.isalnum() or ch == ".")


def _org(rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    teams = pl.DataFrame({"team_id": list(range(1, len(TEAM_NAMES) + 1)), "name": TEAM_NAMES})
    names: list[str] = []
    while len(names) < sum(TEAM_SIZES):
        n = f"{FIRST[rng.integers(len(FIRST))]} {LAST[rng.integers(len(LAST))]}"
        if n not in names:
            names.append(n)
    team_of = np.repeat(np.arange(1, len(TEAM_SIZES) + 1), TEAM_SIZES)
    first_of_team = np.r_[0, np.cumsum(TEAM_SIZES)[:-1]]
    tiers = rng.choice(["L1", "L2", "L3"], size=len(names), p=[0.5, 0.35, 0.15]).astype(object)
    tiers[first_of_team] = "lead"
    active = np.ones(len(names), dtype=bool)
    active[rng.choice(len(names), 3, replace=False)] = False
    active[first_of_team] = True
    hire = [dt.date(2012, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 3650, len(names))]
    analysts = pl.DataFrame({
        "analyst_id": list(range(1, len(names) + 1)),
        "name": names,
        "email": [f"{_ascii_slug(n.replace(' ', '.'))}@example.com" for n in names],
        "team_id": team_of.tolist(),
        "tier": tiers.tolist(),
        "hire_date": hire,
        "active": active.tolist(),
    })
    services = pl.DataFrame({"service_id": list(range(1, len(SERVICES) + 1)),
                             "name": [s[0] for s in SERVICES]})
    return teams, analysts, services


def _day_weights(start: dt.date, days: int) -> np.ndarray:
    dates = np.array([start + dt.timedelta(days=i) for i in range(days)])
    weekday = np.array([d.weekday() for d in dates])
    month = np.array([d.month for d in dates])
    w = np.array([1.25, 1.1, 1.0, 1.0, 0.85, 0.18, 0.12])[weekday]
    season = {1: 1.2, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.95, 6: 0.9, 7: 0.75, 8: 0.7, 9: 1.2, 10: 1.1,
              11: 1.05, 12: 0.8}
    w = w * np.array([season[m] for m in month])
    w = w * np.linspace(0.9, 1.1, days)  # the business grows a little
    for i, d in enumerate(dates):
        if d.month == 12 and d.day >= 24 or d.month == 1 and d.day == 1:
            w[i] *= 0.25
    return w / w.sum()


def generate(engine: sa.Engine, *, responses: int = 150_000, seed: int = 7,
             end: dt.date | None = None, years: int = 3) -> DemoSummary:
    """Fill an empty warehouse with demo data; `responses` survey answers over `years` up to `end`."""
    import time

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    end = end or dt.date.today()
    start = end - dt.timedelta(days=365 * years)
    days = (end - start).days
    teams, analysts, services = _org(rng)
    n_analysts = analysts.height
    team_arr = analysts["team_id"].to_numpy()

    # Latent skill per analyst and CARE dimension, and a yearly trend (improvers and decliners).
    overall = rng.normal(0, 1, n_analysts)
    dim_skill = 0.7 * overall[:, None] + 0.55 * rng.normal(0, 1, (n_analysts, 4))
    slope = rng.normal(0, 0.2, n_analysts)
    movers = rng.choice(n_analysts, 28, replace=False)
    slope[movers[:16]] = rng.uniform(0.45, 0.8, 16)     # clear improvers
    slope[movers[16:]] = rng.uniform(-0.75, -0.4, 12)   # clear decliners

    n_tickets = int(round(responses / float(CHANNEL_SHARE @ CHANNEL_RESPONSE_RATE)))
    n_tickets = max(n_tickets, responses)
    day = rng.choice(days, size=n_tickets, p=_day_weights(start, days))
    hour = np.clip(rng.normal(11.5, 2.6, n_tickets), 6.5, 20.5)
    opened = (np.datetime64(start, "s") + day.astype("timedelta64[D]").astype("timedelta64[s]")
              + (hour * 3600).astype("timedelta64[s]"))
    order = np.argsort(opened, kind="stable")
    opened = opened[order]
    day = day[order]
    t_years = day / 365.0

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

    # Resolver within the team, some analysts carry more volume than others.
    volume = rng.lognormal(0, 0.45, n_analysts)
    analyst = np.empty(n_tickets, dtype=np.int64)
    for t_id in range(1, len(TEAM_NAMES) + 1):
        members = np.flatnonzero(team_arr == t_id)
        idx = np.flatnonzero(team == t_id)
        w = volume[members] / volume[members].sum()
        analyst[idx] = members[rng.choice(len(members), idx.size, p=w)]

    reassign = np.minimum(rng.poisson(0.35 + 0.25 * (service % 4 == 0), n_tickets), 6)
    reopened = rng.random(n_tickets) < (0.04 + 0.025 * reassign)
    median_h = np.array([0, 3.0, 8.0, 20.0, 40.0])[priority] * (1 + 0.35 * reassign)
    duration_h = rng.lognormal(np.log(median_h), 0.9)
    target_h = np.array([0, 6.0, 16.0, 60.0, 120.0])[priority]
    sla_met = duration_h <= target_h
    resolved = opened + (duration_h * 3600).astype("timedelta64[s]")
    fcr = (reassign == 0) & (duration_h < 1.0) & np.isin(channel, [0, 3, 4])
    handle = np.round(rng.lognormal(np.log(22), 0.7, n_tickets), 1)

    # Who answers the survey: channel-dependent rate, exactly `responses` answers.
    key = rng.random(n_tickets) / CHANNEL_RESPONSE_RATE[channel]
    end_ts = np.datetime64(end, "s") + np.timedelta64(86399, "s")
    delay = (rng.exponential(18, n_tickets) * 3600).astype("timedelta64[s]")
    submitted_all = resolved + delay
    key[submitted_all > end_ts] = np.inf
    chosen = np.sort(np.argpartition(key, responses - 1)[:responses])

    a = analyst[chosen]
    ty = t_years[chosen]
    skill_t = dim_skill[a] + (slope[a] * (ty - years / 2))[:, None]
    r_reassign = reassign[chosen]
    r_reopened = reopened[chosen]
    r_sla = sla_met[chosen]
    latent = (8.75 + 0.55 * skill_t.mean(axis=1) + CHANNEL_EFFECT[channel[chosen]]
              + SERVICE_EFFECT[service[chosen]] + 0.25 * (ticket_type[chosen] == "request")
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

    submitted = submitted_all[chosen]
    sub_ts = _ts(submitted)

    tickets = pl.DataFrame({
        "ticket_key": np.arange(1, n_tickets + 1, dtype=np.int64),
        "ticket_type": ticket_type,
        "channel": np.array(CHANNELS)[channel],
        "service_id": service + 1,
        "priority": priority,
        "opened_at": _ts(opened),
        "resolved_at": _ts(resolved),
        "analyst_id": analyst + 1,
        "team_id": team,
        "reassignment_count": reassign,
        "reopened": reopened,
        "sla_met": sla_met,
        "first_contact_resolution": fcr,
        "handle_minutes": handle,
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
    pick = rng.integers(0, len(requester_pool), n_tickets)
    tickets = tickets.with_columns(
        requester=pl.Series(np.array(requester_pool, dtype=object)[pick]),
        requester_email=survey_demo.emails(seed, requester_pool, pick, chosen))

    comment = _comments(rng, happiness, a, analysts, service[chosen])
    resp = pl.DataFrame({
        "ticket_key": chosen.astype(np.int64) + 1,
        "happiness": happiness.astype(np.int16),
        **{d: pl.Series(np.where(care_answered[:, i], care[:, i], 0)).cast(pl.Int16).replace(0, None)
           for i, d in enumerate(schema.CARE_DIMENSIONS)},
        "lost_minutes": pl.Series(np.where(lost_answered, lost, np.nan)).fill_nan(None),
        "comment": comment,
        "submitted_at": sub_ts,
    })

    factors_long = _factors(rng, resp, r_reassign, r_reopened, r_sla, fcr[chosen], skill_t,
                            duration_h[chosen])
    users, roles, user_teams = _users(analysts)
    lead_user = {int(t): int(u) for u, t in user_teams.select("user_id", "team_id").iter_rows()}
    home_team = team_arr[analyst[chosen]]  # recovery items and kudos go to the analyst's lead
    recovery_items, actions = _recovery(rng, resp, analyst[chosen] + 1, home_team, lead_user, end_ts)
    kudos = _kudos(rng, resp, analyst[chosen] + 1, home_team, lead_user)
    selfs, ratings = _self_assessments(rng, analysts, dim_skill, overall, slope, end, years)
    notes = _notes(rng, analysts, lead_user, end)

    with engine.begin() as conn:
        without_statement_timeout(conn)
        schema.create_schema(conn)
        catalogue.seed_catalogue(conn)
        for table, frame in [
            (schema.teams, teams), (schema.services, services), (schema.analysts, analysts),
            (schema.tickets, tickets), (schema.responses, resp),
            (schema.survey_invitations, survey_demo.invitations(seed, tickets, resp, end)),
            (schema.response_factors, factors_long), (schema.app_users, users),
            (schema.user_roles, roles), (schema.user_teams, user_teams),
            (schema.recovery_items, recovery_items), (schema.recovery_actions, actions),
            (schema.kudos, kudos), (schema.self_assessments, selfs),
            (schema.self_assessment_ratings, ratings), (schema.coaching_notes, notes),
        ]:
            bulk_insert(conn, table, frame)
        conn.execute(schema.settings.update().where(schema.settings.c.key == "data_origin")
                     .values(value="demo"))
        # Stays when an import later sets data_origin to "imported": the data is then mixed.
        upsert(conn, schema.settings, [{"key": DEMO_MARKER, "value": "yes"}], key=["key"])
        _reset_sequences(conn)
        rebuild_rollups(conn)  # in bulk, same transaction: the demo warehouse starts with fresh rollups
    return DemoSummary(tickets=n_tickets, responses=responses, analysts=n_analysts,
                       users=users.height, seconds=time.perf_counter() - started)


def _comments(rng, happiness, a, analysts: pl.DataFrame, service) -> list[str | None]:
    first = [n.split(" ")[0] for n in analysts["name"].to_list()]
    has = rng.random(happiness.size) < np.where(happiness <= 6, 0.5, 0.3)
    tricky = rng.random(happiness.size) < 0.02
    pick = rng.integers(0, 1000, happiness.size)
    out: list[str | None] = [None] * happiness.size
    for i in np.flatnonzero(has):
        h = happiness[i]
        if tricky[i]:
            out[i] = TRICKY_COMMENTS[pick[i] % len(TRICKY_COMMENTS)]
            continue
        pool = POSITIVE_COMMENTS if h >= 9 else NEUTRAL_COMMENTS if h >= 7 else NEGATIVE_COMMENTS
        out[i] = pool[pick[i] % len(pool)].format(first=first[a[i]], service=SERVICES[service[i]][0])
    return out


def _factors(rng, resp: pl.DataFrame, reassign, reopened, sla, fcr, skill_t, duration_h) -> pl.DataFrame:
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


def _users(analysts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from data_access.writes.users import BCRYPT_ROUNDS  # here: that module imports this one

    # The same cost as every real hash, so a demo account is no quicker to check than any other.
    pw = bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()
    now = dt.datetime.now().replace(microsecond=0)
    rows = [dict(user_id=1, username="cio", display_name="Morgan Reyes", email="cio@example.com",
                 analyst_id=None),
            dict(user_id=2, username="admin", display_name="Sam Admin", email="admin@example.com",
                 analyst_id=None)]
    roles = [(1, "cio"), (2, "admin")]
    user_teams = []
    taken: set[str] = {"cio", "admin"}
    for i, (aid, name, email, team_id, tier) in enumerate(
            analysts.select("analyst_id", "name", "email", "team_id", "tier").iter_rows(), start=3):
        username = _ascii_slug(name.replace(" ", "."))
        while username in taken:
            username += "2"
        taken.add(username)
        rows.append(dict(user_id=i, username=username, display_name=name, email=email, analyst_id=aid))
        roles.append((i, "analyst"))
        if tier == "lead":
            roles.append((i, "lead"))
            user_teams.append((i, team_id))
    users = pl.DataFrame(rows).with_columns(password_hash=pl.lit(pw), active=pl.lit(True),
                                            failed_logins=pl.lit(0), receive_digest=pl.lit(True),
                                            created_at=pl.lit(now))
    return (users,
            pl.DataFrame(roles, schema=["user_id", "role"], orient="row"),
            pl.DataFrame(user_teams, schema=["user_id", "team_id"], orient="row"))


def due_times(ts: np.ndarray, target_hours: int) -> np.ndarray:
    """`recovery.due_at` for a whole array at once: `target_hours` later, a weekend moved to Monday."""
    due = ts.astype("datetime64[s]") + np.timedelta64(int(target_hours) * 3600, "s")
    weekday = (due.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    return due + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0)).astype("timedelta64[D]")


def _recovery(rng, resp: pl.DataFrame, analyst, team, lead_user, end_ts) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Recovery items for the demo's unhappy answers (`team`: the analyst's home team, whose lead
    the item is routed to), due as the default settings say."""
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
    lead = np.array([lead_user[int(x)] for x in range(1, len(TEAM_NAMES) + 1)])[t - 1]
    contact_rows = pl.DataFrame({"ticket_key": keys[contacted], "kind": "contacted",
                                 "outcome": None, "note": "Called the user back.",
                                 "acted_by": lead[contacted],
                                 "acted_at": _ts(contact_at[contacted])},
                                schema_overrides={"outcome": pl.String})
    resolved_rows = pl.DataFrame({"ticket_key": keys[resolved_flag], "kind": "resolved",
                                  "outcome": outcome[resolved_flag], "note": None,
                                  "acted_by": lead[resolved_flag],
                                  "acted_at": _ts(resolved_at[resolved_flag])},
                                 schema_overrides={"note": pl.String})
    actions = pl.concat([contact_rows, resolved_rows.select(contact_rows.columns)]).sort("acted_at")
    actions = actions.with_row_index("action_id", offset=1).with_columns(pl.col("action_id").cast(pl.Int64))
    return items, actions


def _kudos(rng, resp: pl.DataFrame, analyst, team, lead_user) -> pl.DataFrame:
    pick = (resp["happiness"].to_numpy() >= 9) & resp["comment"].is_not_null().to_numpy() \
        & (rng.random(resp.height) < 0.12)
    t = team[pick]
    given = resp["submitted_at"].to_numpy()[pick].astype("datetime64[s]") + np.timedelta64(2, "D")
    return pl.DataFrame({
        "ticket_key": resp["ticket_key"].to_numpy()[pick],
        "analyst_id": analyst[pick].astype(np.int32), "team_id": t.astype(np.int32),
        "given_by": np.array([lead_user[int(x)] for x in t]),
        "given_at": _ts(given),
        "note": pl.Series(["Lovely feedback, well done!" if x < 0.5 else None
                           for x in rng.random(pick.sum())], dtype=pl.String),
    }).with_row_index("kudos_id", offset=1).with_columns(pl.col("kudos_id").cast(pl.Int64))


def _self_assessments(rng, analysts: pl.DataFrame, dim_skill, overall, slope, end: dt.date,
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


def _notes(rng, analysts: pl.DataFrame, lead_user, end: dt.date) -> pl.DataFrame:
    rows = []
    nid = 0
    for analyst_id, team_id in analysts.select("analyst_id", "team_id").iter_rows():
        for _ in range(int(rng.integers(1, 5))):
            nid += 1
            back = int(rng.integers(3, 330))
            follow = end + dt.timedelta(days=int(rng.integers(3, 30))) if back < 40 and rng.random() < 0.6 else None
            rows.append(dict(note_id=nid, analyst_id=analyst_id, author_user_id=lead_user[team_id],
                             created_at=dt.datetime.combine(end - dt.timedelta(days=back), dt.time(10, 30)),
                             body=NOTE_TEXTS[int(rng.integers(len(NOTE_TEXTS)))],
                             follow_up_on=follow, shared_with_analyst=bool(rng.random() < 0.5),
                             version=1))
    return pl.DataFrame(rows, schema={"note_id": pl.Int64, "analyst_id": pl.Int32,
                                      "author_user_id": pl.Int64, "created_at": pl.Datetime("us"),
                                      "body": pl.String, "follow_up_on": pl.Date,
                                      "shared_with_analyst": pl.Boolean, "version": pl.Int64})


def _reset_sequences(conn: sa.Connection) -> None:
    """Move id sequences past the ids the generator wrote itself."""
    targets = [(schema.self_assessments, "assessment_id"), (schema.coaching_notes, "note_id"),
               (schema.recovery_actions, "action_id"), (schema.kudos, "kudos_id"),
               (schema.app_users, "user_id"), (schema.survey_invitations, "invitation_id")]
    name = conn.dialect.name
    for table, col in targets:
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c[col]), 0))).scalar_one()
        seq = f"{table.name}_{col}_seq"
        if name == "postgresql":
            conn.execute(sa.text("SELECT setval(:s, :v)"), {"s": seq, "v": max(top, 1)})
        elif name == "duckdb":
            # DuckDB cannot alter a sequence's position: draw from it until it is past the top.
            current = 0
            while current <= top:
                current = conn.execute(sa.text(f"SELECT nextval('{seq}')")).scalar_one()
                if top - current > 1000:
                    conn.execute(sa.text(f"SELECT max(nextval('{seq}')) FROM range({top - current})"))
