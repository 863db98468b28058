"""The two pages a requester reaches from a survey email, without signing in: the answer page
(opening a one-click link records the score, then an optional follow-up) and unsubscribe.

Both are registered only by components/survey_entry for a checked token. The answer page shows
the ticket's number and description, and at most the first name of who handled it.
"""

from __future__ import annotations

import streamlit as st

from components.formats import day
from components.survey_entry import current
from components.survey_form import followup_form
from components.text import literal
from data_access import clock
from data_access.engine import DB_ERRORS, describe_failure, get_engine
from data_access.surveys import answers
from data_access.writes import InvalidInput

def answer_page() -> None:
    context = current()
    if context is None:  # only possible if the page were reached without the entry's check
        st.stop()
    inv, claim = context.checked.invitation, context.checked.claim
    engine = get_engine(context.url)
    recorded_key = f"_sp_survey_recorded:{context.token}"
    try:
        if recorded_key not in st.session_state:
            # Opening the link is the answer: record it once per session and link.
            st.session_state[recorded_key] = answers.record_score(engine, inv.invitation_id, claim.score,
                                                                  now=clock.now())
        factors, saved = answers.followup_state(engine, inv.ticket_key)
    except DB_ERRORS as exc:
        st.error(f"Your answer could not be recorded just now. {describe_failure(exc)} Please open the link "
                 "from your email again in a few minutes.", icon=":material/cloud_off:")
        st.stop()
    if st.session_state[recorded_key] == "gone":
        st.warning("This survey can no longer take answers. Nothing was recorded.", icon=":material/link_off:")
        st.stop()
    thanks(context, inv, claim)
    submitted = followup_form(factors, saved)
    if submitted is not None:
        save_followup(engine, inv.invitation_id, submitted)


def thanks(context, inv, claim) -> None:
    st.title("Thank you!")
    st.markdown(f"We recorded your answer **{claim.score} out of 10** for ticket {literal(inv.ticket_id)}: "
                f"{literal(inv.about)}.")
    if context.settings.show_analyst and inv.analyst_first_name:
        st.caption(f"Your ticket was handled by {literal(inv.analyst_first_name)}.")
    st.caption("Changed your mind? Pick another score in the email: the latest click counts until "
               f"{day(claim.expires_at)}.")


def save_followup(engine, invitation_id: int, submitted) -> None:
    try:
        ok = answers.save_followup(engine, invitation_id, care=submitted.care,
                                   lost_minutes=submitted.lost_minutes, comment=submitted.comment,
                                   factor_ids=submitted.factor_ids)
    except InvalidInput as exc:
        st.error(str(exc), icon=":material/error:")
    except DB_ERRORS as exc:
        st.error(f"Your answers could not be saved just now. {describe_failure(exc)} Please try again in a "
                 "few minutes.", icon=":material/cloud_off:")
    else:
        if ok:
            st.success("Saved. Thank you for taking the time — you can close this page now.",
                       icon=":material/check_circle:")
        else:
            st.warning("This survey can no longer take answers. Nothing was saved.", icon=":material/link_off:")


def unsubscribe_page() -> None:
    context = current(unsubscribe=True)
    if context is None:
        st.stop()
    st.title("Survey emails")
    st.write("Do you want to stop receiving the short survey emails the IT service desk sends when a ticket "
             "closes?")
    if st.button("Unsubscribe me", type="primary", icon=":material/unsubscribe:"):
        if answers.unsubscribe(get_engine(context.url), context.checked.invitation.invitation_id, now=clock.now()):
            st.success("Done: you will receive no more survey emails. Your tickets are handled just the same.",
                       icon=":material/check_circle:")
        else:
            st.warning("This link is no longer valid. Nothing was changed.", icon=":material/link_off:")
