"""Culture trends: read the responses behind a hotspot cell, a factor or a month (render only).

The figures and the rule of what may be shown come from `views.drill`; comments arrive with
analysts' names blanked out and are shown as text (`components.text.literal`).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from components import drill_link, formats, query_params
from components.failures import DB_ERRORS, show_failure
from components.formats import day
from components.text import literal
from views.culture import CultureReport
from views.disclosure import SUPPRESSED
from views.drill import KINDS, DrillPage, DrillTarget, drill_through

KEY = drill_link.DRILL_KEY
TYPE_LABELS = {"incident": "incident", "request": "request"}


def targets(report: CultureReport, kind: str) -> dict[DrillTarget, str]:
    """The cells of `kind` the report shows a figure for, with their labels (worst cell, most
    named factor, latest month first)."""
    if kind == "cell" and not report.hotspots.is_empty():
        shown = report.hotspots.filter(~pl.col(SUPPRESSED).fill_null(False) & pl.col("happiness").is_not_null())
        return {DrillTarget("cell", service_id=int(r["service_id"]), channel=str(r["channel"])):
                f"{r['service']} · {r['channel_label']}"
                for r in shown.sort("impact", nulls_last=True).iter_rows(named=True)}
    if kind == "factor" and not report.factors.is_empty():
        named = report.factors.filter(pl.col("current") > 0).sort("current", descending=True)
        return {DrillTarget("factor", factor_id=int(r["factor_id"])): str(r["label"])
                for r in named.iter_rows(named=True)}
    if kind == "month" and not report.trend.is_empty():
        return {DrillTarget("month", month=m): f"{m:%B %Y}"
                for m in sorted(report.trend["month"].to_list(), reverse=True)}
    return {}


def _focused_cell(report: CultureReport) -> DrillTarget | None:
    """The hotspot cell the page is filtered to (after a click on it), if exactly one."""
    filters = report.key[1]
    if len(filters.service_ids) == 1 and len(filters.channels) == 1:
        return DrillTarget("cell", service_id=filters.service_ids[0], channel=filters.channels[0])
    return None


def _response(row: dict) -> None:
    with st.container(border=True):
        # Labels the page hides for this row (they would rebuild a hidden cell) arrive blank.
        about = [row["service"], formats.channel(row["channel"]) if row["channel"] else None,
                 TYPE_LABELS.get(row["ticket_type"], "ticket") if row["ticket_type"] else None]
        shown = " · ".join(a for a in about if a)
        st.caption(f"{day(row['day'])} · score {int(row['happiness'])}" + (f" · {literal(shown)}" if shown else ""))
        if row["comment"]:
            st.markdown(literal(row["comment"]))
        else:
            st.caption("No comment.")


def _pager(result: DrillPage, page_key: str) -> None:
    if result.pages <= 1:
        return
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    left.button("Newer", icon=":material/chevron_left:", key=f"{KEY}_newer", disabled=result.page == 0,
                on_click=lambda: st.session_state.update({page_key: result.page - 1}), width="stretch")
    middle.caption(f"Page {result.page + 1:,} of {result.pages:,}")
    right.button("Older", icon=":material/chevron_right:", key=f"{KEY}_older",
                 disabled=result.page >= result.pages - 1,
                 on_click=lambda: st.session_state.update({page_key: result.page + 1}), width="stretch")


def _pick_target(report: CultureReport) -> tuple[str, DrillTarget, bool] | None:
    """The drill section's selectors (kind, then cell, factor or month); a click elsewhere on the
    page or the link may have set them, and whether only commented responses are listed. None when
    nothing of the kind shows figures."""
    focused = _focused_cell(report)
    cols = st.columns([2.0, 2.2, 1.3, 1.1], vertical_alignment="bottom")
    kind = cols[0].segmented_control("Drill into", list(KINDS), format_func=KINDS.get, key=drill_link.KIND_KEY,
                                     default=None if drill_link.KIND_KEY in st.session_state else "cell") or "cell"
    options = targets(report, kind)
    if drill_link.not_shown(kind, options):
        st.info(f"That {literal(KINDS[kind].lower())} shows no figures in this selection, so its responses are not "
                "listed; pick one below.", icon=":material/visibility_off:")
    if not options:
        drill_link.keep_in_link(None)
        st.info("Nothing of this kind shows figures in this selection.")
        return None
    keys = list(options)
    start = keys.index(focused) if kind == "cell" and focused in options else 0
    target = cols[1].selectbox(KINDS[kind], keys, index=start, format_func=options.get,
                               key=drill_link.target_key(kind))
    drill_link.keep_in_link(target)
    only = cols[2].toggle("Only with a comment", value=True, key=f"{KEY}_only")
    if kind != "cell":
        cols[3].button("Back to cells", icon=":material/close:", key=f"{KEY}_clear", on_click=drill_link.clear_target,
                       help="Stop reading this month or factor (the link forgets it too).")
    return kind, target, only


def drill_section(report: CultureReport) -> None:
    """Pick a hotspot cell, a factor or a month and read its responses, newest first."""
    st.subheader("Read what users said")
    st.caption("The responses behind a hotspot cell, a factor or a month, newest first — or click a month of "
               "the trend or a factor row (What users say) to open its responses here. Only cells that show "
               "figures above open; analysts' names in comments read “[analyst]”.")
    query_params.show_notice(st.session_state.pop(drill_link.NOTICE_KEY, None) or [])
    picked = _pick_target(report)
    if picked is None:
        return
    kind, target, only = picked
    page_key = f"{KEY}_page"
    if st.session_state.get(f"{KEY}_last") != (target, only):
        st.session_state[f"{KEY}_last"] = (target, only)
        st.session_state[page_key] = 0
    try:  # the report may come from the cache while the database has stopped answering
        result = drill_through(report, target, page=st.session_state.get(page_key, 0), only_commented=only)
    except DB_ERRORS as exc:
        show_failure(exc)
        return
    if result.withheld:
        st.info(f"{result.n:,} responses — not shown: {literal(result.withheld)}.", icon=":material/visibility_off:")
        return
    st.caption(f"{result.n:,} responses, {result.commented:,} with a comment · newest first")
    if kind != "cell":
        st.caption("A response's service, channel or ticket type is left out where the figures above hide "
                   "that cell, so that it cannot be rebuilt from the responses.")
    if result.rows.is_empty():
        st.info("No response in this cell has a comment." if only else "No responses in this cell.")
        return
    for row in result.rows.iter_rows(named=True):
        _response(row)
    _pager(result, page_key)
