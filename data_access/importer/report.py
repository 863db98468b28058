"""The import report people download: counts, created names and every rejected row with its reason."""

from __future__ import annotations

import polars as pl

from data_access.importer.run import ImportResult
from metrics.csv_safety import safe_csv_bytes

def summary_rows(result: ImportResult) -> list[tuple[str, int]]:
    """(label, count) for the five numbers of an import."""
    return [("rows read", result.rows_read), ("inserted", result.inserted), ("updated", result.updated),
            ("unchanged", result.unchanged), ("rejected", result.rejected)]


def rejects_csv(result: ImportResult) -> bytes:
    """Every rejected row (line, column, reason, original row) as formula-safe UTF-8 CSV."""
    return safe_csv_bytes(result.rejects)


def rejects_frame_csv(rejects: pl.DataFrame) -> bytes:
    """Any frame of rejected rows as formula-safe UTF-8 CSV (for the quarantine list)."""
    return safe_csv_bytes(rejects)


def report_csv(result: ImportResult) -> bytes:
    """One CSV with the summary counts on top and the rejected rows below (formula-safe)."""
    head = pl.DataFrame({"line": [None] * 5, "column": [r[0] for r in summary_rows(result)],
                         "reason": [str(r[1]) for r in summary_rows(result)], "raw_row": [None] * 5},
                        schema=result.rejects.schema)
    return safe_csv_bytes(pl.concat([head, result.rejects]))


def report_markdown(result: ImportResult) -> str:
    """The report as Markdown text (for a file download or the CLI), rejected rows included."""
    mode = "dry run — nothing was written" if result.dry_run else f"run {result.run_id}"
    lines = [f"# Import report: {result.kind} from {result.file_name or 'file'}", "",
             f"Preset: {result.preset} · {result.source} · {mode} · "
             f"{result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s)", ""]
    if result.error:
        lines += [f"**Stopped early:** {result.error}. Batches before that are saved; run it again to finish.", ""]
    lines += ["| | rows |", "|---|---:|"] + [f"| {k} | {v:,} |" for k, v in summary_rows(result)] + [""]
    for what, names in result.created.items():
        if names:
            lines.append(f"Created {what} ({len(names)}): " + ", ".join(_md(n) for n in names))
    if any(result.created.values()):
        lines.append("")
    if result.rejected:
        shown = result.rejects.height
        lines += [f"## Rejected rows ({result.rejected:,}" + (f", first {shown:,} listed" if shown < result.rejected else "") + ")",
                  "", "| line | column | reason |", "|---:|---|---|"]
        lines += [f"| {ln} | {_md(col or '')} | {_md(reason)} |"
                  for ln, col, reason in result.rejects.select("line", "column", "reason").iter_rows()]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text made inert in a Markdown table cell."""
    out = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in "`*_[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out
