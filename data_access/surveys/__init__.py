"""Survey collection: invitations (who is asked, what was sent), signed one-click tokens, and
the answers the survey page writes. SQL and plain Python only (no Streamlit)."""
