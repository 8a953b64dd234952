"""db operations on SQLite, PostgreSQL and MariaDB: rows, changes, batches, transactions, procedures."""

from __future__ import annotations

import asyncio

import pytest

from interlace.connectors.db import DbConnection, connector
from interlace.sdk import FatalError, InvalidInput

from .conftest import Database, kinds


async def call(conn: DbConnection, operation: str, **values: object) -> object:
    return await connector.get_operation(operation).invoke(conn, values)


async def names(conn: DbConnection, database: Database) -> list[object]:
    rows = await call(conn, "select", query=f"SELECT name FROM {database.table} ORDER BY name")
    assert isinstance(rows, list)
    return [row["name"] for row in rows]


async def test_select_answers_rows_as_json_objects(database: Database, patients: DbConnection) -> None:
    rows = await call(
        patients,
        "select",
        query=f"SELECT name, ward, balance FROM {database.table} WHERE ward = :ward ORDER BY name",
        parameters={"ward": "A"},
    )
    assert rows == [
        {"name": "Ada", "ward": "A", "balance": 10.5},
        {"name": "Linus", "ward": "A", "balance": 99.99},
    ]


async def test_select_answers_at_most_limit_rows(database: Database, patients: DbConnection) -> None:
    rows = await call(patients, "select", query=f"SELECT name FROM {database.table} ORDER BY name", limit=2)
    assert rows == [{"name": "Ada"}, {"name": "Grace"}]


async def test_bound_values_are_never_read_as_sql(database: Database, patients: DbConnection) -> None:
    hostile = f"x'; DROP TABLE {database.table}; --"
    rows = await call(
        patients,
        "select",
        query=f"SELECT name FROM {database.table} WHERE name = :n",
        parameters={"n": hostile},
    )
    assert rows == []
    assert await names(patients, database) == ["Ada", "Grace", "Linus"]


async def test_insert_answers_the_row_count_and_the_new_id(
    database: Database, patients: DbConnection
) -> None:
    result = await call(
        patients,
        "insert",
        query=f"INSERT INTO {database.table} (name, ward) VALUES (:name, :ward)",
        parameters={"name": "Edsger", "ward": "C"},
    )
    if database.kind == "postgresql":
        assert result == {"rowCount": 1}
    else:
        assert result == {"rowCount": 1, "lastRowId": 4}


async def test_insert_returning_answers_the_rows(database: Database, patients: DbConnection) -> None:
    result = await call(
        patients,
        "insert",
        query=f"INSERT INTO {database.table} (name) VALUES (:name) RETURNING id, name",
        batch=[{"name": "Edsger"}, {"name": "Barbara"}],
    )
    assert result == {"rowCount": 2, "rows": [{"id": 4, "name": "Edsger"}, {"id": 5, "name": "Barbara"}]}


async def test_a_batch_inserts_every_row_with_the_shared_parameters(
    database: Database, patients: DbConnection
) -> None:
    result = await call(
        patients,
        "insert",
        query=f"INSERT INTO {database.table} (name, ward) VALUES (:name, :ward)",
        parameters={"ward": "D"},
        batch=[{"name": "Edsger"}, {"name": "Barbara"}, {"name": "Ken", "ward": "E"}],
    )
    assert result == {"rowCount": 3}
    rows = await call(
        patients, "select", query=f"SELECT name, ward FROM {database.table} WHERE id > 3 ORDER BY id"
    )
    assert rows == [
        {"name": "Edsger", "ward": "D"}, {"name": "Barbara", "ward": "D"}, {"name": "Ken", "ward": "E"}
    ]  # fmt: skip


async def test_a_failing_batch_changes_nothing(database: Database, patients: DbConnection) -> None:
    with pytest.raises(InvalidInput, match=r"db.insert on connection clinic: the database refused"):
        await call(
            patients,
            "insert",
            query=f"INSERT INTO {database.table} (name) VALUES (:name)",
            batch=[{"name": "Edsger"}, {"name": "Ada"}],
        )
    assert await names(patients, database) == ["Ada", "Grace", "Linus"]


async def test_update_and_delete_answer_how_many_rows_they_changed(
    database: Database, patients: DbConnection
) -> None:
    updated = await call(
        patients,
        "update",
        query=f"UPDATE {database.table} SET ward = :to WHERE ward = :ward",
        parameters={"ward": "A", "to": "Z"},
    )
    batch = await call(
        patients,
        "update",
        query=f"UPDATE {database.table} SET balance = :balance WHERE name = :name",
        batch=[
            {"name": "Ada", "balance": 1},
            {"name": "Grace", "balance": 2},
            {"name": "Nobody", "balance": 3},
        ],
    )
    deleted = await call(
        patients, "delete", query=f"DELETE FROM {database.table} WHERE ward = :ward", parameters={"ward": "Z"}
    )
    assert (updated, batch, deleted) == ({"rowCount": 2}, {"rowCount": 2}, {"rowCount": 2})
    assert await names(patients, database) == ["Grace"]


async def test_execute_runs_any_statement(database: Database) -> None:
    async with database.connection() as conn:
        result = await call(conn, "execute", query=f"CREATE TABLE {database.table} (id INTEGER)")
        await call(
            conn, "insert", query=f"INSERT INTO {database.table} (id) VALUES (:id)", parameters={"id": 1}
        )
        rows = await call(conn, "select", query=f"SELECT id FROM {database.table}")
    assert result == {"rowCount": 0}
    assert rows == [{"id": 1}]


async def test_a_transaction_answers_one_result_per_statement(
    database: Database, patients: DbConnection
) -> None:
    results = await call(
        patients,
        "transaction",
        statements=[
            {
                "query": f"UPDATE {database.table} SET ward = :w WHERE name = :n",
                "parameters": {"w": "X", "n": "Ada"},
            },
            {
                "query": f"INSERT INTO {database.table} (name) VALUES (:n)",
                "batch": [{"n": "Ken"}, {"n": "Dennis"}],
            },
            {"query": f"DELETE FROM {database.table} WHERE name = :n", "parameters": {"n": "Grace"}},
        ],
    )
    assert results == [{"rowCount": 1}, {"rowCount": 2}, {"rowCount": 1}]
    assert await names(patients, database) == ["Ada", "Dennis", "Ken", "Linus"]


async def test_a_failing_statement_rolls_the_whole_transaction_back(
    database: Database, patients: DbConnection
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await call(
            patients,
            "transaction",
            statements=[
                {"query": f"DELETE FROM {database.table} WHERE name = :n", "parameters": {"n": "Grace"}},
                {"query": f"INSERT INTO {database.table} (name) VALUES (:n)", "parameters": {"n": "Ken"}},
                {"query": f"INSERT INTO {database.table} (name) VALUES (:n)", "parameters": {"n": "Ada"}},
            ],
        )
    assert str(caught.value).startswith(
        "db.transaction on connection clinic: the database refused statement 3 of 3, rolled back with the"
        " whole transaction: "
    )
    assert await names(patients, database) == ["Ada", "Grace", "Linus"]


async def test_call_procedure_runs_a_procedure_or_function(database: Database) -> None:
    function = database.unique("ward_count")
    async with database.connection() as conn:
        await call(conn, "execute", query=f"CREATE TABLE {database.table} (ward VARCHAR(10))")
        await call(
            conn, "insert", query=f"INSERT INTO {database.table} VALUES (:w)", batch=[{"w": "A"}, {"w": "A"}]
        )
        if database.kind == "sqlite":
            with pytest.raises(
                FatalError, match=r"db.callProcedure on connection clinic: sqlite has no stored"
            ):
                await call(conn, "callProcedure", name="anything")
            return
        if database.kind == "postgresql":
            create = (
                f"CREATE FUNCTION {function}(ward_name text, extra int) RETURNS TABLE (total bigint)"
                f" LANGUAGE sql AS $$ SELECT count(*) + extra FROM {database.table} WHERE ward = ward_name $$"
            )
            drop = f"DROP FUNCTION {function}"
        else:
            create = (
                f"CREATE PROCEDURE {function}(IN ward_name VARCHAR(10), IN extra INT)"
                f" SELECT count(*) + extra AS total FROM {database.table} WHERE ward = ward_name"
            )
            drop = f"DROP PROCEDURE {function}"
        await call(conn, "execute", query=create)
        try:
            rows = await call(
                conn, "callProcedure", name=function, parameters={"ward_name": "A", "extra": 10}
            )
        finally:
            await call(conn, "execute", query=drop)
    assert rows == [{"total": 12}]


@pytest.mark.parametrize("database", kinds("postgresql"), indirect=True)
async def test_call_procedure_calls_a_postgresql_procedure_with_call(database: Database) -> None:
    procedure = database.unique("double_it")
    async with database.connection() as conn:
        await call(
            conn,
            "execute",
            query=f"CREATE PROCEDURE {procedure}(a int, INOUT result int DEFAULT NULL) LANGUAGE plpgsql"
            " AS $$ BEGIN result := a * 2; END $$",
        )
        try:
            rows = await call(conn, "callProcedure", name=f"public.{procedure}", parameters={"a": 21})
        finally:
            await call(conn, "execute", query=f"DROP PROCEDURE {procedure}")
    assert rows == [{"result": 42}]


async def test_a_procedure_name_must_be_an_identifier(database: Database, patients: DbConnection) -> None:
    with pytest.raises(InvalidInput, match=r"name must be a procedure's name"):
        await call(patients, "callProcedure", name="x(); DROP TABLE y; --")
    with pytest.raises(InvalidInput, match=r"parameter names must be plain identifiers"):
        await call(patients, "callProcedure", name="proc", parameters={"a => 1); --": 1})


async def test_ping_answers_when_the_database_does(database: Database) -> None:
    async with database.connection() as conn:
        await conn.ping()


async def test_concurrent_operations_share_a_small_pool(database: Database, patients: DbConnection) -> None:
    async with database.connection(**{"pool-size": 1}) as conn:
        results = await asyncio.gather(
            *(call(conn, "select", query=f"SELECT count(*) AS n FROM {database.table}") for _ in range(5))
        )
    assert results == [[{"n": 3}]] * 5


async def test_a_select_needs_a_query_that_returns_rows(database: Database, patients: DbConnection) -> None:
    with pytest.raises(
        InvalidInput, match=r"the query returns no rows; use insert, update, delete or execute"
    ):
        await call(patients, "select", query=f"DELETE FROM {database.table}")
    assert await names(patients, database) == ["Ada", "Grace", "Linus"]
