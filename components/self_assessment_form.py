"""The analyst's self-assessment: the form, the share-with-my-lead switch and the history of submissions."""

from __future__ import annotations

import hashlib
import json
import uuid

import polars as pl
import streamlit as st

from components.text import literal
from data_access.engine import DB_ERRORS, describe_failure
from data_access.scope import Scope
from data_access.self_assessments import SelfAssessment
from data_access.writes import InvalidInput
from data_access.writes.self_assessment import NOTE_MAX_CHARS, set_sharing, submit_self_assessment
from metrics import CARE_DIMENSIONS
from metrics.self_view import COMPETENCY_NAMES, LABELS, LEVELS, SELF_DIMENSIONS

TOKEN_KEY = "my_sa_token"
TOKEN_PAYLOAD_KEY = "my_sa_token_payload"
SAVED_KEY = "my_sa_saved"
SHARING_ERROR_KEY = "my_sa_sharing_error"
STATEMENTS = {d.name: d.statement for d in CARE_DIMENSIONS}
COMPETENCY_TEXT = {
    "facilitation": "Guiding the user to a solution without making them repeat themselves.",
    "adaptability": "Serving well across channels and kinds of tickets.",
    "teamwork": "Handing over and picking up work so the user does not feel the seams.",
    "problem_solving": "Finding the real cause and fixing it for good.",
    "client_management": "Keeping users informed and setting honest expectations.",
    "self_management": "Planning your own work so promises and targets are kept.",
}


def _token_for(payload: str) -> str:
    """The form token: stays the same for a repeated submit of the same answers (a double click),
    changes once the answers change after a successful save."""
    token = st.session_state.get(TOKEN_KEY)
    used_for = st.session_state.get(TOKEN_PAYLOAD_KEY)
    if token is None or (used_for is not None and used_for != payload):
        token = uuid.uuid4().hex
        st.session_state[TOKEN_KEY] = token
        st.session_state[TOKEN_PAYLOAD_KEY] = None
    return token


def _rating(dim: str, prefix: str) -> int | None:
    levels = LEVELS[dim]
    if dim in STATEMENTS:
        label = f"**{LABELS[dim]}** — customers rate: “{STATEMENTS[dim]}”"
    else:
        label = f"**{LABELS[dim]}** — {COMPETENCY_TEXT[dim]}"
    return st.radio(label, [1, 2, 3, 4, 5], index=None, key=f"{prefix}_{dim}",
                    format_func=lambda level: f"{level} · {levels[level - 1]}")


def _ratings_grid(dims: tuple[str, ...], prefix: str) -> dict[str, int | None]:
    """Items two per row, each with its five levels spelled out."""
    answers: dict[str, int | None] = {}
    for start in range(0, len(dims), 2):
        cols = st.columns(2, gap="large")
        for col, dim in zip(cols, dims[start:start + 2]):
            with col:
                answers[dim] = _rating(dim, prefix)
    return answers


def self_assessment_form(scope: Scope, *, latest: SelfAssessment | None = None, key: str = "my_sa") -> None:
    """Draw the form; a valid submit is saved once, then the page re-runs to show it everywhere."""
    if f"{key}_note" not in st.session_state:
        # A freshly drawn form (first visit, or back from another tab) starts a new submission;
        # while it stays on screen, re-sending the same answers is the same submission.
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(TOKEN_PAYLOAD_KEY, None)
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved is not None:
        st.success("Saved — thank you. Your comparison with your customers (previous tab) is updated.",
                   icon=":material/check_circle:")
    st.caption("Rate yourself 1–5 on each item; the line next to each number describes that level. "
               "Every submission is kept with its date so you can see your progress.")
    shared_now = bool(latest is not None and latest.shared_with_lead)
    with st.form(key, border=True):
        st.markdown("**The four CARE dimensions** — the same statements your customers rate")
        ratings = _ratings_grid(tuple(d for d in SELF_DIMENSIONS if d in STATEMENTS), key)
        st.divider()
        st.markdown("**The six service competencies**")
        ratings.update(_ratings_grid(COMPETENCY_NAMES, key))
        st.divider()
        note = st.text_area("Reflection (optional, only you see it unless you share)", key=f"{key}_note",
                            max_chars=NOTE_MAX_CHARS, placeholder="What went well lately? What would you "
                            "like to get better at?")
        submitted = st.form_submit_button("Save my self-assessment", type="primary",
                                          icon=":material/check_circle:")
        st.caption(":material/visibility: Shared with your team lead, like your previous one (change it "
                   "under Sharing)." if shared_now else
                   ":material/lock: Private: only you will see it (change it under Sharing).")
    if not submitted:
        return
    payload = json.dumps({"r": ratings, "n": (note or "").strip()}, sort_keys=True)
    token = _token_for(hashlib.sha256(payload.encode()).hexdigest())
    try:
        assessment_id = submit_self_assessment(scope=scope, ratings=ratings, note=note, submission_token=token)
    except InvalidInput as exc:
        problems = getattr(exc, "problems", [str(exc)])
        st.error("Not saved yet:\n\n" + "\n".join(f"- {p}" for p in problems), icon=":material/error:")
        return
    st.session_state[TOKEN_PAYLOAD_KEY] = hashlib.sha256(payload.encode()).hexdigest()
    st.session_state[SAVED_KEY] = assessment_id
    st.rerun()


def _toggle_sharing(scope: Scope, key: str) -> None:
    # A callback runs before the page's own error handling: a database failure is kept for the
    # switch to show, and the switch goes back to what is actually stored.
    try:
        set_sharing(scope=scope, shared=bool(st.session_state[key]))
    except DB_ERRORS as exc:
        st.session_state[key] = not st.session_state[key]
        st.session_state[SHARING_ERROR_KEY] = f"Sharing was not changed. {describe_failure(exc)}"


def sharing_switch(scope: Scope, latest: SelfAssessment | None) -> None:
    """Share (or stop sharing) the latest self-assessment with the team lead. Private by default."""
    st.markdown("##### Sharing with your team lead")
    if latest is None:
        st.caption("Once you have saved a self-assessment you can choose to share it with your lead.")
        return
    key = f"my_share_{latest.assessment_id}"
    failure = st.session_state.pop(SHARING_ERROR_KEY, None)
    if failure:
        st.error(literal(failure))
    st.toggle("Share my latest self-assessment with my team lead", value=latest.shared_with_lead, key=key,
              on_change=_toggle_sharing, args=(scope, key))
    if latest.shared_with_lead:
        st.caption(f":material/visibility: Your lead can see your self-assessment of "
                   f"{latest.submitted_at:%-d %B %Y} (ratings and reflection). Switch off to make it private again.")
    else:
        st.caption(":material/lock: Private: only you can see your self-assessments. Sharing shows your lead "
                   "your latest ratings and reflection — useful for a coaching conversation.")


def history_table(history: list[SelfAssessment]) -> pl.DataFrame:
    """One row per submission (newest first): date, the ten ratings, note, shared."""
    rows = [{"Submitted": item.submitted_at.date(),
             **{LABELS[d]: item.ratings.get(d) for d in SELF_DIMENSIONS},
             "Reflection": item.note or "", "Shared": item.shared_with_lead}
            for item in reversed(history)]
    return pl.DataFrame(rows)


def history_section(history: list[SelfAssessment]) -> None:
    """Every submission with its date, so progress is visible."""
    st.markdown("##### Your self-assessments so far")
    if not history:
        st.caption("Your submissions will be listed here, each with its date.")
        return
    st.caption(f"{len(history)} submission{'s' if len(history) != 1 else ''}, newest first. Each one is kept.")
    st.dataframe(history_table(history), hide_index=True, column_config={
        "Submitted": st.column_config.DateColumn(format="D MMM YYYY"),
        "Reflection": st.column_config.TextColumn(width="large"),
        "Shared": st.column_config.CheckboxColumn(help="Shared with your lead")})
