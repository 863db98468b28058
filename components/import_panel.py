"""Widgets of the admin import: keep an uploaded export as a private file, show an import's report."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import streamlit as st

from data_access import config
from data_access.importer import report
from data_access.importer.run import max_import_bytes

UPLOAD_DIR_NAME = "uploads"


def save_upload(uploaded, kind: str) -> Path | None:
    """Copy the upload to a private file once (streamed; never executed or unpickled)."""
    key = f"data_{kind}_file"
    saved = st.session_state.get(key)
    if saved and saved[0] == uploaded.file_id and Path(saved[1]).exists():
        return Path(saved[1])
    if uploaded.size > max_import_bytes():
        st.error(f"The file is {uploaded.size / 1e6:,.1f} MB; the limit is {max_import_bytes() / 1e6:,.0f} MB.")
        return None
    if saved:
        Path(saved[1]).unlink(missing_ok=True)  # keep one private copy per kind, not every upload
    upload_dir = config.data_dir() / UPLOAD_DIR_NAME
    upload_dir.mkdir(parents=True, exist_ok=True)
    suffix = "".join(ch for ch in Path(uploaded.name).suffix if ch.isalnum() or ch == ".")[:10]
    path = upload_dir / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as fh:
        shutil.copyfileobj(uploaded, fh, length=1 << 20)
    st.session_state[key] = (uploaded.file_id, str(path))
    return path


def show_import_result(kind: str) -> None:
    """The last import of `kind` in this session: counts, created names, rejects, downloads."""
    result = st.session_state.get(f"data_{kind}_result")
    if result is None:
        return
    label = "Dry run — nothing was written" if result.dry_run else "Import finished"
    (st.warning if result.rejected else st.success)(
        f"{label}: {result.rows_read:,} rows read in {result.seconds:.1f} s.")
    cols = st.columns(5)
    for col, (name, value) in zip(cols, report.summary_rows(result)):
        col.metric(name.capitalize(), f"{value:,}")
    for what, names in result.created.items():
        if names:
            st.caption(f"Created {what}: " + ", ".join(names))
    if result.rejected:
        st.markdown(f"**Rejected rows** ({result.rejected:,}) — kept in quarantine to fix and re-import")
        st.dataframe(result.rejects, hide_index=True, width="stretch",
                     column_config={"raw_row": st.column_config.TextColumn("Original row")})
    d1, d2 = st.columns(2)
    d1.download_button("Download report (Markdown)", report.report_markdown(result).encode("utf-8"),
                       file_name=f"import-report-{kind}.md", mime="text/markdown", key=f"data_{kind}_md",
                       on_click="ignore")
    d2.download_button("Download rejected rows (CSV)", report.rejects_csv(result),
                       file_name=f"import-rejects-{kind}.csv", mime="text/csv", key=f"data_{kind}_csv",
                       disabled=not result.rejected, on_click="ignore")
