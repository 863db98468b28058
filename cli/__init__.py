"""Service Pulse's command line: warehouse, users, imports, rollups, digests and surveys.

It sits above every other package (it may import data_access, notify and views); nothing imports
it except the two entry points, `python -m data_access` and `python -m cli`.
"""

from cli.main import build_parser, main

__all__ = ["build_parser", "main"]
