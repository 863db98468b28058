"""Tables with a formula-safe CSV download next to them."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from components import formats
from metrics.csv_safety import safe_csv_bytes


def _file_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"


def readable(df: pl.DataFrame) -> pl.DataFrame:
    """`df` as a person should read it: empty text instead of "None", whole minutes instead of
    timestamps with seconds (datetime columns are truncated to the minute)."""
    return df.with_columns(
        *[pl.col(c).fill_null("") for c, t in df.schema.items() if t == pl.String],
        *[pl.col(c).dt.truncate("1m") for c, t in df.schema.items() if isinstance(t, pl.Datetime)])


def moment_columns(df: pl.DataFrame) -> dict:
    """column_config entries showing every datetime column of `df` as "3 Nov 2026, 14:05"."""
    return {c: st.column_config.DatetimeColumn(format=formats.TABLE_MOMENT)
            for c, t in df.schema.items() if isinstance(t, pl.Datetime)}


def download_csv(df: pl.DataFrame, name: str, *, key: str | None = None) -> None:
    """A small "Download CSV" button for `df`; text cells are neutralised against spreadsheet formulas."""
    stem = _file_stem(name)
    st.download_button("Download CSV", safe_csv_bytes(df), file_name=f"{stem}.csv", mime="text/csv",
                       key=key or f"csv_{stem}", icon=":material/download:", type="tertiary",
                       help=f"{name} as a CSV file (opens in Excel; formulas are neutralised).")


def data_table(df: pl.DataFrame, name: str, *, column_config: dict | None = None,
               export: pl.DataFrame | None = None, height: int | str = "auto", key: str | None = None,
               on_select=None) -> None:
    """Show `df` as a read-only table (text shown as text) with its CSV download underneath.

    `export` is the frame offered for download when it should differ from the one shown
    (e.g. raw numbers instead of formatted ones). `on_select` (with `key`): a callback run when
    the viewer clicks a cell of a row (one at a time; no column of row boxes to take room on a phone).
    """
    # An empty cell (a withheld or missing figure) shows the one "no figure" dash, never "None".
    pick = {"key": key, "on_select": on_select, "selection_mode": "single-cell"} if on_select else {}
    st.dataframe(df, hide_index=True, column_config=column_config, height=height, placeholder=formats.NO_VALUE,
                 **pick)
    download_csv(export if export is not None else df, name)
