"""Coaching helpers: the fair per-analyst overview, attention signals and data-driven talking points."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from metrics.care import CARE_NAMES
from metrics.gaps import perception_gaps, percentile_ranks
from metrics.happiness import UNHAPPY_MAX, with_happiness
from metrics.shrinkage import shrink_happiness, shrink_means

RUN_LENGTH = 3
"""A 'run of unhappy ratings' is this many most recent responses all scoring 0–6."""

_STAT_KEYS = ["n", "happy", "unhappy", *[f"{d}_{s}" for d in CARE_NAMES for s in ("n", "sum", "sumsq")],
              "lost_n", "lost_sum"]


def _typed(stats: pl.DataFrame) -> pl.DataFrame:
    """Statistics with numeric dtypes even when the query returned no rows (all-null columns)."""
    return stats.with_columns(
        pl.col("analyst_id").cast(pl.Int64),
        *[pl.col(c).cast(pl.Float64 if c.endswith(("_sum", "_sumsq")) else pl.Int64)
          for c in stats.columns if c in _STAT_KEYS or c.endswith(("_sum", "_sumsq"))])


def _zero_stats(frame: pl.DataFrame) -> pl.DataFrame:
    present = [c for c in _STAT_KEYS if c in frame.columns]
    return frame.with_columns(pl.col(c).fill_null(0) for c in present)


def with_shrunk_care(frame: pl.DataFrame, *, group_by: str | None = None) -> pl.DataFrame:
    """Add ``<dim>_mean`` and ``<dim>_shrunk`` (normal-normal shrinkage toward the group) per CARE dimension."""
    for dim in CARE_NAMES:
        count = pl.col(f"{dim}_n").cast(pl.Float64)
        total = pl.col(f"{dim}_sum").cast(pl.Float64)
        frame = frame.with_columns(
            pl.when(count > 0).then(total / count).alias(f"{dim}_mean"),
            pl.when(count > 1).then(((pl.col(f"{dim}_sumsq") - total * total / count) / (count - 1.0))
                                    .clip(lower_bound=0.0)).alias(f"{dim}_var"))
        if frame.is_empty():
            frame = frame.drop(f"{dim}_var").with_columns(pl.lit(None, pl.Float64).alias(f"{dim}_shrunk"))
            continue
        frame = shrink_means(frame, mean=f"{dim}_mean", n=f"{dim}_n", var=f"{dim}_var", out=f"{dim}_shrunk",
                             by=[group_by] if group_by else []).drop(f"{dim}_var")
    return frame


def team_overview(roster: pl.DataFrame, current: pl.DataFrame, previous: pl.DataFrame,
                  activity: pl.DataFrame, *, min_responses: int) -> pl.DataFrame:
    """One row per analyst of the roster: raw and shrunk Happiness, change, CARE, lost time, signals.

    roster: analyst_id, name, team_id (+ team_name). current/previous: `response_stats` rows by
    analyst_id for the 90-day window and the one before. activity: analyst_id, open_recovery,
    overdue_recovery, last_kudos, last_note, recent_unhappy_run. Happiness is shrunk toward each
    analyst's team (empirical Bayes); analysts below `min_responses` keep their n but no figures.
    Sorted alphabetically by name, never by score.
    """
    current, previous = _typed(current), _typed(previous)
    activity = activity.with_columns(pl.col("analyst_id").cast(pl.Int64))
    roster = roster.with_columns(pl.col("analyst_id").cast(pl.Int64))
    stats = [c for c in _STAT_KEYS if c in current.columns]
    frame = roster.join(current.select("analyst_id", *stats), on="analyst_id", how="left")
    frame = _zero_stats(frame)
    prev = previous.select("analyst_id", pl.col("n").alias("previous_n"),
                           pl.col("happy").alias("previous_happy"),
                           pl.col("unhappy").alias("previous_unhappy"))
    frame = frame.join(prev, on="analyst_id", how="left").with_columns(
        pl.col("previous_n", "previous_happy", "previous_unhappy").fill_null(0))
    frame = with_happiness(frame)
    frame = with_happiness(frame, prefix="previous_")
    frame = shrink_happiness(frame, group_by=["team_id"])
    frame = with_shrunk_care(frame, group_by="team_id")
    enough = pl.col("n") >= min_responses
    prev_enough = pl.col("previous_n") >= min_responses
    change = pl.col("happiness") - pl.col("previous_happiness")
    change_margin = (pl.col("margin") ** 2 + pl.col("previous_margin") ** 2).sqrt()
    frame = frame.with_columns(
        enough.alias("enough"),
        pl.when(enough & prev_enough).then(change).alias("change"),
        pl.when(enough & prev_enough).then(change_margin).alias("change_margin"),
        # A person's figure from `min_responses` answers, each figure on its own count: a CARE mean
        # or lost time from fewer ratings would be one or two customers' answers.
        pl.when(pl.col("lost_n") >= min_responses).then(pl.col("lost_sum") / pl.col("lost_n")).alias("lost_mean"),
        *[pl.when(pl.col(f"{d}_n") >= min_responses).then(pl.col(f"{d}_mean")).alias(f"{d}_mean") for d in CARE_NAMES],
    )
    act = activity.select("analyst_id", "open_recovery", "overdue_recovery", "last_kudos",
                          "last_note", "recent_unhappy_run")
    frame = frame.join(act, on="analyst_id", how="left").with_columns(
        pl.col("open_recovery", "overdue_recovery").fill_null(0),
        pl.col("recent_unhappy_run").fill_null(False))
    # One row per analyst of a team: plain Python over the few rows, never a callback in polars.
    signals = [attention_signal(**r) for r in
               frame.select("change", "change_margin", "recent_unhappy_run", "overdue_recovery").to_dicts()]
    frame = frame.with_columns(pl.Series("signal", signals, dtype=pl.String))
    return sort_by_name(frame)


def sort_by_name(frame: pl.DataFrame, column: str = "name") -> pl.DataFrame:
    """The rows in `name_key` order of `column` (a roster: a few dozen rows, keyed in plain Python);
    names with the same key ("Asa", "Åsa") by the names themselves, whatever order the rows came in."""
    keys = pl.Series("__name_key", [name_key(v) for v in frame[column].to_list()], dtype=pl.String)
    return frame.with_columns(keys).sort("__name_key", column, maintain_order=True).drop("__name_key")


def name_key(name: str) -> str:
    """Alphabetical key that files 'Åsa' with the A's and 'Søren' with the S's (accents ignored)."""
    folded = str(name).casefold().replace("ø", "o").replace("ł", "l").replace("æ", "ae").replace("ß", "ss")
    return "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))


def attention_signal(change: float | None, change_margin: float | None,
                     recent_unhappy_run: bool, overdue_recovery: int) -> str:
    """What needs the lead's attention for one analyst, as a short phrase ('' when nothing)."""
    parts = []
    if change is not None and change_margin is not None and change < 0 and -change > change_margin:
        parts.append(f"Clear decline ({change:+.0f} ± {change_margin:.0f})")
    if recent_unhappy_run:
        parts.append(f"Last {RUN_LENGTH} ratings unhappy")
    if overdue_recovery:
        parts.append(f"{overdue_recovery} overdue recover{'y' if overdue_recovery == 1 else 'ies'}")
    return " · ".join(parts)


def unhappy_runs(last_scores: pl.DataFrame) -> pl.DataFrame:
    """analyst_id → recent_unhappy_run: their RUN_LENGTH most recent responses all scored 0–6.

    `last_scores` holds analyst_id, happiness and rank (1 = newest) for each analyst's newest
    responses; an analyst with fewer than RUN_LENGTH responses has no run.
    """
    recent = last_scores.filter(pl.col("rank") <= RUN_LENGTH)
    return (recent.group_by("analyst_id")
            .agg(((pl.len() == RUN_LENGTH) & (pl.col("happiness") <= UNHAPPY_MAX).all())
                 .alias("recent_unhappy_run")))


@dataclass(frozen=True)
class TalkingPoint:
    """One data-driven talking point for a 1:1, with the responses that back it."""

    kind: str  # "recognition" | "coaching"
    headline: str
    count: int
    factor: str | None = None
    factor_id: int | None = None
    quotes: tuple[str, ...] = ()
    ticket_ids: tuple[str, ...] = field(default_factory=tuple)


def _people(count: int) -> str:
    return f"{count} customer{'s' if count != 1 else ''}"


def talking_points(factor_counts: pl.DataFrame, evidence: pl.DataFrame, *, period_label: str,
                   max_quotes: int = 3) -> list[TalkingPoint]:
    """The strongest recognition item and the most frequent coaching theme for one analyst.

    factor_counts: the factor catalogue (factor_id, label, polarity; other columns ignored).
    evidence: ticket_id, happiness, comment, factor_id for the analyst's responses naming a factor
    that fits its polarity — positive factors on 9–10 responses, negative ones on 0–6 — one row per
    response and factor, newest first. A point counts those responses, so its number, its quotes and
    its linked evidence always agree.
    """
    per_factor = (evidence.group_by("factor_id").agg(pl.col("ticket_id").n_unique().alias("evidence_count"))
                  .join(factor_counts.select("factor_id", "label", "polarity"), on="factor_id", how="inner"))
    points: list[TalkingPoint] = []
    for polarity, kind in (("positive", "recognition"), ("negative", "coaching")):
        ranked = (per_factor.filter(pl.col("polarity") == polarity)
                  .sort(["evidence_count", "factor_id"], descending=[True, False]))
        if ranked.is_empty():
            continue
        top = ranked.row(0, named=True)
        rows = evidence.filter(pl.col("factor_id") == top["factor_id"])
        quotes = tuple(rows.filter(pl.col("comment").is_not_null()
                                   & (pl.col("comment").str.strip_chars() != ""))["comment"]
                       .head(max_quotes).to_list())
        label = str(top["label"]).lower()
        count = int(top["evidence_count"])
        if kind == "recognition":
            headline = f"{_people(count)} praised {label} {period_label}"
        else:
            headline = f"{_people(count)} said: {label} ({period_label})"
        points.append(TalkingPoint(kind=kind, headline=headline, count=count, factor=str(top["label"]),
                                   factor_id=int(top["factor_id"]), quotes=quotes,
                                   ticket_ids=tuple(dict.fromkeys(rows["ticket_id"].to_list()))))
    return points


def care_gaps(self_ratings: dict[str, int], customer: dict[str, float | None]) -> pl.DataFrame:
    """Self-rating vs the customers' (shrunk) mean per dimension, with neutral gap labels.

    Competencies map to customer evidence as docs/METRICS.md describes where a 1–5 figure exists:
    client management ↔ mean of communication and expectation, problem solving ↔ resolution,
    self-management ↔ expectation. Dimensions without a comparable customer figure keep a null gap.
    """
    proxies = {
        "client_management": ("communication", "expectation"),
        "problem_solving": ("resolution",),
        "self_management": ("expectation",),
    }
    rows = []
    for dim, rating in self_ratings.items():
        if dim in customer:
            value = customer[dim]
        elif dim in proxies:
            parts = [customer.get(p) for p in proxies[dim]]
            value = sum(parts) / len(parts) if all(v is not None for v in parts) else None
        else:
            value = None
        rows.append({"dimension": dim, "self_rating": float(rating), "customer_mean": value})
    frame = pl.DataFrame(rows, schema={"dimension": pl.String, "self_rating": pl.Float64,
                                       "customer_mean": pl.Float64})
    return perception_gaps(frame)


def customer_percentiles(team: pl.DataFrame, analyst_id: int, *, min_responses: int) -> dict[str, float]:
    """CARE dimension → the analyst's percentile (0–100) on shrunk customer means among team members
    with at least `min_responses` responses; empty when the analyst is below it or alone."""
    eligible = team.filter(pl.col("n") >= min_responses)
    if eligible.height < 2 or analyst_id not in eligible["analyst_id"].to_list():
        return {}
    out = {}
    for dim in CARE_NAMES:
        ranked = eligible.filter(pl.col(f"{dim}_shrunk").is_not_null())
        if ranked.height < 2 or analyst_id not in ranked["analyst_id"].to_list():
            continue
        ranks = percentile_ranks(ranked[f"{dim}_shrunk"])
        out[dim] = float(ranks[ranked["analyst_id"].to_list().index(analyst_id)])
    return out


def ordered_by_shrunk(frame: pl.DataFrame, columns: Sequence[str] = ("happiness_shrunk",)) -> pl.DataFrame:
    """Rows in order of shrunk Happiness (for comparisons the lead asks for; never the default view)."""
    return frame.sort(list(columns), descending=True, nulls_last=True)
