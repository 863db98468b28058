"""Local warehouses next to the demo, the app's pointer to one, and what the data origin says."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data_access import bootstrap, config, demo, schema
from data_access.engine import get_engine
from data_access.writes import users as user_writes


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVICE_PULSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SERVICE_PULSE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SERVICE_PULSE_SECRETS", str(tmp_path / "none.toml"))
    return tmp_path


def test_the_pointer_switches_the_default_and_back(data_dir):
    assert config.database_url() == config.demo_database_url()
    url = bootstrap.create_local_warehouse("real")
    assert url == f"duckdb:///{(data_dir / 'real.duckdb').as_posix()}"
    assert config.database_url() == url and config.is_local_warehouse(url)
    assert not config.is_embedded_default(url)             # never filled with demo data
    with get_engine(url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.tickets)).scalar_one() == 0
        assert bootstrap.origin_of(conn) == "empty"
    bootstrap.use_local_warehouse("demo")
    assert config.database_url() == config.demo_database_url()


@pytest.mark.parametrize("content", ["../../etc/passwd", "/tmp/x", "real name", "", "x" * 61, "é"])
def test_a_hostile_pointer_falls_back_to_the_demo(data_dir, content):
    (data_dir / config.ACTIVE_WAREHOUSE_FILE).write_text(content)
    assert config.database_url() == config.demo_database_url()


@pytest.mark.parametrize("name", ["demo", "service_pulse", "../up", "a/b", "Real Data", ""])
def test_refused_warehouse_names(data_dir, name):
    with pytest.raises(bootstrap.LocalWarehouseError):
        bootstrap.create_local_warehouse(name)


def test_an_existing_warehouse_is_never_recreated(data_dir):
    bootstrap.create_local_warehouse("real", switch=False)
    with pytest.raises(bootstrap.LocalWarehouseError, match="already exists"):
        bootstrap.create_local_warehouse("real")
    with pytest.raises(bootstrap.LocalWarehouseError, match="no warehouse 'other'"):
        bootstrap.use_local_warehouse("other")


def test_only_files_in_the_data_folder_are_local(data_dir):
    assert config.is_local_warehouse(config.demo_database_url())
    assert not config.is_local_warehouse(f"duckdb:///{(data_dir / 'sub' / 'x.duckdb').as_posix()}")
    assert not config.is_local_warehouse(f"duckdb:///{(data_dir / '..' / 'x.duckdb').as_posix()}")
    assert not config.is_local_warehouse(f"sqlite:///{(data_dir / 'x.sqlite').as_posix()}")
    assert not config.is_local_warehouse("postgresql+psycopg://u@h/db")


def _origin(url: str) -> str:
    return bootstrap.data_origin(get_engine(url))


def _set(url: str, key: str, value: str | None) -> None:
    with get_engine(url).begin() as conn:
        conn.execute(schema.settings.delete().where(schema.settings.c.key == key))
        if value is not None:
            conn.execute(schema.settings.insert().values(key=key, value=value))


def test_demo_plus_an_import_is_mixed_never_imported(tmp_path, monkeypatch):
    monkeypatch.setattr(user_writes, "BCRYPT_ROUNDS", 4)
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    demo.generate(get_engine(url), responses=300, seed=3)
    assert _origin(url) == "demo"
    _set(url, "data_origin", "imported")                   # what an import writes
    assert _origin(url) == "mixed"
    _set(url, demo.DEMO_MARKER, None)                      # a demo made before the marker existed
    assert _origin(url) == "mixed"
    with get_engine(url).begin() as conn:                  # no demo account left: real data only
        conn.execute(schema.app_users.update().where(schema.app_users.c.username == "admin")
                     .values(email="it@corp.example"))
    assert _origin(url) == "imported"
    _set(url, "data_origin", "mixed")                      # an importer may write it directly
    assert _origin(url) == "mixed"
    _set(url, "data_origin", "something else")
    assert _origin(url) == "imported"


def test_an_empty_warehouse_says_empty(empty_sqlite_url):
    with get_engine(empty_sqlite_url).begin() as conn:
        from data_access import catalogue

        catalogue.seed_catalogue(conn)
    assert _origin(empty_sqlite_url) == "empty"
