"""The ``db`` connector and its operations: statements with bound parameters, batches, procedures and
transactions, on SQLite, PostgreSQL and MariaDB/MySQL; its triggers are in :mod:`.poll` and
:mod:`.listen`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from interlace.connectors.db.connection import DbConnection
from interlace.connectors.db.failures import StatementFailed
from interlace.connectors.db.listen import listen
from interlace.connectors.db.poll import poll_rows
from interlace.connectors.db.statements import call_procedure, execute_statement, select_rows
from interlace.sdk import Connector, Param

__all__ = [
    "Statement",
    "call_procedure_operation",
    "connector",
    "delete",
    "execute",
    "insert",
    "select",
    "transaction",
    "update",
]

connector = Connector(
    "db",
    version="1.1.0",
    connection=DbConnection,
    description=(
        "Runs SQL on relational databases (SQLite, PostgreSQL, MariaDB/MySQL) through SQLAlchemy's async"
        " engines: queries answering rows as JSON objects, changes with bound parameters and batches,"
        " stored procedures and transactions.\n\n"
        "Values reach the database only as bind parameters, never pasted into the SQL: write `:name` in"
        " the query and give `name` in `parameters` (`WHERE id = :id`, `parameters: {id: ${payload.id}}`)."
        " The query itself must be fixed text, not built from message data. A literal colon followed by a"
        " word, e.g. in `'10:30'`, is written `\\:`; PostgreSQL casts (`::date`) need no escape."
        " PostgreSQL checks parameter types strictly: a date column wants a date, so convert text in SQL"
        " (`CAST(:day AS date)` or `to_date(:day, 'YYYY-MM-DD')`).\n\n"
        "Every operation runs in one transaction, committed when it succeeds and rolled back when it fails."
        " Column values become JSON: decimals an integer or a number when no digit is lost (text"
        " otherwise), dates and times ISO 8601 text, intervals seconds, bytes base64 text, UUIDs text.\n\n"
        "A database that cannot be reached (refused, timed out, pool exhausted), a lost connection, a"
        " deadlock or a serialization failure are transient errors the runtime may retry; wrong credentials"
        " or an unknown database are errors naming the connection; an SQL error (syntax, constraint, type,"
        " a missing parameter) is bad input, with the database's message and the operation's name.\n\n"
        "Triggers: `poll` takes the new rows of a table in the order of a key or timestamp column, with a"
        " durable cursor (at least once, nothing skipped); `listen` takes PostgreSQL notifications"
        " (`LISTEN`, at most once)."
    ),
    triggers=[("poll", poll_rows), ("listen", listen)],
)

_QUERY = "The SQL statement, fixed text with named bind parameters `:name`."
SelectQuery = Annotated[
    str, Field(min_length=1), Param(_QUERY, example="SELECT id, name FROM patients WHERE ward = :ward")
]
InsertQuery = Annotated[
    str, Field(min_length=1), Param(_QUERY, example="INSERT INTO patients (name, ward) VALUES (:name, :ward)")
]
UpdateQuery = Annotated[
    str, Field(min_length=1), Param(_QUERY, example="UPDATE patients SET ward = :ward WHERE id = :id")
]
DeleteQuery = Annotated[
    str, Field(min_length=1), Param(_QUERY, example="DELETE FROM patients WHERE id = :id")
]
ExecuteQuery = Annotated[
    str,
    Field(min_length=1),
    Param(_QUERY, example="CREATE TABLE IF NOT EXISTS wards (id INTEGER PRIMARY KEY)"),
]
Parameters = Annotated[
    dict[str, object] | None,
    Param("The values of the query's bind parameters, by name.", example={"ward": "${payload.ward}"}),
]
AnyParameters = Annotated[
    dict[str, object] | None, Param("The values of the query's bind parameters, by name.")
]
IdParameters = Annotated[
    dict[str, object] | None,
    Param("The values of the query's bind parameters, by name.", example={"id": "${payload.id}"}),
]
Batch = Annotated[
    list[dict[str, object]] | None,
    Param(
        "Run the statement once per element, each element's values over `parameters`, in one transaction.",
        example="${payload.items}",
    ),
]


class Statement(BaseModel):
    """One statement of a transaction."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    query: Annotated[str, Field(min_length=1)]
    """The SQL statement, with named bind parameters `:name`."""

    parameters: dict[str, object] = Field(default_factory=dict)
    """The values of its bind parameters."""

    batch: list[dict[str, object]] | None = None
    """Run it once per element, each element's values over `parameters`."""


@connector.operation
async def select(
    conn: DbConnection,
    query: SelectQuery,
    parameters: Parameters = None,
    limit: Annotated[int | None, Field(gt=0), Param("Answer at most this many rows.", example=100)] = None,
) -> list[dict[str, object]]:
    """Run a query and answer its rows.

    Returns:
        The rows, each a JSON object of column name to value.
    """
    where = f"db.select on connection {conn.name}"
    return await conn.run("select", lambda c: select_rows(c, query, parameters or {}, limit, where))


async def _change(
    conn: DbConnection,
    operation: str,
    query: str,
    parameters: dict[str, object] | None,
    batch: list[dict[str, object]] | None,
) -> dict[str, object]:
    return await conn.run(operation, lambda c: execute_statement(c, query, parameters or {}, batch))


@connector.operation
async def insert(
    conn: DbConnection, query: InsertQuery, parameters: Parameters = None, batch: Batch = None
) -> dict[str, object]:
    """Insert rows: one with `parameters`, or many with `batch`.

    Returns:
        `{rowCount}`: how many rows it inserted; with `lastRowId`, the new row's id when the table has an
        auto-increment key (SQLite, MariaDB/MySQL; on PostgreSQL write `RETURNING id`); with `rows`, the
        rows a `RETURNING` clause answers.
    """
    return await _change(conn, "insert", query, parameters, batch)


@connector.operation
async def update(
    conn: DbConnection, query: UpdateQuery, parameters: IdParameters = None, batch: Batch = None
) -> dict[str, object]:
    """Update rows: once with `parameters`, or once per element of `batch`.

    Returns:
        `{rowCount}`: how many rows it changed; with `rows`, the rows a `RETURNING` clause answers.
    """
    return await _change(conn, "update", query, parameters, batch)


@connector.operation
async def delete(
    conn: DbConnection, query: DeleteQuery, parameters: IdParameters = None, batch: Batch = None
) -> dict[str, object]:
    """Delete rows: once with `parameters`, or once per element of `batch`.

    Returns:
        `{rowCount}`: how many rows it deleted; with `rows`, the rows a `RETURNING` clause answers.
    """
    return await _change(conn, "delete", query, parameters, batch)


@connector.operation
async def execute(
    conn: DbConnection, query: ExecuteQuery, parameters: Parameters = None
) -> dict[str, object]:
    """Run any statement: DDL (`CREATE TABLE`), `MERGE`, a vendor command.

    Returns:
        `{rowCount}`: how many rows it changed, as the database reports it (0 for DDL); with `rows`, the
        rows it answers, if any.
    """
    return await _change(conn, "execute", query, parameters, None)


@connector.operation(name="callProcedure")
async def call_procedure_operation(
    conn: DbConnection,
    name: Annotated[
        str, Param("The procedure's or function's name, optionally `schema.name`.", example="discharge")
    ],
    parameters: Annotated[
        dict[str, object] | None,
        Param(
            "Its arguments, by name, in the order it declares them (PostgreSQL passes them by name,"
            " MariaDB/MySQL by position).",
            example={"patient_id": "${payload.id}"},
        ),
    ] = None,
) -> list[dict[str, object]]:
    """Call a stored procedure or function.

    On PostgreSQL a procedure is run with `CALL`, a function with `SELECT * FROM name(...)`; on
    MariaDB/MySQL with `CALL`. SQLite has no stored procedures.

    Returns:
        The rows it answers: a function's result, a PostgreSQL procedure's `INOUT` parameters, the first
        result set of a MariaDB/MySQL procedure; none if it answers nothing.
    """
    where = f"db.callProcedure on connection {conn.name}"
    return await conn.run("callProcedure", lambda c: call_procedure(c, name, parameters or {}, where))


@connector.operation
async def transaction(
    conn: DbConnection,
    statements: Annotated[
        list[Statement],
        Field(min_length=1),
        Param(
            "The statements, run in order, each `{query, parameters, batch}` as `insert` takes them; if one"
            " fails, none of them takes effect.",
            example=[
                {"query": "UPDATE beds SET patient = :p WHERE id = :bed", "parameters": {"p": 7, "bed": 3}},
                {"query": "INSERT INTO admissions (patient) VALUES (:p)", "parameters": {"p": 7}},
            ],
        ),
    ],
) -> list[dict[str, object]]:
    """Run several statements atomically: all of them are committed, or, if one fails, none.

    Returns:
        One result per statement, in order, shaped as `insert`'s (`rowCount`, and `lastRowId` or `rows`
        when there are some).
    """

    async def work(connection: AsyncConnection) -> list[dict[str, object]]:
        results: list[dict[str, object]] = []
        for position, statement in enumerate(statements, 1):
            try:
                results.append(
                    await execute_statement(
                        connection, statement.query, statement.parameters, statement.batch
                    )
                )
            except sa_exc.SQLAlchemyError as exc:
                raise StatementFailed(f"statement {position} of {len(statements)}", exc) from exc
        return results

    return await conn.run("transaction", work)
