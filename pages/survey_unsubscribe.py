"""Unsubscribe from survey emails (no sign-in; reached only through a checked unsubscribe link)."""

import streamlit as st

from components.survey_entry import current
from data_access import clock
from data_access.engine import get_engine
from data_access.surveys import answers

context = current(unsubscribe=True)
if context is None:
    st.stop()

st.title("Survey emails")
st.write("Do you want to stop receiving the short survey emails the IT service desk sends when a ticket closes?")
if st.button("Unsubscribe me", type="primary", icon=":material/unsubscribe:"):
    if answers.unsubscribe(get_engine(context.url), context.checked.invitation.invitation_id, now=clock.now()):
        st.success("Done: you will receive no more survey emails. Your tickets are handled just the same.",
                   icon=":material/check_circle:")
    else:
        st.warning("This link is no longer valid. Nothing was changed.", icon=":material/link_off:")
