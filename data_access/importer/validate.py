"""Per-row validation of one batch: source text → typed target columns, or a rejection with a reason.

Pure polars (no database): every row either comes out valid or is rejected with the source column
and a sentence a person can act on ("happiness 11 is outside 0–10").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from data_access.importer import checks, presets, scores
from data_access.importer.fields import required_fields
from data_access.importer.dates import decide_date_order, parse_datetimes  # noqa: F401 (re-exported)
from data_access.importer.reader import LINE
from data_access.schema import CARE_DIMENSIONS


@dataclass(frozen=True)
class Rules:
    """Everything validation needs to know about one import (no database handles)."""

    kind: str
    mapping: dict[str, str]                       # target field → source header
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # normalised source value → ours
    scale: str = "0-10"
    handle_unit: str = "minutes"
    type_from_prefix: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None                 # 'day' | 'month' | None (only unambiguous formats)
    factor_lookup: dict[str, int] = field(default_factory=dict)  # normalised code/label → factor_id
    constants: dict[str, str] = field(default_factory=dict)  # target field → value for every row (--set)


class AmbiguousDates(ValueError):
    """Dates like 03/04/2025 appear and nothing in the file says which part is the day."""


def _key(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"[^0-9a-z]+", "")


def _mapped(col: str, rules: Rules) -> pl.Expr:
    """Cleaned text of a target field (stripped; null when empty). The apostrophe our rejects CSV
    puts before a formula-looking cell is taken off again, so a fixed file re-imports exactly."""
    text = pl.col(col).str.strip_chars()
    text = pl.when(text.str.starts_with("'")).then(text.str.replace(r"^'([=+\-@])", "$1")).otherwise(text)
    return pl.when(text == "").then(None).otherwise(text)


KEYED = {"channel", "ticket_type", "state", "priority", "sla_met", "reopened", "first_contact_resolution",
         "happiness"}
MAX_DISTINCT_FOR_LOOKUP = 50_000


def _apply_value_maps(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The preset's value maps applied, plus a `<field>__key` matching key, for the coded fields.

    Coded fields have few distinct values, so the mapping is computed once per distinct value
    in Python and applied as a lookup (much cheaper than per-row regular expressions)."""
    exprs = []
    for col in frame.columns:
        vmap = rules.values.get(col) if col != "factors" else None  # factors are mapped item by item
        if col == LINE or not (vmap or col in KEYED):
            continue
        distinct = frame[col].drop_nulls().unique()
        if distinct.len() > MAX_DISTINCT_FOR_LOOKUP:
            text = pl.col(col)
            if vmap:
                text = _key(text).replace_strict(list(vmap), list(vmap.values()), default=text,
                                                 return_dtype=pl.String)
            exprs += [text.alias(col), _key(text).alias(f"{col}__key")]
            continue
        olds = distinct.to_list()
        news = [vmap.get(presets.normalise(o), o) if vmap else o for o in olds]
        keys = [presets.normalise(n) for n in news]
        exprs += [pl.col(col).replace_strict(olds or [""], news or [""], default=None,
                                             return_dtype=pl.String).alias(col),
                  pl.col(col).replace_strict(olds or [""], keys or [""], default=None,
                                             return_dtype=pl.String).alias(f"{col}__key")]
    return frame.with_columns(exprs) if exprs else frame


def _checks(rules: Rules) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(target field, value expression, error expression or null) for every mapped field."""
    return checks.ticket_checks(rules) if rules.kind == "tickets" else checks.response_checks(rules)


def _factor_columns(frame: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """factor_ids__list (list of ids) and factors__error (first unknown factor) per row."""
    if "factors" not in frame.columns:
        return frame.with_columns(pl.lit(None, pl.List(pl.Int32)).alias("factor_ids__list"),
                                  pl.lit(None, pl.String).alias("factors__error"))
    vmap = rules.values.get("factors", {})
    items = (frame.select(LINE, pl.col("factors").str.replace_all(r"[|]", ";").str.split(";").alias("item"))
             .explode("item")
             .with_columns(pl.col("item").str.strip_chars())
             .filter(pl.col("item").is_not_null() & (pl.col("item") != "")))
    items = items.with_columns(code=_key(pl.col("item")))
    if vmap:
        items = items.with_columns(code=pl.col("code").replace_strict(
            list(vmap), [v.replace("_", "") for v in vmap.values()], default=pl.col("code"),
            return_dtype=pl.String))
    items = items.filter(pl.col("code") != "").with_columns(
        fid=pl.col("code").replace_strict(list(rules.factor_lookup) or [""],
                                          list(rules.factor_lookup.values()) or [None],
                                          default=None, return_dtype=pl.Int32))
    per_row = items.group_by(LINE).agg(
        pl.col("fid").drop_nulls().unique().sort().alias("factor_ids__list"),
        pl.col("item").filter(pl.col("fid").is_null()).first().alias("bad"))
    per_row = per_row.with_columns(factors__error=pl.when(pl.col("bad").is_not_null()).then(
        pl.lit("unknown factor ") + checks.quoted(pl.col("bad")))).drop("bad")
    return frame.join(per_row, on=LINE, how="left")


@dataclass
class Checked:
    """One batch after validation: rows that land, rows rejected (with every reason), rows skipped
    on purpose (not closed, not answered) and coded values that landed as 'other'."""

    valid: pl.DataFrame
    rejects: pl.DataFrame  # _line, column, reason
    skipped: pl.DataFrame  # _line, reason
    others: pl.DataFrame   # field, value, rows


def _selected(raw: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """The mapped source columns and constants renamed to target fields, cleaned and value-mapped."""
    consts = {f: v for f, v in rules.constants.items() if f not in rules.mapping}
    frame = raw.select(pl.col(LINE), *[pl.col(src).alias(dst) for dst, src in rules.mapping.items()],
                       *[pl.lit(v, pl.String).alias(f) for f, v in consts.items()])
    frame = frame.with_columns(_mapped(c, rules).alias(c) for c in frame.columns if c != LINE)
    if "channel" in frame.columns:
        frame = frame.with_columns(pl.col("channel").alias("channel__raw"))
    frame = _apply_value_maps(frame, rules)
    for name in ("opened_at", "resolved_at", "submitted_at"):
        if name in frame.columns:
            frame = frame.with_columns(parse_datetimes(frame[name], rules.date_order).alias(f"{name}__dt"))
    if rules.kind == "responses":
        frame = _factor_columns(frame, rules)
    return frame


def _skip_reason(frame: pl.DataFrame, rules: Rules) -> pl.Expr | None:
    """Why a row is skipped rather than imported (null: not skipped)."""
    if rules.kind == "tickets" and "state" in frame.columns:
        state = pl.col("state")
        return pl.when(state.is_not_null() & (state != "closed")).then(
            pl.lit("ticket not closed: ") + state.str.slice(0, 60))
    if rules.kind == "responses" and "happiness" in frame.columns:
        unanswered = pl.col("happiness").is_null() | pl.col("happiness__key").is_in(list(scores.NOT_ANSWERED))
        return pl.when(unanswered).then(pl.lit("survey not answered"))
    return None


def _column_names(rules: Rules) -> dict[str, str | None]:
    """The source column (or `--set FIELD`) to name in a rejection of each target field."""
    def source(name: str) -> str | None:
        if name in rules.mapping:
            return rules.mapping[name]
        if name in rules.constants:
            return f"--set {name}"
        return None
    names = {f: source(f) for f in (*rules.mapping, *rules.constants)}
    names["factor_ids"] = source("factors")
    return names


def validate(raw: pl.DataFrame, rules: Rules) -> Checked:
    """Split a batch into valid typed rows, rejects (`_line`, column, reason — every error of the
    row), skipped rows (`_line`, reason) and the coded values that landed as 'other'.

    Values are computed for every row; the (string-building) reasons only for the rows that
    fail, which keeps a clean million-row file fast.
    """
    frame = _selected(raw, rules)
    skip = _skip_reason(frame, rules)
    skipped = pl.DataFrame(schema={LINE: pl.Int64, "reason": pl.String})
    if skip is not None:
        frame = frame.with_columns(skip.alias("__skip"))
        skipped = frame.filter(pl.col("__skip").is_not_null()).select(LINE, pl.col("__skip").alias("reason"))
        frame = frame.filter(pl.col("__skip").is_null())
    present = set(frame.columns)
    needs = {"ticket_type": "ticket_id", "factor_ids": "factor_ids__list"}
    usable = [(n, v, e) for n, v, e in _checks(rules) if needs.get(n, n) in present]
    required = set(required_fields(rules.kind))
    frame = frame.with_columns(v.alias(f"{n}__v") for n, v, _ in usable)
    bad_terms = []
    for n, _, _ in usable:
        value = pl.col(f"{n}__v")
        if n == "factor_ids":
            bad_terms.append(pl.col("factors__error").is_not_null())
        elif n in required or n not in present:
            bad_terms.append(value.is_null())
        else:
            bad_terms.append(value.is_null() & pl.col(n).is_not_null())
    errors = [(n, e) for n, _, e in usable]
    if rules.kind == "tickets" and {"opened_at__dt", "resolved_at__dt"} <= present:
        order_error = pl.col("resolved_at__dt") < pl.col("opened_at__dt")
        bad_terms.append(order_error.fill_null(False))
        errors.append(("resolved_at", pl.when(order_error).then(pl.lit("resolved_at before opened_at"))))
    frame = frame.with_columns(pl.any_horizontal(bad_terms).alias("__bad") if bad_terms
                               else pl.lit(False).alias("__bad"))
    good = frame.filter(~pl.col("__bad"))
    valid = good.select(pl.col(LINE), *[pl.col(f"{n}__v").alias(n) for n, _, _ in usable])
    return Checked(_with_defaults(valid, rules.kind), _reasons(frame.filter(pl.col("__bad")), errors, rules),
                   skipped, _others(good))


def _reasons(bad: pl.DataFrame, errors: list[tuple[str, pl.Expr]], rules: Rules) -> pl.DataFrame:
    """One reject per row: every failing column and every reason, joined with '; '."""
    if bad.is_empty():
        return pl.DataFrame(schema={LINE: pl.Int64, "column": pl.String, "reason": pl.String})
    column_of = _column_names(rules)
    fallback = rules.mapping.get("ticket_id")
    bad = bad.with_columns(e.alias(f"__err{i}") for i, (_, e) in enumerate(errors))
    errs = [pl.col(f"__err{i}") for i in range(len(errors))]
    columns = [pl.when(c.is_not_null()).then(pl.lit(column_of.get(n) or fallback)) for c, (n, _) in zip(errs, errors)]
    out = bad.select(pl.col(LINE), pl.concat_str(columns, separator="; ", ignore_nulls=True).alias("column"),
                     pl.concat_str(errs, separator="; ", ignore_nulls=True).alias("reason"))
    return out.with_columns(pl.when(pl.col("column") != "").then(pl.col("column")).alias("column"),
                            pl.when(pl.col("reason") != "").then(pl.col("reason"))
                            .otherwise(pl.lit("invalid row")).alias("reason"))


def _others(good: pl.DataFrame) -> pl.DataFrame:
    """Channel values that nobody mapped and that landed as 'other', with their row counts."""
    if "channel__raw" not in good.columns:
        return pl.DataFrame(schema={"field": pl.String, "value": pl.String, "rows": pl.Int64})
    hit = good.filter((pl.col("channel__v") == "other") & (pl.col("channel") != "other"))
    return (hit.group_by("channel__raw").agg(pl.len().cast(pl.Int64).alias("rows"))
            .select(pl.lit("channel").alias("field"), pl.col("channel__raw").alias("value"), "rows"))


def _with_defaults(valid: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Optional fields the file does not carry, filled with their documented defaults."""
    if kind == "tickets":
        defaults = {"reassignment_count": pl.lit(0, pl.Int64), "reopened": pl.lit(False),
                    "first_contact_resolution": pl.lit(False), "handle_minutes": pl.lit(None, pl.Float64),
                    "requester": pl.lit(None, pl.String), "requester_email": pl.lit(None, pl.String),
                    "short_description": pl.lit(None, pl.String)}
    else:
        defaults = {**{d: pl.lit(None, pl.Int64) for d in CARE_DIMENSIONS},
                    "lost_minutes": pl.lit(None, pl.Float64), "comment": pl.lit(None, pl.String),
                    "factor_ids": pl.lit(None, pl.List(pl.Int32))}
    fill = {"reassignment_count": 0, "reopened": False, "first_contact_resolution": False}
    out = valid.with_columns(v.alias(k) for k, v in defaults.items() if k not in valid.columns)
    return out.with_columns(pl.col(k).fill_null(v) for k, v in fill.items() if k in out.columns)
