"""The per-field checks of validation: for each target field, the typed value (null when invalid)
and the sentence that says why a value is rejected. Pure polars expressions, no data."""

from __future__ import annotations

import polars as pl

from data_access.importer import scores
from data_access.schema import CARE_DIMENSIONS, CHANNELS, TICKET_TYPES

TRUE_WORDS = ["true", "yes", "y", "t", "1", "x", "met", "ja", "oui", "si"]
FALSE_WORDS = ["false", "no", "n", "f", "0", "notmet", "breached", "nein", "non"]
MAX_TEXT = {"ticket_id": 64, "service": 200, "analyst": 200, "team": 120, "requester": 200,
            "requester_email": 320, "short_description": 300}
Check = tuple[str, pl.Expr, pl.Expr]


def quoted(expr: pl.Expr) -> pl.Expr:
    return pl.lit("'") + expr.str.slice(0, 60) + pl.lit("'")


def number(text: pl.Expr) -> pl.Expr:
    return text.str.replace(r"^(-?\d+),(\d+)$", "$1.$2").cast(pl.Float64, strict=False)


def missing(name: str) -> pl.Expr:
    return pl.when(pl.col(name).is_null()).then(pl.lit(f"{name} is missing"))


def _required(name: str, err: pl.Expr, required: bool) -> pl.Expr:
    return pl.coalesce(missing(name), err) if required else err


def text_field(name: str, required: bool) -> Check:
    value = pl.col(name)
    err = pl.lit(None, pl.String)
    if name in MAX_TEXT:
        err = pl.when(value.str.len_chars() > MAX_TEXT[name]).then(
            pl.lit(f"{name} is longer than {MAX_TEXT[name]} characters"))
        value = pl.when(value.str.len_chars() <= MAX_TEXT[name]).then(value)
    return name, value, _required(name, err, required)


def int_field(name: str, lo: int, hi: int | None, required: bool) -> Check:
    raw = pl.col(name)
    num = number(raw)
    whole = num.is_not_null() & num.is_finite() & (num == num.floor())
    in_range = (num >= lo) & (num <= hi) if hi is not None else (num >= lo)
    shown = pl.when(whole).then(num.cast(pl.Int64).cast(pl.String)).otherwise(raw)
    err = (pl.when(raw.is_not_null() & ~whole).then(pl.lit(f"{name} ") + quoted(raw) + pl.lit(" is not a whole number"))
           .when(raw.is_not_null() & ~in_range)
           .then(pl.lit(f"{name} ") + shown + pl.lit(f" is outside {lo}–{hi}" if hi is not None else f" is below {lo}")))
    return name, pl.when(whole & in_range).then(num.cast(pl.Int64)), _required(name, err, required)


def float_field(name: str, factor: float = 1.0) -> Check:
    raw = pl.col(name)
    num = number(raw)
    err = (pl.when(raw.is_not_null() & num.is_null()).then(pl.lit(f"{name} ") + quoted(raw) + pl.lit(" is not a number"))
           .when(num < 0).then(pl.lit(f"{name} ") + raw + pl.lit(" is negative")))
    return name, pl.when(num >= 0).then(num * factor), err


def bool_field(name: str, required: bool, counts: bool = False) -> Check:
    raw = pl.col(name)
    key = pl.col(f"{name}__key")
    value = pl.when(key.is_in(TRUE_WORDS)).then(True).when(key.is_in(FALSE_WORDS)).then(False)
    if counts:  # a reopen count: more than zero means reopened
        num = number(raw)
        value = pl.when(key.is_in(TRUE_WORDS + FALSE_WORDS)).then(value).when(
            (num >= 0) & (num == num.floor())).then(num > 0)
    err = pl.when(raw.is_not_null() & value.is_null()).then(
        pl.lit(f"{name} ") + quoted(raw) + pl.lit(" is not yes/no or true/false"))
    return name, value, _required(name, err, required)


def date_field(name: str) -> Check:
    parsed = pl.col(f"{name}__dt")
    return name, parsed, pl.coalesce(missing(name), pl.when(parsed.is_null()).then(
        pl.lit("unknown date format ") + quoted(pl.col(name))))


def _ticket_type(rules) -> Check:
    """From the column (or a constant), else from the number's prefix (INC…, RITM…)."""
    mapped = {**rules.mapping, **rules.constants}
    prefix = pl.col("ticket_id").str.extract(r"^([A-Za-z]+)").str.to_uppercase()
    from_id = prefix.replace_strict(list(rules.type_from_prefix) or [""],
                                    list(rules.type_from_prefix.values()) or [None],
                                    default=None, return_dtype=pl.String)
    given = pl.col("ticket_type") if "ticket_type" in mapped else pl.lit(None, pl.String)
    value = pl.when(given.is_null() | given.is_in(TICKET_TYPES)).then(
        pl.coalesce(pl.when(given.is_in(TICKET_TYPES)).then(given), from_id))
    err = (pl.when(given.is_not_null() & ~given.is_in(TICKET_TYPES))
           .then(pl.lit("unknown ticket type ") + quoted(given))
           .when(value.is_null()).then(pl.lit("ticket_type is missing")))
    return "ticket_type", value, err


def _priority() -> Check:
    raw = pl.col("priority")
    digit = raw.str.extract(r"^\s*[Pp]?\s*(\d+)").cast(pl.Int64, strict=False)
    err = (pl.when(raw.is_null()).then(pl.lit("priority is missing"))
           .when(digit.is_null()).then(pl.lit("priority ") + quoted(raw) + pl.lit(" is not a number from 1 to 4"))
           .when((digit < 1) | (digit > 4)).then(pl.lit("priority ") + digit.cast(pl.String) + pl.lit(" is outside 1–4")))
    return "priority", pl.when(digit.is_between(1, 4)).then(digit), err


def ticket_checks(rules) -> list[Check]:
    """Checks of a tickets file."""
    out = [text_field("ticket_id", True)]
    if "ticket_type" in {**rules.mapping, **rules.constants} or rules.type_from_prefix:
        out.append(_ticket_type(rules))
    channel = pl.col("channel")  # a value nobody mapped lands as 'other' (listed as a warning)
    out.append(("channel", pl.when(channel.is_in(list(CHANNELS))).then(channel)
                .when(channel.is_not_null()).then(pl.lit("other")), missing("channel")))
    out += [text_field("service", True), _priority(), date_field("opened_at"), date_field("resolved_at"),
            text_field("analyst", True), text_field("team", True), bool_field("sla_met", True),
            int_field("reassignment_count", 0, None, False), bool_field("reopened", False, counts=True),
            bool_field("first_contact_resolution", False),
            float_field("handle_minutes", {"seconds": 1 / 60, "hours": 60.0}.get(rules.handle_unit, 1.0)),
            text_field("requester", False), text_field("requester_email", False),
            text_field("short_description", False)]
    return out


def _happiness(scale: str) -> Check:
    raw = pl.col("happiness")
    if scale == "good-bad":
        key = pl.col("happiness__key")
        value = key.replace_strict(list(scores.GOOD_BAD), list(scores.GOOD_BAD.values()),
                                   default=None, return_dtype=pl.Int64)
        err = (pl.when(raw.is_null() | key.is_in(list(scores.NOT_ANSWERED)))
               .then(pl.lit("no rating given") + pl.when(raw.is_not_null()).then(pl.lit(" (") + quoted(raw) + pl.lit(")")).otherwise(pl.lit("")))
               .when(value.is_null()).then(pl.lit("happiness ") + quoted(raw) + pl.lit(" is not good or bad")))
        return "happiness", value, err
    table = scores.NUMERIC_SCALES[scale]
    num = number(raw)
    whole = num.is_not_null() & num.is_finite() & (num == num.floor())
    as_int = num.cast(pl.Int64)
    value = pl.when(whole).then(as_int.replace_strict(list(table), list(table.values()),
                                                       default=None, return_dtype=pl.Int64))
    err = (pl.when(raw.is_null()).then(pl.lit("happiness is missing"))
           .when(pl.col("happiness__key").is_in(list(scores.NOT_ANSWERED))).then(pl.lit("no rating given"))
           .when(~whole).then(pl.lit("happiness ") + quoted(raw) + pl.lit(" is not a whole number"))
           .when(value.is_null()).then(pl.lit("happiness ") + as_int.cast(pl.String)
                                       + pl.lit(f" is outside {scores.SCALE_RANGE[scale]}")))
    return "happiness", value, err


def response_checks(rules) -> list[Check]:
    """Checks of a responses file."""
    return [text_field("ticket_id", True), _happiness(rules.scale),
            *[int_field(dim, 1, 5, False) for dim in CARE_DIMENSIONS],
            float_field("lost_minutes"), text_field("comment", False),
            ("factor_ids", pl.col("factor_ids__list"), pl.col("factors__error")), date_field("submitted_at")]
