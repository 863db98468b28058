"""The analyst's private self-view: where they sit in their team's spread, and self vs customers.

Pure polars. Inputs carry an ``is_own`` flag instead of analyst ids, so nothing here (or in
what it returns) can name a colleague: only quantiles, the analyst's own values and their
percentiles leave these functions.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from metrics.care import CARE_NAMES
from metrics.gaps import percentile_ranks, perception_gaps
from metrics.happiness import with_happiness
from metrics.periods import months_back
from metrics.shrinkage import shrink_means
from metrics.team_band import Spread, band, colleague_count, team_spread, whole  # noqa: F401 (the self-view's names)

COMPETENCY_NAMES: tuple[str, ...] = (
    "facilitation", "adaptability", "teamwork", "problem_solving", "client_management",
    "self_management",
)
SELF_DIMENSIONS: tuple[str, ...] = CARE_NAMES + COMPETENCY_NAMES

LABELS: dict[str, str] = {
    "communication": "Communication", "application": "Application", "resolution": "Resolution",
    "expectation": "Expectation", "facilitation": "Facilitation", "adaptability": "Adaptability",
    "teamwork": "Teamwork", "problem_solving": "Problem solving",
    "client_management": "Client management", "self_management": "Self-management",
}

# One line per level 1..5: what that rating looks like in day-to-day work (shown in the form).
LEVELS: dict[str, tuple[str, str, str, str, str]] = {
    "communication": (
        "Users rarely hear from me between logging and closing.",
        "I update users when they chase me.",
        "I update users at the main steps.",
        "Users know where things stand without having to ask.",
        "Users are informed before they need to ask, in words they understand.",
    ),
    "application": (
        "I handle the ticket, but ownership often slips.",
        "I am polite and act when asked.",
        "I am courteous and follow my tickets through.",
        "I take ownership and often act before the user asks.",
        "I own every ticket end to end and anticipate what the user will need.",
    ),
    "resolution": (
        "Tickets often come back or close without a real fix.",
        "I fix the symptom; the cause sometimes stays.",
        "Most issues are properly fixed the first time.",
        "I fix the cause and check the user can work again.",
        "Issues stay fixed, and users feel I cared about the outcome.",
    ),
    "expectation": (
        "I rarely say what will happen or when.",
        "I give timings, but they are often missed.",
        "I give realistic timings and mostly keep them.",
        "I set honest expectations and warn early when they change.",
        "What I promise happens, and users are never surprised.",
    ),
    "facilitation": (
        "Users often have to repeat themselves to me.",
        "I gather details, but sometimes ask twice.",
        "I read the history first and ask only what is missing.",
        "I guide users to a solution with few, clear questions.",
        "Users never repeat themselves; I make the path easy for them.",
    ),
    "adaptability": (
        "I am at ease with one kind of ticket or channel only.",
        "I manage other channels and ticket types with some effort.",
        "I serve well across the usual channels and ticket types.",
        "I adjust my approach to each user and channel with ease.",
        "I serve any user, channel or kind of ticket equally well.",
    ),
    "teamwork": (
        "My handovers often leave gaps for the user.",
        "I hand over when asked, with the basic facts.",
        "My handovers are complete and timely.",
        "Colleagues can pick up my work without asking me anything.",
        "The user never feels the seams between me and my colleagues.",
    ),
    "problem_solving": (
        "I often need help to find what is wrong.",
        "I solve familiar issues; new ones slow me down.",
        "I find and fix most causes on my own.",
        "I find root causes quickly, also in unfamiliar issues.",
        "I solve hard issues for good and share what I learned.",
    ),
    "client_management": (
        "I rarely manage the user's expectations.",
        "I keep users informed when reminded.",
        "I keep users informed and set reasonable expectations.",
        "Users trust my updates and my timings.",
        "I manage every user relationship proactively, even difficult ones.",
    ),
    "self_management": (
        "My work often runs late or gets forgotten.",
        "I keep most promises when things are calm.",
        "I plan my work and meet most targets.",
        "I meet my promises and targets, also on busy days.",
        "I plan ahead so that promises and targets are always kept.",
    ),
}

# Kind, neutral explanations of the gap labels and one suggested action each (never judgmental).
GAP_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "blind spot": (
        "You rate yourself noticeably higher here than your customers do. That is very common: "
        "we see our intentions, customers see what reached them.",
        "Pick two recent responses on this dimension and ask what the customer experienced at "
        "each step; try one small change for a month and watch this gap.",
    ),
    "hidden strength": (
        "Your customers rate you noticeably higher here than you rate yourself. You are doing "
        "better than you think.",
        "Notice what you already do well here and share it with a colleague — it is a strength "
        "worth owning.",
    ),
    "aligned": (
        "Your view and your customers' view are close. A reliable self-view is a strength in "
        "itself.",
        "Keep checking in each quarter so it stays that way.",
    ),
}


def analyst_happiness(per_analyst: pl.DataFrame, *, min_responses: int) -> pl.DataFrame:
    """``is_own`` + ``value`` = Happiness of each analyst with at least ``min_responses``."""
    frame = with_happiness(per_analyst)
    return frame.select(
        "is_own",
        pl.when(pl.col("n") >= min_responses).then(pl.col("happiness")).alias("value"),
    )


def analyst_lost_minutes(per_analyst: pl.DataFrame, *, min_responses: int) -> pl.DataFrame:
    """``is_own`` + ``value`` = mean lost minutes of each analyst with enough answers."""
    return per_analyst.select(
        "is_own",
        pl.when(pl.col("lost_n") >= min_responses)
        .then(pl.col("lost_sum") / pl.col("lost_n")).alias("value"),
    )


TEAM_MEAN_DIGITS = 1
"""The team's CARE mean on My feedback: one decimal (shown with one; exact sums stay in the data layer)."""
SHRUNK_DIGITS = 2
"""The analyst's shrunk CARE mean: two decimals, as shown (it holds the team's mean and spread)."""


def customer_care(per_analyst: pl.DataFrame, *, min_responses: int, min_colleagues: int) -> pl.DataFrame:
    """Per CARE dimension: the analyst's raw and shrunk customer mean, the team mean, percentile.

    ``per_analyst``: one row per team member with ``is_own`` and ``<dim>_n/_sum/_sumsq``. Each
    analyst's mean is shrunk toward the team (normal-normal, pooled within-analyst variance).
    Columns: dimension, n, customer_raw, customer_mean (shrunk), team_mean, own_percentile
    (rank by shrunk mean among colleagues with at least ``min_responses`` answers; null when
    fewer than ``min_colleagues`` colleagues qualify or the analyst is below the minimum), qualified.
    The team mean is null unless at least ``min_colleagues`` colleagues have answers: with fewer,
    it and the analyst's own mean give away a colleague's figure; for the same reason the mean is
    then not shrunk (customer_mean = customer_raw). Team and shrunk means leave rounded.
    """
    rows = []
    for dim in CARE_NAMES:
        n_col, s_col, q_col = f"{dim}_n", f"{dim}_sum", f"{dim}_sumsq"
        frame = per_analyst.select(
            "is_own",
            pl.col(n_col).cast(pl.Float64).alias("n"),
            (pl.col(s_col) / pl.col(n_col)).alias("mean"),
            ((pl.col(q_col) - pl.col(s_col) ** 2 / pl.col(n_col)) / (pl.col(n_col) - 1))
            .clip(lower_bound=0.0).alias("var"),
        ).with_columns(
            pl.when(pl.col("n") > 0).then(pl.col("mean")).alias("mean"),
            pl.when(pl.col("n") > 1).then(pl.col("var")).alias("var"),
        )
        observed = frame.filter(pl.col("n") > 0)
        enough = bool(observed.height) and colleague_count(observed) >= min_colleagues
        # Shrinking toward the team uses the colleagues' means and spread: with fewer than
        # `min_colleagues` of them the shrunk mean, next to the analyst's own answers, gives one
        # colleague's mean away (an attack review recovered it exactly). Below that: the raw mean.
        frame = (shrink_means(frame, mean="mean", n="n", var="var", out="shrunk") if enough
                 else frame.with_columns(pl.col("mean").alias("shrunk")))
        # Rounded before it leaves: two periods' exact team means subtract to the few answers between them.
        team_mean = (round(float((observed["mean"] * observed["n"]).sum() / observed["n"].sum()), TEAM_MEAN_DIGITS)
                     if enough else None)
        own = frame.filter(pl.col("is_own"))
        own_n = int(own["n"][0]) if own.height else 0
        qualified = frame.filter(pl.col("n") >= min_responses)
        percentile = None
        if colleague_count(qualified) >= min_colleagues and own_n >= min_responses:
            ranks = percentile_ranks(qualified["shrunk"])
            own_idx = qualified["is_own"].to_list().index(True)
            percentile = float(ranks[own_idx])
        rows.append(dict(
            dimension=dim, n=own_n,
            customer_raw=float(own["mean"][0]) if own_n else None,
            # The raw mean is the analyst's own; the shrunk one also holds the team's, so it is rounded.
            customer_mean=(round(float(own["shrunk"][0]), SHRUNK_DIGITS) if enough else float(own["mean"][0]))
            if own_n else None,
            team_mean=team_mean, own_percentile=percentile, qualified=qualified.height,
        ))
    return pl.DataFrame(rows, schema={"dimension": pl.String, "n": pl.Int64,
                                      "customer_raw": pl.Float64, "customer_mean": pl.Float64,
                                      "team_mean": pl.Float64, "own_percentile": pl.Float64,
                                      "qualified": pl.Int64})


def self_vs_customers(self_ratings: dict[str, int], customers: pl.DataFrame) -> pl.DataFrame:
    """Join the latest self-ratings to the customer view and label each CARE gap.

    Columns of ``customers`` (from :func:`customer_care`) plus self_rating, gap and label.
    """
    mine = pl.DataFrame({"dimension": list(CARE_NAMES),
                         "self_rating": [self_ratings.get(d) for d in CARE_NAMES]},
                        schema={"dimension": pl.String, "self_rating": pl.Float64})
    return perception_gaps(customers.join(mine, on="dimension", how="left"))


def self_rank_percentiles(latest: pl.DataFrame, *, min_colleagues: int) -> pl.DataFrame:
    """The analyst's percentile in the team by self-rating, per CARE dimension.

    ``latest``: one row per team member's latest self-assessment and dimension, with
    ``is_own``, ``dimension``, ``rating``. Null where fewer than ``min_colleagues`` colleagues
    (the analyst not counted) have a self-assessment or the analyst has none.
    """
    rows = []
    for dim in CARE_NAMES:
        part = latest.filter(pl.col("dimension") == dim)
        percentile = None
        if colleague_count(part) >= min_colleagues and part["is_own"].any():
            ranks = percentile_ranks(part["rating"].cast(pl.Float64))
            percentile = float(ranks[part["is_own"].to_list().index(True)])
        rows.append(dict(dimension=dim, self_percentile=percentile, assessed=part.height))
    return pl.DataFrame(rows, schema={"dimension": pl.String, "self_percentile": pl.Float64,
                                      "assessed": pl.Int64})


def month_add(month: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` after (or before) ``month`` (`metrics.periods` counts)."""
    return months_back(month, -months)


BAND_COLUMNS = ("band_low", "band_mid", "band_high")


def trend_with_band(monthly: pl.DataFrame, *, min_responses: int, min_colleagues: int) -> pl.DataFrame:
    """Per month: the analyst's Happiness (± margin) and the team's middle-half band.

    ``monthly``: one row per (team member, month) with ``is_own``, ``month``, n, happy, unhappy.
    Own figures are null in months under ``min_responses``; the band (band_low = 25th,
    band_mid = median, band_high = 75th percentile of qualified colleagues' Happiness, `band`:
    smoothed, whole points, the analyst not among them) is null in months with fewer than
    ``min_colleagues`` qualified colleagues. Nothing else about colleagues is returned, not even
    their number.
    """
    frame = with_happiness(monthly)
    colleagues = frame.filter((pl.col("n") >= min_responses) & ~pl.col("is_own"))
    rows = [(month, *(band(part["happiness"].to_list()) if part.height >= min_colleagues else (None,) * 3))
            for (month,), part in colleagues.partition_by("month", as_dict=True).items()]
    bands = pl.DataFrame(rows, schema={"month": frame.schema["month"], **{c: pl.Float64 for c in BAND_COLUMNS}},
                         orient="row")
    own = frame.filter(pl.col("is_own")).select(
        "month", pl.col("n").alias("own_n"),
        *[pl.when(pl.col("n") >= min_responses).then(pl.col(c)).alias(f"own_{c}")
          for c in ("happiness", "margin", "happiness_low", "happiness_high")])
    months = frame.select("month").unique()
    return (months.join(own, on="month", how="left").join(bands, on="month", how="left")
            .with_columns(pl.col("own_n").fill_null(0))
            .sort("month"))


def gap_history(assessments: pl.DataFrame, monthly: pl.DataFrame, *, window_months: int = 3,
                min_responses: int, min_colleagues: int) -> pl.DataFrame:
    """The CARE gaps at the time of each self-assessment, oldest first.

    ``assessments``: assessment_id, submitted_at, dimension, rating (long form).
    ``monthly``: per (team member, month) rows with ``is_own``, ``month`` and CARE sums. The
    customer view for an assessment is the ``window_months`` calendar months up to and including
    the month it was submitted in, shrunk toward the team as in :func:`customer_care`.
    Columns: assessment_id, submitted_at, dimension, self_rating, customer_mean, n, gap, label.
    """
    out = []
    care = assessments.filter(pl.col("dimension").is_in(CARE_NAMES))
    if care.is_empty():
        return _empty_gap_history()
    for part in care.partition_by("assessment_id", maintain_order=True):
        when = part["submitted_at"][0]
        last = dt.date(when.year, when.month, 1)
        first = month_add(last, -(window_months - 1))
        window = monthly.filter((pl.col("month") >= first) & (pl.col("month") <= last))
        sums = [pl.col(f"{d}_{s}").sum() for d in CARE_NAMES for s in ("n", "sum", "sumsq")]
        per_analyst = (window.group_by("member").agg(pl.col("is_own").first(), *sums)
                       if window.height else None)
        ratings = dict(zip(part["dimension"].to_list(), part["rating"].to_list()))
        if per_analyst is None or not per_analyst["is_own"].any():
            customers = pl.DataFrame({"dimension": list(CARE_NAMES)}).with_columns(
                n=pl.lit(0, pl.Int64), customer_mean=pl.lit(None, pl.Float64))
        else:
            customers = customer_care(per_analyst, min_responses=min_responses,
                                      min_colleagues=min_colleagues).select("dimension", "n", "customer_mean")
        customers = customers.with_columns(
            pl.when(pl.col("n") >= min_responses).then(pl.col("customer_mean")).alias("customer_mean"))
        labelled = self_vs_customers(ratings, customers)
        out.append(labelled.select(
            pl.lit(int(part["assessment_id"][0]), pl.Int64).alias("assessment_id"),
            pl.lit(when, pl.Datetime("us")).alias("submitted_at"),
            "dimension", "self_rating", "customer_mean", "n", "gap", "label"))
    return pl.concat(out)


def _empty_gap_history() -> pl.DataFrame:
    return pl.DataFrame(schema={"assessment_id": pl.Int64, "submitted_at": pl.Datetime("us"),
                                "dimension": pl.String, "self_rating": pl.Float64,
                                "customer_mean": pl.Float64, "n": pl.Int64, "gap": pl.Float64,
                                "label": pl.String})


COMPETENCY_EVIDENCE: dict[str, str] = {
    "facilitation": "Responses saying they had to re-explain (lower is better)",
    "adaptability": "Spread of Happiness across your channels and ticket types (smaller is better)",
    "teamwork": "Happiness on your tickets that were reassigned",
    "problem_solving": "Customers' rating of resolution",
    "client_management": "Customers' ratings of communication and expectation",
    "self_management": "Customers' rating of expectation, and tickets within SLA",
}


def competency_evidence(own: pl.DataFrame, by_reassign: pl.DataFrame, slices: pl.DataFrame, *,
                        re_explain: int, sla_met: int, tickets: int, min_responses: int) -> pl.DataFrame:
    """One row per competency: the customer evidence that relates to it, as a short text.

    ``own``: one row of the analyst's sufficient statistics; ``by_reassign``: the same by
    reassignment_count; ``slices``: one row per channel and per ticket type. Evidence below
    ``min_responses`` answers is left empty rather than shown on too little data.
    """
    row = own.row(0, named=True) if own.height else {}
    n = int(row.get("n") or 0)

    def mean(dim: str) -> tuple[float | None, int]:
        count = int(row.get(f"{dim}_n") or 0)
        return (float(row[f"{dim}_sum"]) / count if count >= min_responses else None), count

    rows: list[tuple[str, str | None, int]] = []
    share = re_explain / n if n >= min_responses else None
    rows.append(("facilitation", None if share is None else f"{100 * share:.0f}% of responses", n))
    scored = with_happiness(slices).filter(pl.col("n") >= min_responses)
    spread = (float(scored["happiness"].max() - scored["happiness"].min())
              if scored.height >= 2 else None)
    rows.append(("adaptability", None if spread is None else f"{spread:.0f} Happiness points apart", n))
    moved = by_reassign.filter(pl.col("reassignment_count") >= 1)
    moved_n = int(moved["n"].sum()) if moved.height else 0
    if moved_n >= min_responses:
        value = 100.0 * (int(moved["happy"].sum()) - int(moved["unhappy"].sum())) / moved_n
        rows.append(("teamwork", f"Happiness {value:+.0f}", moved_n))
    else:
        rows.append(("teamwork", None, moved_n))
    resolution, res_n = mean("resolution")
    rows.append(("problem_solving", None if resolution is None else f"{resolution:.2f} of 5", res_n))
    comm, comm_n = mean("communication")
    expect, exp_n = mean("expectation")
    both = None if comm is None or expect is None else f"{comm:.2f} and {expect:.2f} of 5"
    rows.append(("client_management", both, min(comm_n, exp_n)))
    sla = f"{100 * sla_met / tickets:.0f}% within SLA" if tickets else None
    self_text = None if expect is None else f"{expect:.2f} of 5" + (f" · {sla}" if sla else "")
    rows.append(("self_management", self_text, exp_n))
    return pl.DataFrame(
        [{"competency": c, "evidence": COMPETENCY_EVIDENCE[c], "value": v, "n": k} for c, v, k in rows],
        schema={"competency": pl.String, "evidence": pl.String, "value": pl.String, "n": pl.Int64})
