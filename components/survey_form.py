"""The optional follow-up of the survey page: reasons, the four CARE statements, lost time and a
comment. Every control has a visible label (screen readers announce it); nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from data_access.catalogue import CARE_WORDING
from data_access.schema import CARE_DIMENSIONS

# Plain numbers, so the five fit one row on a 390 px phone; the heading above them says what 1 and 5 mean.
SCALE = {1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}
LOST_LABEL = "How much work time did you lose? (minutes)"
COMMENT_LABEL = "Anything else you would like to tell us?"


@dataclass(frozen=True)
class FollowUp:
    factor_ids: list[int]
    care: dict[str, int | None]
    lost_minutes: float | None
    comment: str | None


def followup_form(factors: list[tuple[int, str, str]], current: dict | None) -> FollowUp | None:
    """Draw the form, pre-filled with what was saved before; the answers once submitted, else None."""
    current = current or {}
    chosen = set(current.get("factor_ids") or [])
    labels = {fid: label for fid, label, _ in factors}
    good = [fid for fid, _, polarity in factors if polarity == "positive"]
    bad = [fid for fid, _, polarity in factors if polarity == "negative"]
    with st.form("survey_followup", border=True, enter_to_submit=False):
        st.subheader("Tell us more (optional)")
        went_well = st.pills("What went well?", good, format_func=labels.get, selection_mode="multi",
                             default=[f for f in good if f in chosen], key="sv_good")
        better = st.pills("What could have been better?", bad, format_func=labels.get, selection_mode="multi",
                          default=[f for f in bad if f in chosen], key="sv_bad")
        st.markdown("**How much do you agree?** (1 = disagree, 5 = agree)")
        care = {}
        for dim in CARE_DIMENSIONS:
            saved = current.get(dim)
            care[dim] = st.radio(CARE_WORDING[dim], list(SCALE), format_func=SCALE.get, horizontal=True,
                                 index=None if saved is None else list(SCALE).index(int(saved)), key=f"sv_{dim}")
        lost = st.number_input(LOST_LABEL, min_value=0, max_value=43_200, step=5, key="sv_lost",
                               value=None if current.get("lost_minutes") is None else int(current["lost_minutes"]),
                               placeholder="e.g. 30")
        comment = st.text_area(COMMENT_LABEL, value=current.get("comment") or "", max_chars=2000, key="sv_comment")
        if not st.form_submit_button("Save my answers", type="primary", icon=":material/send:"):
            return None
    return FollowUp(sorted((went_well or []) + (better or [])), care,
                    None if lost is None else float(lost), comment)
