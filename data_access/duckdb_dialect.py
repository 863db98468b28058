"""DuckDB's SQLAlchemy dialect with SQL compilation caching on.

The duckdb_engine dialect leaves SQLAlchemy's compiled-statement cache off (it turned it off to
silence a warning, not for a known fault), so every statement of every page run was compiled from
scratch: a few milliseconds each, tens of them per page. Its statement compiler is PostgreSQL's,
which caches, and it adds only type names and TRY_CAST, which render no values; our own constructs
(`data_access.dialect`) declare `inherit_cache`. SQLAlchemy reads the switch from the dialect's
own class, hence this subclass, registered under the plain "duckdb" name by `data_access.engine`.
"""

from __future__ import annotations

from duckdb_engine import Dialect


class CachingDuckDBDialect(Dialect):
    """duckdb_engine's dialect, with compiled statements cached per engine."""

    supports_statement_cache = True
