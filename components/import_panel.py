"""Widgets of the admin import: upload → mapping → preview → import, its report, and the import history."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from components import import_mapping as mapping_widgets
from components.text import literal
from data_access import config
from data_access.engine import DB_ERRORS, describe_failure
from data_access.importer import history, presets, report
from data_access.importer.longformat import AmbiguousQuestions
from data_access.importer.reader import ImportFileError
from data_access.importer.run import ImportInterrupted, max_import_bytes, plan_import, preview, run_import
from data_access.importer.scores import SCALES
from data_access.importer.validate import AmbiguousDates
from data_access.importer.warehouse import FRESH_STEPS, holds_demo
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
    """The last import of `kind` in this session: counts, notes, created names, rejects, downloads."""
    result = st.session_state.get(f"data_{kind}_result")
    if result is None:
        return
    label = "Dry run — nothing was written" if result.dry_run else "Import finished"
    (st.warning if result.any_rejected else st.success)(
        f"{label}: {result.rows_read:,} rows read in {result.seconds:.1f} s.")
    for part in [result] + ([result.responses] if result.responses is not None else []):
        if part is not result:
            st.markdown("**Survey answers on the same rows**")
        _result_part(part, kind if part is result else f"{kind}_responses")
    st.download_button("Download report (Markdown)", report.report_markdown(result).encode("utf-8"),
                       file_name=f"import-report-{kind}.md", mime="text/markdown", key=f"data_{kind}_md",
                       on_click="ignore")


def _result_part(result, key: str) -> None:
    cols = st.columns(6)
    for col, (name, value) in zip(cols, report.summary_rows(result)):
        col.metric(name.capitalize(), f"{value:,}")
    for line in report.notes(result):
        st.caption(literal(line))
    for what, names in result.created.items():
        if names:
            st.caption(literal(f"Created {what}: " + ", ".join(names)))
    if result.rejected:
        st.markdown(f"**Rejected rows** ({result.rejected:,}) — kept in quarantine to fix and re-import")
        st.dataframe(result.rejects.drop("raw_row"), hide_index=True, width="stretch")
        st.download_button("Download rejected rows (CSV: original columns + line, column, reason)",
                           report.rejects_csv(result), file_name=f"import-rejects-{key}.csv", mime="text/csv",
                           key=f"data_{key}_csv", on_click="ignore")


DATE_ORDERS = {"Decide from the file": None, "Day first (31/01/2026)": "day", "Month first (01/31/2026)": "month"}


def _demo_confirmed(kind: str, engine: sa.Engine) -> bool:
    """On a demo warehouse: say so, recommend a fresh one, and import only once the admin agrees."""
    if not holds_demo(engine):
        return True
    st.warning("This warehouse holds **demo data**: imported rows would be mixed with invented ones in "
               "every figure.")
    st.code(FRESH_STEPS, language=None)
    return st.checkbox("Import into the demo warehouse anyway", key=f"data_{kind}_into_demo")


def _choices(kind: str, detected) -> tuple:
    """Preset, date order, scale, combined flag and the saved mapping chosen on the page."""
    saved = mapping_widgets.saved_mapping(kind)
    names = presets.preset_names(kind)
    labels = {n: presets.load_presets()[n].label for n in names}
    start = saved.preset if saved.preset in names else detected.preset
    o1, o2, o3 = st.columns(3)
    preset = o1.selectbox("Preset", names, index=names.index(start), format_func=labels.get,
                          key=mapping_widgets.editor_key(kind, "", saved, "preset"),
                          help="Detected from the file's header; change it if needed.")
    orders = list(DATE_ORDERS)
    order = o2.selectbox("Dates like 03/04/2026", orders, key=mapping_widgets.editor_key(kind, "", saved, "dates"),
                         index=list(DATE_ORDERS.values()).index(saved.date_order))
    combined = kind == "tickets" and st.checkbox(
        "The file also has each ticket's survey answer (import both in one pass)", value=saved.with_responses,
        key=mapping_widgets.editor_key(kind, "", saved, "combined"))
    scale = None
    if kind == "responses" or combined:
        default = saved.scale or presets.load_presets()[preset].kinds.get("responses", presets.load_presets()[
            "generic"].kinds["responses"]).scale
        scale = o3.selectbox("Score scale", list(SCALES), index=list(SCALES).index(default),
                             format_func=SCALES.get, key=mapping_widgets.editor_key(kind, preset, saved, "scale"))
    return saved, preset, DATE_ORDERS[order], scale, combined


def import_flow(kind: str, engine: sa.Engine) -> None:
    """Upload → preset → mapping (or questions) → preview → import, for one kind of file."""
    uploaded = st.file_uploader(f"{kind.capitalize()} export (CSV, Excel .xlsx or Parquet)",
                                type=["csv", "txt", "tsv", "xlsx", "parquet"], key=f"data_{kind}_upload")
    if uploaded is None:
        st.info(f"Choose a {kind} file exported from your ITSM or survey tool.")
        show_import_result(kind)
        return
    path = save_upload(uploaded, kind)
    if path is None:
        return
    try:
        detected = plan_import(path, kind, file_name=uploaded.name)
        saved, preset, order, scale, combined = _choices(kind, detected)
        plan = _mapped_plan(kind, path, uploaded.name, saved, preset, order, scale, combined)
    except ImportFileError as exc:
        st.error(literal(str(exc)))
        return
    _preview_and_run(kind, engine, plan)


def _mapped_plan(kind, path, name, saved, preset, order, scale, combined):
    base = plan_import(path, kind, file_name=name, **{
        **saved.plan_kwargs(), "preset": preset, "scale": scale, "date_order": order, "with_responses": combined})
    st.caption(literal(f"{base.source.describe()} · {len(base.source.header)} columns"))
    if base.long is not None:
        st.caption("One row per answer (long format): answers are grouped by response and each question "
                   "fills the field you choose.")
        return mapping_widgets.question_table(base, mapping_widgets.editor_key(kind, preset, saved, "questions"))
    columns, constants = mapping_widgets.field_table(kind, base, saved, mapping_widgets.editor_key(
        kind, preset, saved, "mapping"), combined)
    with st.expander("Value maps (e.g. channel 'Social Media' → social)"):
        values = mapping_widgets.value_table(saved, mapping_widgets.editor_key(kind, preset, saved, "values"))
    return plan_import(path, kind, preset=preset, mapping=columns, scale=scale, date_order=order, file_name=name,
                       constants=constants, value_maps=values, with_responses=combined)


def _preview_and_run(kind: str, engine: sa.Engine, plan) -> None:
    missing = plan.missing() if plan.long is None else []
    if plan.responses is not None:
        missing += [f"{m} (answers)" for m in plan.responses.missing() if m not in missing]
    blocked = bool(missing) or bool(plan.long is not None and (plan.problems or "happiness" not in plan.long.questions.values()))
    if missing:
        st.warning(f"Map a column (or give a constant) for: {', '.join(missing)}.")
    elif not blocked:
        shown, problems = preview(plan, rows=10, url_engine=engine)
        st.markdown("**Preview** — the first rows as they will land")
        st.dataframe(shown, hide_index=True, width="stretch")
        if problems.height:
            st.markdown("**Would be rejected** (among the first rows)")
            st.dataframe(problems.select("line", "column", "reason"), hide_index=True, width="stretch")
    mapping_widgets.download_mapping(plan, kind)
    allowed = _demo_confirmed(kind, engine)
    b1, b2, _ = st.columns([1, 1, 3])
    dry = b1.button("Check only", key=f"data_{kind}_dry", disabled=blocked)
    real = b2.button(f"Import {kind}", type="primary", key=f"data_{kind}_go", disabled=blocked or not allowed)
    if dry or real:
        _run(kind, engine, plan, dry, real)
    show_import_result(kind)


def _run(kind: str, engine: sa.Engine, plan, dry: bool, real: bool) -> None:
    bar = st.progress(0.0, text="Reading…")
    try:
        result = run_import(engine, plan, dry_run=dry,
                            progress=lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text))
    except (ImportFileError, AmbiguousDates, AmbiguousQuestions) as exc:
        st.error(literal(str(exc)))
        return
    except ImportInterrupted as exc:
        st.error(literal(str(exc)))
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
            "unchanged": "Unchanged", "skipped": "Skipped", "rejected": "Rejected"})
        with_rejects = runs.filter(runs["rejected"] > 0)
        if with_rejects.height:
            label = {r["run_id"]: f"Run {r['run_id']} — {r['kind']} from {r['file_name']} ({r['rejected']:,} rejected)"  # selectbox options are plain text
                     for r in with_rejects.iter_rows(named=True)}
            run_id = st.selectbox("Rejected rows of run", list(label), format_func=label.get,
                                  key="data_quarantine_run")
            rejected = history.run_rejects(engine, scope=scope, run_id=run_id)
            st.dataframe(rejected, hide_index=True, width="stretch",
                         column_config={"raw_row": st.column_config.TextColumn("Original row")})
            st.download_button("Download these rows (CSV: original columns + line, column, reason)",
                               report.rejects_frame_csv(rejected),
                               file_name=f"quarantine-run-{run_id}.csv", mime="text/csv", on_click="ignore")
