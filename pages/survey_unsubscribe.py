"""Unsubscribe from survey emails (no sign-in; reached only through a checked unsubscribe link)."""

from components import survey_pages

survey_pages.unsubscribe_page()
