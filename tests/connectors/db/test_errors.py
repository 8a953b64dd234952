"""db failures: bad SQL is bad input, an unreachable database is transient, wrong settings are fatal, and
the password shows nowhere."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection
from tests.support import unused_port

from interlace.connectors.db import DbConfig, DbConnection, connector
from interlace.sdk import FatalError, InvalidInput, RetryableError

from .conftest import MARIADB_URL, POSTGRES_URL, Database

PASSWORD = "canary-Pa55word-7f3e"


async def call(conn: DbConnection, operation: str, **values: object) -> object:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_an_sql_syntax_error_is_invalid_input_with_the_databases_message(
    database: Database, patients: DbConnection
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await call(patients, "select", query=f"SELEC name FROM {database.table}")
    message = str(caught.value)
    assert message.startswith("db.select on connection clinic: the database refused the statement: ")
    assert "syntax" in message.lower()
    assert "sqlalche.me" not in message


async def test_a_constraint_violation_is_invalid_input(database: Database, patients: DbConnection) -> None:
    with pytest.raises(InvalidInput, match=r"db.insert on connection clinic: the database refused") as caught:
        await call(
            patients,
            "insert",
            query=f"INSERT INTO {database.table} (name) VALUES (:n)",
            parameters={"n": "Ada"},
        )
    assert any(word in str(caught.value).lower() for word in ("unique", "duplicate"))


async def test_a_missing_bind_parameter_is_invalid_input(database: Database, patients: DbConnection) -> None:
    with pytest.raises(InvalidInput, match=r"A value is required for bind parameter 'ward'"):
        await call(patients, "select", query=f"SELECT * FROM {database.table} WHERE ward = :ward")


async def test_an_unknown_table_is_invalid_input(database: Database, patients: DbConnection) -> None:
    with pytest.raises(
        InvalidInput, match=r"db.select on connection clinic: the database refused the statement"
    ):
        await call(patients, "select", query="SELECT * FROM no_such_table_here")


@pytest.mark.parametrize("query", [42, ["SELECT 1"], {"sql": "SELECT 1"}, ""])
async def test_a_query_that_is_not_text_is_refused_before_reaching_the_database(
    database: Database, patients: DbConnection, query: object
) -> None:
    with pytest.raises(InvalidInput, match=r"parameter 'query' of db.select"):
        await call(patients, "select", query=query)


@pytest.mark.parametrize(
    "url", ["postgresql+asyncpg://root@127.0.0.1/test", "mysql+aiomysql://root@127.0.0.1/test"]
)
async def test_an_unreachable_database_is_retryable_and_named_without_the_password(url: str) -> None:
    port = unused_port()
    target = url.replace("127.0.0.1/", f"127.0.0.1:{port}/")
    config = DbConfig.model_validate({"url": target, "password": PASSWORD, "timeout": 2})
    async with DbConnection(config, name="records") as conn:
        for attempt in (call(conn, "select", query="SELECT 1"), conn.ping()):
            with pytest.raises(RetryableError) as caught:
                await attempt
            message = str(caught.value)
            assert "connection records: cannot reach the database at" in message
            assert f"root:***@127.0.0.1:{port}/test" in message
            assert PASSWORD not in message


@pytest.mark.needs("mariadb")
async def test_wrong_credentials_are_fatal() -> None:
    config = DbConfig.model_validate({"url": MARIADB_URL, "password": PASSWORD})
    async with DbConnection(config, name="records") as conn:
        with pytest.raises(
            FatalError, match=r"connection records: the database at .* refused the connection"
        ) as caught:
            await call(conn, "select", query="SELECT 1")
    assert "Access denied" in str(caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.needs("postgres")
async def test_an_unknown_database_is_fatal() -> None:
    config = DbConfig.model_validate({"url": POSTGRES_URL.rsplit("/", 1)[0] + "/no_such_database"})
    async with DbConnection(config, name="records") as conn:
        with pytest.raises(FatalError, match='database "no_such_database" does not exist'):
            await conn.ping()


async def test_a_sqlite_file_in_a_missing_directory_is_fatal(tmp_path: Path) -> None:
    config = DbConfig.model_validate({"url": f"sqlite+aiosqlite:///{tmp_path}/missing/app.db"})
    async with DbConnection(config, name="records") as conn:
        with pytest.raises(FatalError, match=r"cannot open the SQLite database"):
            await conn.ping()


async def test_waiting_too_long_for_a_pooled_connection_is_retryable(database: Database) -> None:
    held = asyncio.Event()
    release = asyncio.Event()

    async def hold(connection: AsyncConnection) -> None:
        held.set()
        await release.wait()

    async with database.connection(**{"pool-size": 1, "timeout": 0.2}) as conn:
        holder = asyncio.create_task(conn.run("hold", hold))
        await held.wait()
        try:
            with pytest.raises(
                RetryableError, match=r"db.select on connection clinic: cannot reach the database"
            ):
                await call(conn, "select", query="SELECT 1")
        finally:
            release.set()
            await holder


@pytest.mark.needs("postgres")
async def test_the_password_never_shows_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = DbConfig.model_validate({"url": POSTGRES_URL, "password": PASSWORD, "echo": True})
    shown = [repr(config), str(config), config.model_dump_json()]
    async with DbConnection(config, name="records") as conn:
        shown.append(repr(conn))
        await call(conn, "select", query="SELECT CAST(:x AS integer) AS x", parameters={"x": 1})
        with pytest.raises(InvalidInput) as caught:
            await call(conn, "select", query="SELECT * FROM no_such_table_here")
        shown.append(str(caught.value))
    assert "SELECT" in caplog.text, "echo should log the statements"
    assert PASSWORD not in caplog.text
    assert not [text for text in shown if PASSWORD in text]


def test_a_url_holding_a_password_is_refused_without_repeating_it() -> None:
    with pytest.raises(ValueError, match=r"url must not hold the password") as caught:
        DbConfig.model_validate({"url": f"postgresql://root:{PASSWORD}@db/test"})
    assert PASSWORD not in str(caught.value)


def test_a_url_that_is_not_a_database_url_is_refused() -> None:
    with pytest.raises(ValueError, match=r"url must be a database URL"):
        DbConfig.model_validate({"url": "not a url"})


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://root@db/test", "postgresql+asyncpg"),
        ("mariadb://root@db/test", "mysql+aiomysql"),
        ("sqlite:///app.db", "sqlite+aiosqlite"),
        ("postgresql+asyncpg://root@db/test", "postgresql+asyncpg"),
    ],
)
def test_a_url_naming_only_the_database_uses_its_async_driver(url: str, driver: str) -> None:
    conn = DbConnection(DbConfig.model_validate({"url": url, "password": PASSWORD}))
    assert conn.shown_url.startswith(f"{driver}://")
    assert PASSWORD not in conn.shown_url
