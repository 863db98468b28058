"""Widgets of the admin import: upload → mapping → preview → import, its report, and the import history."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from components.text import literal
from data_access import config
from data_access.engine import DB_ERRORS, describe_failure
from data_access.importer import history, presets, report
from data_access.importer.fields import FIELDS
from data_access.importer.reader import ImportFileError
from data_access.importer.run import ImportInterrupted, max_import_bytes, plan_import, preview, run_import
from data_access.importer.scores import SCALES
from data_access.importer.validate import AmbiguousDates
from data_access.scope import Scope
from views.cache import clear_cached_reads

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
            st.caption(f"Created {literal(what)}: " + literal(", ".join(names)))
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


DATE_ORDERS = {"Decide from the file": None, "Day first (31/01/2026)": "day", "Month first (01/31/2026)": "month"}


def import_flow(kind: str, engine: sa.Engine) -> None:
    """Upload → preset → mapping → preview → import, for one kind of file."""
    uploaded = st.file_uploader(f"{kind.capitalize()} export (CSV, Excel .xlsx or Parquet)",
                                type=["csv", "txt", "tsv", "xlsx", "parquet"], key=f"data_{kind}_upload")
    if uploaded is None:
        st.info(f"Choose a {kind} file exported from your ITSM or survey tool.")
        show_import_result(kind)
        return
    path = save_upload(uploaded, kind)
    if path is None:
        return
    names = presets.preset_names(kind)
    labels = {n: presets.load_presets()[n].label for n in names}
    try:
        detected = plan_import(path, kind, file_name=uploaded.name)
    except ImportFileError as exc:
        st.error(literal(exc))
        return
    o1, o2, o3 = st.columns(3)
    preset = o1.selectbox("Preset", names, index=names.index(detected.preset), format_func=labels.get,
                          key=f"data_{kind}_preset", help="Detected from the file's header; change it if needed.")
    order = o2.selectbox("Dates like 03/04/2026", list(DATE_ORDERS), key=f"data_{kind}_dates")
    scale = None
    if kind == "responses":
        default = presets.load_presets()[preset].kinds[kind].scale
        scale = o3.selectbox("Score scale", list(SCALES), index=list(SCALES).index(default),
                             format_func=SCALES.get, key=f"data_{kind}_scale")
    base = plan_import(path, kind, preset=preset, file_name=uploaded.name)
    st.caption(f"{literal(base.source.describe())} · {len(base.source.header)} columns")
    rows = [{"field": f.name, "required": f.required, "column in file": base.mapping.get(f.name, "")}
            for f in FIELDS[kind]]
    edited = st.data_editor(rows, hide_index=True, width="stretch", key=f"data_{kind}_mapping_{preset}",
                            disabled=["field", "required"],
                            column_config={"column in file": st.column_config.SelectboxColumn(
                                "Column in file", options=[""] + base.source.header)})
    mapping = {r["field"]: r["column in file"] or "" for r in edited}
    plan = plan_import(path, kind, preset=preset, mapping=mapping, scale=scale,
                       date_order=DATE_ORDERS[order], file_name=uploaded.name)
    missing = plan.missing()
    if missing:
        st.warning(f"Map a column for: {', '.join(missing)}.")
    else:
        shown, problems = preview(plan, rows=10, url_engine=engine)
        st.markdown("**Preview** — the first rows as they will land")
        st.dataframe(shown, hide_index=True, width="stretch")
        if problems.height:
            st.markdown("**Would be rejected** (among the first rows)")
            st.dataframe(problems.select("line", "column", "reason"), hide_index=True, width="stretch")
    b1, b2, _ = st.columns([1, 1, 3])
    dry = b1.button("Check only", key=f"data_{kind}_dry", disabled=bool(missing))
    real = b2.button(f"Import {kind}", type="primary", key=f"data_{kind}_go", disabled=bool(missing))
    if dry or real:
        bar = st.progress(0.0, text="Reading…")
        try:
            result = run_import(engine, plan, dry_run=dry,
                                progress=lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text))
        except (ImportFileError, AmbiguousDates) as exc:
            st.error(literal(exc))
            return
        except ImportInterrupted as exc:
            st.error(literal(exc))
            result = exc.result
        except DB_ERRORS as exc:
            st.error(literal(describe_failure(exc)))
            return
        finally:
            if real:
                clear_cached_reads()
        st.session_state[f"data_{kind}_result"] = result
        if real:
            st.rerun()  # the summary above shows the new counts and origin
    show_import_result(kind)


def import_history(engine: sa.Engine, scope: Scope) -> None:
    """Past imports and, for a run with rejects, its quarantined rows with a CSV download."""
    runs = history.recent_runs(engine, scope=scope)
    if runs.is_empty():
        st.info("No imports yet.")
    else:
        st.dataframe(runs, hide_index=True, width="stretch", column_config={
            "run_id": "Run", "kind": "Kind", "file_name": "File", "preset": "Preset",
            "started_at": st.column_config.DatetimeColumn("Started", format="D MMM YYYY, HH:mm"),
            "finished_at": st.column_config.DatetimeColumn("Finished (empty = stopped part-way)",
                                                           format="D MMM YYYY, HH:mm"),
            "rows_read": "Rows read", "inserted": "Inserted", "updated": "Updated",
            "unchanged": "Unchanged", "rejected": "Rejected"})
        with_rejects = runs.filter(runs["rejected"] > 0)
        if with_rejects.height:
            label = {r["run_id"]: f"Run {r['run_id']} — {r['kind']} from {r['file_name']} ({r['rejected']:,} rejected)"
                     for r in with_rejects.iter_rows(named=True)}
            run_id = st.selectbox("Rejected rows of run", list(label), format_func=label.get,
                                  key="data_quarantine_run")
            rejected = history.run_rejects(engine, scope=scope, run_id=run_id)
            st.dataframe(rejected, hide_index=True, width="stretch",
                         column_config={"raw_row": st.column_config.TextColumn("Original row")})
            st.download_button("Download these rows (CSV)", report.rejects_frame_csv(rejected),
                               file_name=f"quarantine-run-{run_id}.csv", mime="text/csv", on_click="ignore")
