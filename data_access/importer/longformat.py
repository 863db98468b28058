"""Long-format survey files: one row per answer to one question (ServiceNow's Assessment Metric
Result, or the generic `response_id, ticket_id, question, value, submitted_at` template).

Detect the shape from the header, suggest a field for each question from keywords, and pivot
the answers into one row per response instance — all in vectorised polars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from data_access.importer.fields import RESPONSE_FIELDS
from data_access.importer.reader import LINE, RawBatch

ROLES = ("instance", "ticket_id", "question", "value", "text_value", "submitted_at")
REQUIRED_ROLES = ("instance", "ticket_id", "question", "value", "submitted_at")
ANSWER_FIELDS = tuple(f.name for f in RESPONSE_FIELDS if f.name not in ("ticket_id", "submitted_at"))
TEXT_FIELDS = ("comment", "factors")
# Keywords in a question's text that point to a field (matched on lower-case words).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "happiness": (r"0\s*-\s*10", r"0 to 10", r"\bhappy\b", r"\bhappiness\b", r"\boverall\b", r"\blikely\b"),
    "communication": (r"\binformed\b", r"\bcommunicat", r"\bkept .*updated\b"),
    "application": (r"\bcourteous", r"\bcourtesy\b", r"\bownership\b", r"\battitude\b"),
    "resolution": (r"\bresolved\b", r"\bfixed\b", r"\bsolved\b"),
    "expectation": (r"\bexpect", r"\brealistic\b"),
    "lost_minutes": (r"\bminutes\b", r"\btime lost\b", r"\blost time\b", r"\bwork time\b"),
    "factors": (r"\bmattered\b", r"\bfactors?\b"),
    "comment": (r"\bcomments?\b", r"\banything else\b", r"\bin your own words\b"),
}


@dataclass
class LongLayout:
    """How a long file is read: its role columns, the question → field choices and what was seen."""

    columns: dict[str, str]                                    # role → header
    questions: dict[str, str] = field(default_factory=dict)    # question text → field
    seen: dict[str, int] = field(default_factory=dict)         # question text → answers in the file
    suggested: dict[str, str] = field(default_factory=dict)    # the subset applied from keywords
    unanswered: tuple[str, ...] = ()                           # values that mean "no answer" (e.g. -1)


class AmbiguousQuestions(ValueError):
    """Questions could not be mapped to fields without a person's choice."""


def detect_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str] | None:
    """Role → header when the header has every required long-format role, else None."""
    by_key = {re.sub(r"[^0-9a-z]+", "", h.casefold()): h for h in header}
    found: dict[str, str] = {}
    for role in ROLES:
        for alias in aliases.get(role, ()):
            hit = by_key.get(re.sub(r"[^0-9a-z]+", "", alias.casefold()))
            if hit is not None and hit not in found.values():
                found[role] = hit
                break
    return found if all(r in found for r in REQUIRED_ROLES) else None


def question_stats(batches, columns: dict[str, str]) -> pl.DataFrame:
    """Per question: answers, numeric answers, largest number (to tell free text from ratings)."""
    q, v = columns["question"], columns["value"]
    t = columns.get("text_value")
    parts = []
    for batch in batches:
        frame = batch.frame
        text = pl.col(t) if t else pl.lit(None, pl.String)
        answer = pl.coalesce(_blank_null(pl.col(v)), _blank_null(text))
        num = pl.col(v).str.strip_chars().cast(pl.Float64, strict=False)
        parts.append(frame.select(pl.col(q).str.strip_chars().alias("question"), answer.alias("a"), num.alias("n"))
                     .group_by("question").agg(pl.col("a").count().alias("answers"),
                                               pl.col("n").count().alias("numeric"),
                                               pl.col("n").max().alias("top")))
    if not parts:
        return pl.DataFrame(schema={"question": pl.String, "answers": pl.UInt32, "numeric": pl.UInt32,
                                    "top": pl.Float64})
    return (pl.concat(parts).group_by("question")
            .agg(pl.col("answers").sum(), pl.col("numeric").sum(), pl.col("top").max())
            .filter(pl.col("question").is_not_null() & (pl.col("question") != "")).sort("question"))


def _blank_null(expr: pl.Expr) -> pl.Expr:
    text = expr.str.strip_chars()
    return pl.when(text != "").then(text)


def keyword_fields(question: str) -> list[str]:
    """Fields whose keywords appear in a question's text."""
    text = " ".join(question.casefold().split())
    return [f for f, pats in KEYWORDS.items() if any(re.search(p, text) for p in pats)]


def suggest(stats: pl.DataFrame, chosen: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(question → field suggestions that are unambiguous, sentences about what is ambiguous).

    `chosen` (question → field, from the user) wins; a suggestion is applied only when the
    question matches exactly one free field and no other open question matches that field.
    """
    taken = set(chosen.values())
    candidates: dict[str, list[str]] = {}
    for question, answers, numeric, top in stats.iter_rows():
        if question in chosen:
            continue
        fields = [f for f in keyword_fields(question) if f not in taken]
        if not fields and answers and numeric < answers / 2:
            fields = [] if "comment" in taken else ["comment"]  # mostly words: a free-text answer
        if fields == ["happiness"] and top is not None and top <= 5:
            fields = [f for f in keyword_fields(question) if f != "happiness" and f not in taken] or fields
        if fields:
            candidates[question] = fields
    claims: dict[str, list[str]] = {}
    for question, fields in candidates.items():
        for f in fields:
            claims.setdefault(f, []).append(question)
    applied, problems = {}, []
    for question, fields in candidates.items():
        if len(fields) == 1 and len(claims[fields[0]]) == 1:
            applied[question] = fields[0]
        elif len(fields) > 1:
            problems.append(f"'{question}' could be {' or '.join(fields)}")
    for f, questions in claims.items():
        if len(questions) > 1:
            problems.append(f"{f} could be any of " + ", ".join(f"'{q}'" for q in questions))
    return applied, problems


def pivot(batches, layout: LongLayout) -> tuple[pl.DataFrame, int]:
    """(one text row per response instance with `_line` = its first answer's line, answer rows read).

    Columns: ticket_id, submitted_at and one per mapped field (the answer to its question).
    """
    c = layout.columns
    t = c.get("text_value")
    parts, read = [], 0
    for batch in batches:
        read += batch.rows_read
        f = batch.frame
        parts.append(f.select(
            pl.col(LINE), pl.col(c["instance"]).str.strip_chars().alias("instance"),
            _blank_null(pl.col(c["ticket_id"])).alias("ticket_id"),
            _blank_null(pl.col(c["submitted_at"])).alias("submitted_at"),
            pl.col(c["question"]).str.strip_chars().alias("question"),
            _blank_null(pl.col(c["value"])).alias("value"),
            (_blank_null(pl.col(t)) if t else pl.lit(None, pl.String)).alias("text")))
    long = pl.concat(parts) if parts else pl.DataFrame(schema={LINE: pl.Int64, "instance": pl.String,
                                                               "ticket_id": pl.String, "submitted_at": pl.String,
                                                               "question": pl.String, "value": pl.String,
                                                               "text": pl.String})
    heads = long.group_by("instance").agg(pl.col(LINE).min(), pl.col("ticket_id").drop_nulls().first(),
                                          pl.col("submitted_at").drop_nulls().first())
    qs = list(layout.questions)
    answers = long.filter(pl.col("question").is_in(qs)).with_columns(
        pl.col("question").replace_strict(qs or [""], list(layout.questions.values()) or [""],
                                          return_dtype=pl.String).alias("field"))
    unanswered = list(layout.unanswered)
    value = pl.when(~pl.col("value").is_in(unanswered)).then(pl.col("value")) if unanswered else pl.col("value")
    answers = answers.with_columns(pl.when(pl.col("field").is_in(list(TEXT_FIELDS)))
                                   .then(pl.coalesce("text", value)).otherwise(pl.coalesce(value, "text"))
                                   .alias("answer"))
    fields = sorted(set(layout.questions.values()))
    if answers.is_empty():
        wide = heads.select("instance").with_columns(pl.lit(None, pl.String).alias(f) for f in fields)
    else:
        if "factors" in fields:  # a multiple-choice question may give one row per ticked factor
            many = answers.filter(pl.col("field") == "factors").group_by("instance", "field").agg(
                pl.col("answer").drop_nulls().str.join(";"), pl.col(LINE).min())
            answers = pl.concat([answers.filter(pl.col("field") != "factors").select(many.columns), many])
        wide = answers.pivot(on="field", on_columns=fields, index="instance", values="answer",
                             aggregate_function="first")
    out = heads.join(wide, on="instance", how="left").sort(LINE)
    return out.select(LINE, "instance", "ticket_id", "submitted_at", *fields), read


def as_batches(frame: pl.DataFrame, rows: int) -> list[RawBatch]:
    """The pivoted responses in batches of `rows` (positions advance to 1.0)."""
    n = max(frame.height, 1)
    return [RawBatch(frame.slice(s, rows), [], min((s + rows) / n, 1.0)) for s in range(0, frame.height, rows)]


def flags_message(stats: pl.DataFrame, problems: list[str], missing: list[str], mapped: dict[str, str]) -> str:
    """The message of an exit-2 stop: what is ambiguous, every question, and the exact flags."""
    lines = ["The survey file has one row per answer; its questions need mapping to fields."]
    lines += [f"  - {p}" for p in problems]
    if missing:
        lines.append(f"  - no question maps to {', '.join(missing)}")
    lines.append("Questions in the file (answers · field):")
    for question, answers, *_ in stats.iter_rows():
        lines.append(f"  {answers:>8,} · {mapped.get(question, 'not mapped')} · {question}")
    lines.append("Map the open ones with one flag each (repeat --map; any field of: "
                 f"{', '.join(ANSWER_FIELDS)}):")
    for question in stats["question"].to_list():
        if question not in mapped:
            for fld in keyword_fields(question) or ["FIELD"]:
                lines.append(f"  --map {fld}={_shell_quoted(question)}")
    return "\n".join(lines)


def _shell_quoted(text: str) -> str:
    """A question as one shell word (single quotes, an inner ' written as '\\'')."""
    return "'" + text.replace("'", "'\\''") + "'"
