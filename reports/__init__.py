"""Printable reports: the 1:1 coaching brief (Markdown and PDF)."""
