"""Running statements on a database connection: bound parameters only, rows as JSON objects.

The SQL text is the flow's, fixed; values reach the database only as bind parameters (``:name``).
The only names put into SQL text, a procedure's and its parameters', must be plain identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import CursorResult, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from interlace.connectors.db.convert import json_row
from interlace.sdk import FatalError, InvalidInput

__all__ = ["call_procedure", "execute_statement", "select_rows"]

_IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INSERTS: Final = frozenset({"INSERT", "REPLACE"})
_PG_KIND: Final = text(
    "SELECT DISTINCT CAST(p.prokind AS text) FROM pg_catalog.pg_proc p"
    " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
    " WHERE p.proname = :name AND (n.nspname = CAST(:schema AS text)"
    " OR (CAST(:schema AS text) IS NULL AND n.nspname = ANY (current_schemas(true))))"
)

Values = Mapping[str, Any]


async def select_rows(
    connection: AsyncConnection, query: str, parameters: Values, limit: int | None, where: str
) -> list[dict[str, object]]:
    """The rows ``query`` answers, at most ``limit`` (then read from a server-side cursor, so the rest
    is never fetched)."""
    if limit is None:
        result = await connection.execute(text(query), dict(parameters))
        if not result.returns_rows:
            raise InvalidInput(f"{where}: the query returns no rows; use insert, update, delete or execute")
        return [json_row(row) for row in result.mappings()]
    streamed = await connection.stream(text(query), dict(parameters))
    try:
        return [json_row(row) for row in await streamed.mappings().fetchmany(limit)]
    finally:
        await streamed.close()


async def execute_statement(
    connection: AsyncConnection,
    query: str,
    parameters: Values,
    batch: Sequence[Values] | None,
) -> dict[str, object]:
    """Run ``query`` once with ``parameters``, or once per row of ``batch`` (each row's values over
    ``parameters``). Answers ``rowCount`` (rows changed or returned), ``lastRowId`` after an insert
    when the database reports one (SQLite, MariaDB/MySQL auto-increment), and ``rows`` when the
    statement returns rows (``RETURNING``)."""
    statement = text(query)
    if batch is None:
        result = await connection.execute(statement, dict(parameters))
        return _summary(result, query)
    rows = [{**parameters, **row} for row in batch]
    if not rows:
        return {"rowCount": 0}
    if connection.dialect.name == "postgresql" or _returns_rows(query):
        # asyncpg reports no counts for a batch, and no driver returns rows from one: run row by row.
        parts = [_summary(await connection.execute(statement, row), query) for row in rows]
        summary: dict[str, object] = {"rowCount": sum(_count(part) for part in parts)}
        returned = [row for part in parts for row in _rows(part)]
        return summary | ({"rows": returned} if any("rows" in part for part in parts) else {})
    result = await connection.execute(statement, rows)
    return {"rowCount": max(result.rowcount, 0)}


def _returns_rows(query: str) -> bool:
    return re.search(r"\bRETURNING\b", query, re.IGNORECASE) is not None


def _count(part: Mapping[str, object]) -> int:
    count = part.get("rowCount", 0)
    return count if isinstance(count, int) else 0


def _rows(part: Mapping[str, object]) -> list[object]:
    rows = part.get("rows", [])
    return list(rows) if isinstance(rows, list) else []


def _summary(result: CursorResult[Any], query: str) -> dict[str, object]:
    summary: dict[str, object] = {}
    if result.returns_rows:
        rows = [json_row(row) for row in result.mappings()]
        summary["rowCount"] = result.rowcount if result.rowcount >= 0 else len(rows)
        summary["rows"] = rows
    else:
        summary["rowCount"] = max(result.rowcount, 0)
    words = query.split(None, 1)
    if words and words[0].upper() in _INSERTS:
        try:
            last = result.lastrowid
        except (AttributeError, sa_exc.SQLAlchemyError):
            last = None
        if isinstance(last, int) and last > 0:
            summary["lastRowId"] = last
    return summary


async def call_procedure(
    connection: AsyncConnection, name: str, parameters: Values, where: str
) -> list[dict[str, object]]:
    """Call a stored procedure or function, ``parameters`` in order (by name on PostgreSQL), and
    answer the rows it returns: on PostgreSQL ``CALL`` for a procedure (rows of its ``INOUT``
    parameters) and ``SELECT * FROM name(...)`` for a function; on MariaDB/MySQL ``CALL`` (the rows of
    its first result set)."""
    parts = name.split(".")
    if len(parts) > 2 or not all(_IDENTIFIER.match(part) for part in parts):
        raise InvalidInput(f"{where}: name must be a procedure's name, optionally schema.name (got {name!r})")
    schema = parts[0].lower() if len(parts) == 2 else None
    for key in parameters:
        if not _IDENTIFIER.match(key):
            raise InvalidInput(f"{where}: parameter names must be plain identifiers (got {key!r})")
    binds = {f"p{index}": value for index, value in enumerate(parameters.values())}
    dialect = connection.dialect.name
    if dialect == "postgresql":
        arguments = ", ".join(f"{key} => :p{index}" for index, key in enumerate(parameters))
        kinds = await connection.execute(_PG_KIND, {"name": parts[-1].lower(), "schema": schema})
        procedure = "p" in kinds.scalars().all()
        sql = f"CALL {name}({arguments})" if procedure else f"SELECT * FROM {name}({arguments})"
    elif dialect in ("mysql", "mariadb"):
        sql = f"CALL {name}({', '.join(f':{bind}' for bind in binds)})"
    else:
        raise FatalError(f"{where}: {dialect} has no stored procedures")
    result = await connection.execute(text(sql), binds)
    return [json_row(row) for row in result.mappings()] if result.returns_rows else []
