"""Hostile text for the "text is text" tests: names, comments and notes that would become links,
images, HTML or formatting if any page rendered them as Markdown."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access import schema
from data_access.engine import get_engine

HOSTILE_NAMES: tuple[str, ...] = (
    "Eve [Reset your password](https://evil.example/login)",
    "![x](https://evil.example/p.png)",
    "https://evil.example",
    "www.evil.example",
    "a@evil.example",
    "<img src=x onerror=alert(1)>",
    "**bold**",
    "$x$",
    ":red[x]",
    ":material/warning:",
    "# heading",
    "<https://evil.example/auto>",
    "[x]: https://evil.example/ref",
    "`code` ~~gone~~ _em_",
    "- item",
    "1. list",
    "> quote",
    "&lt;b&gt; &#x3C;img src=x&#x3E;",
    "x :smile: y",
    "    indented code",
    "Ann: [x](https://evil.example/colon)",
    "<a href='https://evil.example/a'>click</a>",
)
# What none of the rendered pages may link to, load from or send a request to.
EVIL_HOST = "evil.example"


def _hostile(i: int) -> str:
    return HOSTILE_NAMES[i % len(HOSTILE_NAMES)]


def make_hostile(url: str) -> None:
    """Overwrite every user-originated name and text of a demo warehouse with hostile values."""
    T, A, S = schema.teams, schema.analysts, schema.services
    with get_engine(url).begin() as conn:
        for table, key in ((T, T.c.team_id), (A, A.c.analyst_id), (S, S.c.service_id)):
            for (row_id,) in conn.execute(sa.select(key)).all():
                conn.execute(table.update().where(key == row_id).values(name=f"{_hostile(row_id)} {row_id}"))
        for (user_id,) in conn.execute(sa.select(schema.app_users.c.user_id)).all():
            conn.execute(schema.app_users.update().where(schema.app_users.c.user_id == user_id)
                         .values(display_name=_hostile(user_id + 3)))
        keys = conn.execute(sa.select(schema.responses.c.ticket_key)).scalars().all()
        for i, key in enumerate(keys):
            conn.execute(schema.responses.update().where(schema.responses.c.ticket_key == key)
                         .values(comment=_hostile(i)))
            if i % 3 == 0:
                conn.execute(schema.tickets.update().where(schema.tickets.c.ticket_key == key)
                             .values(ticket_id=f"{_hostile(i)[:50]} {key}"))
        for (note_id,) in conn.execute(sa.select(schema.coaching_notes.c.note_id)).all():
            conn.execute(schema.coaching_notes.update().where(schema.coaching_notes.c.note_id == note_id)
                         .values(body=_hostile(note_id), shared_with_analyst=True))
        conn.execute(schema.import_runs.insert(), [
            dict(kind="tickets", file_name=name, preset="generic", started_at=dt.datetime(2026, 11, i + 1),
                 finished_at=dt.datetime(2026, 11, i + 1, 0, 5), rows_read=1, inserted=1)
            for i, name in enumerate(HOSTILE_NAMES[:6])])
