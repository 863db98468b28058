"""The import report people download: counts, skipped rows by reason, warnings, created names and
every rejected row with all its reasons; the rejected rows as a CSV to fix and import again."""

from __future__ import annotations

import polars as pl

from data_access.importer.fields import REPORT_COLUMNS
from data_access.importer.result import ImportResult
from metrics.csv_safety import safe_csv_bytes


def summary_rows(result: ImportResult) -> list[tuple[str, int]]:
    """(label, count) for the six numbers of an import (rows read = the other five)."""
    return [("rows read", result.rows_read), ("inserted", result.inserted), ("updated", result.updated),
            ("unchanged", result.unchanged), ("skipped", result.skipped), ("rejected", result.rejected)]


def original_columns(rejects: pl.DataFrame, header: list[str] | None = None) -> pl.DataFrame:
    """Rejected rows as the file had them (one column per original column) plus line, column and
    reason — fixable in a spreadsheet and importable again with the same settings."""
    if rejects.is_empty() or "raw_row" not in rejects.columns:
        cols = [*(header or []), *REPORT_COLUMNS]
        return pl.DataFrame(schema={c: pl.String for c in cols})
    dtype = pl.Struct({h: pl.String for h in header}) if header else None
    raw = rejects["raw_row"].fill_null("{}").str.json_decode(dtype, infer_schema_length=None)
    frame = raw.struct.unnest() if raw.dtype.fields else pl.DataFrame(height=rejects.height)  # type: ignore[attr-defined]
    ours = {c: c if c.casefold() not in {n.casefold() for n in frame.columns} else f"import_{c}"
            for c in REPORT_COLUMNS}
    return frame.with_columns(rejects["line"].alias(ours["line"]), rejects["column"].alias(ours["column"]),
                              rejects["reason"].alias(ours["reason"]))


def rejects_csv(result: ImportResult) -> bytes:
    """Every rejected row: original columns + line, column, reason, as formula-safe UTF-8 CSV."""
    return safe_csv_bytes(original_columns(result.rejects, result.header))


def rejects_frame_csv(rejects: pl.DataFrame) -> bytes:
    """Quarantined rows of a past run, the same shape as `rejects_csv` (formula-safe)."""
    return safe_csv_bytes(original_columns(rejects))


def notes(result: ImportResult) -> list[str]:
    """Plain-text lines worth reading besides the counts: skipped reasons, warnings, questions,
    recovery items (for the CLI, the Markdown report and the Admin page)."""
    # Most rows first, ties by name: the same file gives the same report, line for line.
    by_count = sorted(result.skipped_by.items(), key=lambda kv: (-kv[1], kv[0]))
    out = [f"skipped {n:,}: {reason}" for reason, n in by_count]
    out += [f"warning: {w}" for w in result.warnings()]
    if result.answers_read is not None:
        out.append(f"{result.answers_read:,} answer rows became {result.rows_read:,} responses")
        for question, fld in sorted(result.questions.items(), key=lambda kv: kv[1]):
            how = "suggested from its words" if question in result.suggested else "chosen"
            out.append(f"question '{question}' → {fld} ({how})")
    if result.recovery_opened or result.recovery_history:
        out.append(f"recovery items opened: {result.recovery_opened:,}; older unhappy answers kept as "
                   f"history (outside the recovery window): {result.recovery_history:,}")
    return out


def report_markdown(result: ImportResult) -> str:
    """The report as Markdown text (for a file download or the CLI), rejected rows included."""
    mode = "dry run — nothing was written" if result.dry_run else f"run {result.run_id}"
    rate = f"{result.rows_per_second:,.0f} {'answer rows' if result.answers_read is not None else 'rows'}/s"
    lines = [f"# Import report: {result.kind} from {_md(result.file_name or 'file')}", "",
             f"Preset: {result.preset} · {result.source} · {mode} · {result.seconds:.1f} s ({rate})", ""]
    lines += _section(result)
    if result.responses is not None:
        lines += ["", f"## Responses on the same rows (run {result.responses.run_id})", ""]
        lines += _section(result.responses)
    return "\n".join(lines) + "\n"


def _section(result: ImportResult) -> list[str]:
    lines = []
    if result.error:
        lines += [f"**Stopped early:** {_md(result.error)}. Batches before that are saved; run it again to finish.", ""]
    lines += ["| | rows |", "|---|---:|"] + [f"| {k} | {v:,} |" for k, v in summary_rows(result)] + [""]
    lines += [f"- {_md(n)}" for n in notes(result)]
    for what, names in result.created.items():
        if names:
            lines.append(f"- created {what} ({len(names)}): " + ", ".join(_md(n) for n in names))
    lines.append("")
    if result.rejected:
        shown = result.rejects.height
        lines += [f"### Rejected rows ({result.rejected:,}" + (f", first {shown:,} listed" if shown < result.rejected else "") + ")",
                  "", "| line | column | reason |", "|---:|---|---|"]
        lines += [f"| {ln} | {_md(col or '')} | {_md(reason)} |"
                  for ln, col, reason in result.rejects.select("line", "column", "reason").iter_rows()]
    return lines


def _md(text: str) -> str:
    """Text made inert in a Markdown table cell."""
    out = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in "`*_[]<>#":
        out = out.replace(ch, "\\" + ch)
    return out
