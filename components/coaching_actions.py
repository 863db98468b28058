"""Coaching page actions: the recovery queue (close the loop) and coaching notes, with their forms.

Writes go through data_access.writes.coaching; a stale version shows a clear conflict message,
bad input shows the sentence from InvalidInput on the form. User text is shown as text only.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import streamlit as st

from components import formats
from components.coaching import analyst_picker, current_minute, pager
from components.tables import moment_columns, readable
from components.text import literal
from components.viewer import current_viewer
from data_access import clock, config
from data_access.scope import Scope
from data_access.writes import InvalidInput, WriteConflict
from data_access.writes import coaching as writes
from metrics import periods
from views import cache
from views.cache import coaching as data

WINDOWS = {**{k: periods.LABELS[k] for k in ("30d", "90d", "12m")}, "all": "All time"}
STATUS_LABELS = {"open": "To do", "resolved": "Handled", "all": "All"}
TABLE_GENERATION = "coaching_rq_table_generation"
KIND_LABELS = {"contacted": "Contacted the user", "note": "Add a note only", "resolved": "Close with outcome",
               "reopened": "Reopen"}


def _url() -> str:
    return config.database_url()


def _flash(key: str, kind: str, text: str) -> None:
    st.session_state[key] = (kind, text)


def _show_flash(key: str) -> None:
    message = st.session_state.pop(key, None)
    if message:
        getattr(st, message[0])(literal(message[1]))


# ---------------------------------------------------------------- recovery queue

def recovery_section(scope: Scope) -> None:
    """The close-the-loop queue of the lead's teams, with the action form for one item."""
    settings = data.recovery_settings(url=_url())
    window, status, who = _queue_filters(scope)
    since = (dt.datetime.combine(periods.preset_range(window, clock.today())[0], dt.time())
             if window in periods.LABELS else None)
    page_key = "coaching_rq_page"
    signature = (window, status, who)
    if st.session_state.get("coaching_rq_sig") != signature:
        st.session_state["coaching_rq_sig"] = signature
        st.session_state[page_key] = 0
    page = st.session_state.get(page_key, 0)
    queue, total, overdue = data.recovery_queue(scope=scope, threshold=settings.threshold, since=since,
                                                now=current_minute(), target_hours=settings.target_hours,
                                                status=status, analyst_id=who, page=page, url=_url())
    _show_flash("coaching_rq_flash")
    st.caption(f"Every response scoring {settings.threshold} or less enters the queue; the first contact is "
               f"due within {settings.target_hours} hours (weekends skipped). Not yet contacted items come "
               f"first, the most overdue on top. {total:,} item{'s' if total != 1 else ''} match"
               + (f", {overdue:,} still waiting past the target." if status != "resolved" else "."))
    if queue.is_empty():
        st.info("Nothing to follow up here — every unhappy response in this window has been handled."
                if status == "open" else "No items match these filters.")
        return
    event = _queue_table(queue)
    _pager(page_key, page, total)
    rows = event.selection.rows if event else []
    if not rows or rows[0] >= queue.height:
        # Never guess which item the lead means: the form opens only for a row they picked.
        st.info("Select an item in the table (the box at the start of its row) to record a contact, "
                "a note or its outcome.", icon=":material/touch_app:")
        return
    _recovery_form(scope, queue.row(rows[0], named=True), settings.threshold)


def _queue_filters(scope: Scope) -> tuple[str, str, int | None]:
    """The queue's window, status and analyst boxes (the analysts of the lead's teams, by name)."""
    roster = data.roster(scope=scope, url=_url())
    names = dict(zip(roster["analyst_id"].to_list(), roster["name"].to_list()))
    f1, f2, f3 = st.columns([2, 2, 3])
    window = f1.selectbox("Submitted", list(WINDOWS), index=1, format_func=WINDOWS.get,
                          key="coaching_rq_window")
    status = f2.segmented_control("Status", list(STATUS_LABELS), format_func=STATUS_LABELS.get, default="open",
                                  required=True, key="coaching_rq_status") or "open"
    who = f3.selectbox("Analyst", [None] + list(names), key="coaching_rq_analyst",
                       format_func=lambda a: "Everyone" if a is None else names[a])
    return window, status, who


def _queue_table(queue: pl.DataFrame):
    """The queue as a selectable table, overdue rows tinted; returns the selection event."""
    when = "%-d %b, %H:%M"
    shown = queue.select(
        pl.when(pl.col("overdue")).then(pl.lit("⚠ overdue")).when(pl.col("resolved_at").is_not_null())
        .then(pl.lit("closed")).when(pl.col("first_contact_at").is_not_null()).then(pl.lit("contacted"))
        .otherwise(pl.lit("new")).alias("State"),
        pl.col("ticket_id").alias("Ticket"), pl.col("analyst").alias("Analyst"),
        pl.col("happiness").alias("Score"), pl.col("due_at").dt.strftime(when).alias("Target"),
        pl.col("first_contact_at").dt.strftime(when).fill_null(formats.NO_VALUE).alias("Contacted"),
        pl.col("comment").fill_null("").alias("Comment"),
        pl.col("submitted_at").dt.strftime(when).alias("Submitted"), pl.col("outcome").fill_null(formats.NO_VALUE).alias("Outcome"))
    styled = shown.to_pandas().style
    overdue_rows = [i for i, state in enumerate(shown["State"].to_list()) if state == "⚠ overdue"]
    if overdue_rows:  # tint overdue rows without a per-row Python callback
        styled = styled.set_properties(subset=pd.IndexSlice[overdue_rows, :],
                                       **{"background-color": "rgba(255, 75, 75, 0.16)"})
    # The table's key changes after every recorded action: the order changes with it, and a kept
    # selection would point at another item.
    table_key = f"coaching_rq_table_{st.session_state.get(TABLE_GENERATION, 0)}"
    return st.dataframe(styled, hide_index=True, on_select="rerun", selection_mode="single-row",
                        key=table_key,
                        column_config={"State": st.column_config.TextColumn(width="small"),
                                       "Ticket": st.column_config.TextColumn(width="medium", pinned=True),
                                       "Score": st.column_config.NumberColumn(width="small"),
                                       "Comment": st.column_config.TextColumn(width="large")})


def _pager(page_key: str, page: int, total: int) -> None:
    pages = (total + data.QUEUE_PAGE_SIZE - 1) // data.QUEUE_PAGE_SIZE
    if pages > 1:
        pager(page_key, page, pages, labels=("← Previous", "Next →"), caption=f"Page {page + 1} of {pages}",
              key="coaching_rq")


def _recovery_form(scope: Scope, item: dict, threshold: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{literal(item['ticket_id'])}** · score {item['happiness']} · "
                    f"{literal(item['analyst'])} · target {item['due_at']:%-d %b, %H:%M}"
                    + (" · :red[overdue]" if item["overdue"] else ""))
        if item["comment"]:
            st.text(item["comment"])
        history = data.recovery_history(scope=scope, ticket_key=item["ticket_key"], url=_url())
        if not history.is_empty():
            with st.expander(f"History ({history.height})"):
                shown = readable(history.rename({"acted_at": "When", "kind": "Action", "outcome": "Outcome",
                                                 "note": "Note", "by": "By"}))
                st.dataframe(shown, hide_index=True, column_config=moment_columns(shown))
        kinds = ["reopened", "note"] if item["resolved_at"] is not None else ["contacted", "note", "resolved"]
        with st.form(f"coaching_rq_form_{item['ticket_key']}", clear_on_submit=True):
            kind = st.radio("Action", kinds, format_func=KIND_LABELS.get, horizontal=True)
            outcome = st.selectbox("Outcome (when closing)", writes.OUTCOMES, index=None,
                                   placeholder="Choose how it ended")
            note = st.text_area("Note", max_chars=writes.MAX_TEXT, height=90,
                                placeholder="What did you agree with the user?")
            submitted = st.form_submit_button("Record", type="primary")
        if submitted:
            viewer = current_viewer()
            try:
                writes.record_recovery_action(url=_url(), scope=scope, user_id=viewer.user_id,
                                              ticket_key=item["ticket_key"], kind=kind, outcome=outcome, note=note,
                                              expected_version=item["version"], threshold=threshold)
            except InvalidInput as exc:
                st.error(literal(exc))
                return
            except WriteConflict as exc:
                cache.clear_cached_reads()
                st.warning(literal(exc))
                return
            cache.clear_cached_reads()
            _flash("coaching_rq_flash", "success", f"Recorded for {item['ticket_id']}: {KIND_LABELS[kind].lower()}.")
            st.session_state[TABLE_GENERATION] = st.session_state.get(TABLE_GENERATION, 0) + 1
            st.rerun()


# ---------------------------------------------------------------- coaching notes

def notes_section(scope: Scope) -> None:
    """Dated coaching notes about one analyst: add, edit, share; private until shared."""
    with st.columns([2, 3])[0]:
        analyst = analyst_picker(scope, "coaching_analyst_notes")
    if analyst is None:
        return
    aid, name = int(analyst["analyst_id"]), analyst["name"]
    _show_flash("coaching_note_flash")
    # A saved note starts a fresh, empty form (new widget keys), so it cannot be saved twice by
    # accident; a refused note keeps its text for correction.
    form_no = st.session_state.setdefault("coaching_note_form_no", 0)
    with st.form(f"coaching_note_new_{form_no}", clear_on_submit=False):
        st.markdown(f"**New note about {literal(name)}**")
        body = st.text_area("Note", max_chars=writes.MAX_TEXT, height=100, key=f"coaching_note_body_{form_no}",
                            placeholder="What you discussed, what you agreed, what to check next time")
        c1, c2 = st.columns(2)
        follow = c1.date_input("Follow up on (optional)", value=None, key=f"coaching_note_follow_{form_no}",
                               format=formats.PICKER)
        shared = c2.toggle("Share with the analyst now", value=False, key=f"coaching_note_shared_{form_no}")
        saved = st.form_submit_button("Save note", type="primary")
    if saved:
        try:
            writes.add_note(url=_url(), scope=scope, user_id=current_viewer().user_id, analyst_id=aid, body=body,
                            follow_up_on=follow, shared=shared)
        except InvalidInput as exc:
            st.error(literal(exc))
        else:
            cache.clear_cached_reads()
            for key in ("coaching_note_body", "coaching_note_follow", "coaching_note_shared"):
                st.session_state.pop(f"{key}_{form_no}", None)
            st.session_state["coaching_note_form_no"] = form_no + 1
            _flash("coaching_note_flash", "success", "Note saved." + ("" if shared else " The analyst does not see "
                                                                        "it until you share it."))
            st.rerun()

    seen = data.analyst_notes(scope=scope, analyst_id=aid, url=_url())
    notes, kudos = seen.notes, seen.kudos
    if notes.is_empty():
        st.info(f"No coaching notes about {literal(name)} yet.")
    else:
        st.caption("The analyst sees a note once it is marked “shared with analyst” (it then appears on their "
                   "page); until then only the leads of their team see it.")
        for note in notes.iter_rows(named=True):
            _note_card(scope, note)
    with st.expander(f"Kudos {literal(name)} received ({kudos.height})", icon=":material/celebration:"):
        if kudos.is_empty():
            st.caption("No kudos yet — send one from a positive response on the Analyst tab.")
        else:
            shown = readable(kudos.rename({"given_at": "Sent", "ticket_id": "Ticket", "happiness": "Score",
                                           "comment": "Customer comment", "note": "Your note"}))
            st.dataframe(shown, hide_index=True, height=min(38 + 35 * kudos.height, 320),
                         column_config=moment_columns(shown))


def _note_card(scope: Scope, note: dict) -> None:
    nid = note["note_id"]
    with st.container(border=True):
        head, act = st.columns([5, 2])
        follow = note["follow_up_on"]
        meta = f"{note['created_at']:%-d %b %Y}"
        if follow:
            meta += f" · follow up {follow:%-d %b %Y}" + (" (due)" if follow <= clock.today() else "")
        meta += " · shared with analyst" if note["shared_with_analyst"] else " · private"
        head.caption(literal(meta))
        head.text(note["body"])
        label = "Make private" if note["shared_with_analyst"] else "Share with analyst"
        if act.button(label, key=f"coaching_note_share_{nid}", icon=":material/share:"):
            _write_note(lambda: writes.share_note(url=_url(), scope=scope, note_id=nid,
                                                  shared=not note["shared_with_analyst"],
                                                  expected_version=note["version"]),
                        "Shared with the analyst." if not note["shared_with_analyst"] else "The note is private again.")
        with act.popover("Edit", icon=":material/edit:"):
            with st.form(f"coaching_note_edit_{nid}"):
                body = st.text_area("Note", value=note["body"], max_chars=writes.MAX_TEXT)
                new_follow = st.date_input("Follow up on", value=follow, format=formats.PICKER)
                if st.form_submit_button("Save changes"):
                    _write_note(lambda: writes.edit_note(url=_url(), scope=scope, note_id=nid, body=body,
                                                         follow_up_on=new_follow, expected_version=note["version"]),
                                "Note updated.")


# Same try/except shape as components/preferences.py:_write, other outcomes: a note edited meanwhile
# (WriteConflict) warns and reloads, and every success clears the cached reads; nothing to share.
def _write_note(action, success: str) -> None:
    try:
        action()
    except InvalidInput as exc:
        st.error(literal(exc))
        return
    except WriteConflict as exc:
        cache.clear_cached_reads()
        _flash("coaching_note_flash", "warning", str(exc))
        st.rerun()
    cache.clear_cached_reads()
    _flash("coaching_note_flash", "success", success)
    st.rerun()
