"""Admin: who may sign in — list users, add one, set a password, change roles and links, disable."""

import streamlit as st

from components import user_admin
from components.viewer import require_scope

scope = require_scope("admin")
st.title("Users")
user_admin.render(st.session_state["viewer"], scope)
