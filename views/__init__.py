"""Read models: scoped reads from `data_access` → formulas from `metrics` → disclosure control → figures.

One module per page or message (`culture` for Culture trends, the `coaching` package for
Coaching); every figure about people the viewer may not see individually passes
`views.disclosure` on its way to a page, a download or an email. `views.cache` is the app's one
caching seam: the `st.cache_data` wrappers around the readers and read models, which pages and
components use; nothing else here imports streamlit.
"""
