"""Admin → Data: what the warehouse holds, import ticket and survey exports, and the quarantine."""

import sqlalchemy as sa
import streamlit as st

from components.import_panel import save_upload, show_import_result
from components.viewer import require_scope
from data_access import config
from data_access.engine import DatabaseUnavailable, describe_failure, get_engine
from data_access.importer import history, presets, report
from data_access.importer.fields import FIELDS
from data_access.importer.reader import ImportFileError
from data_access.importer.run import ImportInterrupted, plan_import, preview, run_import
from data_access.importer.scores import SCALES
from data_access.importer.validate import AmbiguousDates
from data_access.stats import clear_cached_reads
from data_access.summary import warehouse_summary

scope = require_scope("admin")
st.title("Data")
engine = get_engine(config.database_url())

try:
    info = warehouse_summary(engine)
except (DatabaseUnavailable, sa.exc.SQLAlchemyError) as exc:
    st.error(describe_failure(exc))
    st.stop()

tables = info["tables"]
c1, c2, c3, c4 = st.columns(4)
c1.metric("Tickets", f"{tables['tickets']:,}")
c2.metric("Responses", f"{tables['responses']:,}")
c3.metric("Response rate", f"{info['response_rate']:.1%}" if info["response_rate"] is not None else "—")
c4.metric("Data", (info.get("origin") or "unknown").capitalize())
if info["first_response"]:
    st.caption(f"Responses from {info['first_response']:%d %b %Y} to {info['last_response']:%d %b %Y} · "
               f"{tables['teams']} teams · {tables['analysts']} analysts · {tables['services']} services · "
               f"{info['backend']} database")
if info.get("origin") == "demo":
    st.warning("This warehouse holds demo data. Imported rows are added next to it; point Service Pulse "
               "at an empty database for production data.")

DATE_ORDERS = {"Decide from the file": None, "Day first (31/01/2026)": "day", "Month first (01/31/2026)": "month"}


def import_flow(kind: str) -> None:
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
        st.error(str(exc))
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
    st.caption(f"{base.source.describe()} · {len(base.source.header)} columns")
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
            st.error(str(exc))
            return
        except ImportInterrupted as exc:
            st.error(str(exc))
            result = exc.result
        except (DatabaseUnavailable, sa.exc.SQLAlchemyError) as exc:
            st.error(describe_failure(exc))
            return
        finally:
            if real:
                clear_cached_reads()
        st.session_state[f"data_{kind}_result"] = result
        if real:
            st.rerun()  # the summary above shows the new counts and origin
    show_import_result(kind)


tickets_tab, responses_tab, quarantine_tab, template_tab = st.tabs(
    ["Import tickets", "Import responses", "Import history & quarantine", "Generic template"])
with tickets_tab:
    import_flow("tickets")
with responses_tab:
    st.caption("Import tickets first: every answer must belong to a ticket the warehouse knows.")
    import_flow("responses")
with quarantine_tab:
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
with template_tab:
    for kind in FIELDS:
        st.markdown(f"**{kind.capitalize()}** — header names of the generic template")
        st.dataframe(
            [{"field": f.name, "required": f.required, "meaning": f.help} for f in FIELDS[kind]],
            hide_index=True, width="stretch")
    st.caption("Score scales: " + " · ".join(SCALES.values()))
