"""The organisation: teams, analysts, services, the sign-in accounts, and the calendar's weights."""

from __future__ import annotations

import datetime as dt
import unicodedata

import bcrypt
import numpy as np
import polars as pl

from data_access.demo.constants import DEMO_PASSWORD, FIRST, LAST, SERVICES, TEAM_NAMES, TEAM_SIZES


def ts(values: np.ndarray) -> pl.Series:
    """numpy datetimes (any unit) → a polars microsecond datetime series."""
    return pl.Series(np.asarray(values).astype("datetime64[us]"))


def ascii_slug(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in norm.lower() if ch.isalnum() or ch == ".")


def org(rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
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
        "email": [f"{ascii_slug(n.replace(' ', '.'))}@example.com" for n in names],
        "team_id": team_of.tolist(),
        "tier": tiers.tolist(),
        "hire_date": hire,
        "active": active.tolist(),
    })
    services = pl.DataFrame({"service_id": list(range(1, len(SERVICES) + 1)),
                             "name": [s[0] for s in SERVICES]})
    return teams, analysts, services


def day_weights(start: dt.date, days: int) -> np.ndarray:
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



def users(analysts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
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
        username = ascii_slug(name.replace(" ", "."))
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
