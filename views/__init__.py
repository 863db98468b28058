"""Read models: scoped reads from `data_access` → formulas from `metrics` → disclosure control → figures.

One module per page or message (`culture` for Culture trends); every figure about people the
viewer may not see individually passes `views.disclosure` on its way to a page, a download or
an email. Nothing here imports streamlit except for the read caches of `data_access`.
"""
