"""Spreadsheet-safe exports: text cells that a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import polars as pl

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these may be evaluated by Excel / LibreOffice / Sheets."""


def neutralise_cell(value: str | None) -> str | None:
    """Prefix a formula-looking text with an apostrophe so spreadsheets show it as text."""
    if value is None or not value.startswith(FORMULA_TRIGGERS):
        return value
    return "'" + value


def neutralise_formulas(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column made formula-safe; numbers and dates are left as they are."""
    text_columns = [name for name, dtype in df.schema.items()
                    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)]
    if not text_columns:
        return df
    return df.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(r"^[=+\-@\t\r]"))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text_columns
    )


def safe_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads accents right) of the formula-safe frame."""
    return ("\ufeff" + neutralise_formulas(df).write_csv()).encode("utf-8")
