"""Tables with a formula-safe CSV download next to them."""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from metrics.csv_safety import safe_csv_bytes


def _file_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"


def download_csv(df: pl.DataFrame, name: str, *, key: str | None = None) -> None:
    """A small "Download CSV" button for `df`; text cells are neutralised against spreadsheet formulas."""
    stem = _file_stem(name)
    st.download_button("Download CSV", safe_csv_bytes(df), file_name=f"{stem}.csv", mime="text/csv",
                       key=key or f"csv_{stem}", icon=":material/download:", type="tertiary",
                       help=f"{name} as a CSV file (opens in Excel; formulas are neutralised).")


def data_table(df: pl.DataFrame, name: str, *, column_config: dict | None = None,
               export: pl.DataFrame | None = None, height: int | str = "auto") -> None:
    """Show `df` as a read-only table (text shown as text) with its CSV download underneath.

    `export` is the frame offered for download when it should differ from the one shown
    (e.g. raw numbers instead of formatted ones).
    """
    st.dataframe(df, hide_index=True, column_config=column_config, height=height)
    download_csv(export if export is not None else df, name)
