"""Saved views: each person's named filter links for a page (SQL only).

A view belongs to one user; every read and write is limited to that user's rows in SQL. The
stored value is the page link's query string; it is validated when opened, like any link
(`components/query_params.py`, `components/filters.py`), never trusted because it was saved.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import sqlalchemy as sa

from data_access import config, query
from data_access.engine import get_engine
from data_access.schema import saved_views as V
from data_access.writes import InvalidInput, run_with_retry

MAX_NAME = 80
MAX_QUERY = 2_000
MAX_VIEWS = 30  # per person and page


def clean_name(name: str) -> str:
    """A view's name: spaces folded, 1–80 characters, no control characters."""
    text = " ".join(str(name or "").split())
    if not text:
        raise InvalidInput("Give the view a name.")
    if len(text) > MAX_NAME:
        raise InvalidInput(f"A view's name has at most {MAX_NAME} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput("A view's name cannot hold control characters.")
    return text


def list_views_query(*, user_id: int, page: str) -> sa.Select:
    """The SELECT behind `list_views`."""
    return (sa.select(V.c.name, V.c.query).where(V.c.user_id == user_id, V.c.page == page)
            .order_by(sa.func.lower(V.c.name), V.c.name))


def list_views(*, user_id: int, page: str, url: str | None = None) -> list[tuple[str, str]]:
    """(name, query string) of the person's saved views of `page`, by name."""
    rows = query.read(lambda conn: conn.execute(list_views_query(user_id=user_id, page=page)).all(), url=url)
    return [(str(r.name), str(r.query)) for r in rows]


def save_view(*, user_id: int, page: str, name: str, params: dict[str, str], now: dt.datetime,
              url: str | None = None) -> str:
    """Save (or replace) the person's view `name` of `page`; returns the cleaned name."""
    name = clean_name(name)
    query = urlencode(sorted(params.items()))
    if len(query) > MAX_QUERY:
        raise InvalidInput("This selection is too long to save.")

    def work(conn: sa.Connection) -> None:
        mine = [V.c.user_id == user_id, V.c.page == page]
        # Replace in place (a delete and insert of the same key in one transaction trips DuckDB).
        if conn.execute(sa.update(V).where(*mine, V.c.name == name).values(query=query, saved_at=now)).rowcount:
            return
        count = conn.execute(sa.select(sa.func.count()).select_from(V).where(*mine)).scalar_one()
        if count >= MAX_VIEWS:
            raise InvalidInput(f"You have {MAX_VIEWS} saved views of this page: delete one first.")
        conn.execute(sa.insert(V).values(user_id=user_id, page=page, name=name, query=query, saved_at=now))

    run_with_retry(get_engine(url or config.database_url()), work)
    return name


def delete_view(*, user_id: int, page: str, name: str, url: str | None = None) -> bool:
    """Delete the person's view `name` of `page`; False when there was none."""
    def work(conn: sa.Connection) -> int:
        return conn.execute(sa.delete(V).where(V.c.user_id == user_id, V.c.page == page,
                                               V.c.name == name)).rowcount

    return bool(run_with_retry(get_engine(url or config.database_url()), work))
