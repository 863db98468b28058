"""Admin → Data: what the warehouse holds, import ticket and survey exports, and the quarantine."""

import streamlit as st

from components import data_admin
from components.viewer import require_scope

scope = require_scope("admin")
st.title("Data")
data_admin.render(scope)
