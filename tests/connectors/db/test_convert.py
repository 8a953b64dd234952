"""Database values become JSON values without losing digits."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from ipaddress import IPv4Address

import pytest

from interlace.connectors.db import DbConnection, connector, json_value

from .conftest import Database, kinds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.50"), 12.5),
        (Decimal("6"), 6),
        (Decimal("100.00"), 100.0),
        (Decimal("12345678901234567890.123456789"), "12345678901234567890.123456789"),
        (Decimal("NaN"), "NaN"),
        (dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC), "2024-05-01T09:30:00+00:00"),
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.time(9, 30), "09:30:00"),
        (dt.timedelta(hours=10), 36000.0),
        (b"\x00\xff", "AP8="),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (IPv4Address("127.0.0.1"), "127.0.0.1"),
        ([Decimal("1.5"), None], [1.5, None]),
        ({"a": [dt.date(2024, 1, 2)]}, {"a": ["2024-01-02"]}),
        ("text", "text"),
        (True, True),
    ],
)
def test_values_become_json(value: object, expected: object) -> None:
    assert json_value(value) == expected
    assert type(json_value(value)) is type(expected)


@pytest.mark.parametrize("database", kinds("postgresql"), indirect=True)
async def test_postgresql_values_arrive_as_json(database: Database) -> None:
    async with database.connection() as conn:
        rows = await _select(
            conn,
            "SELECT CAST(12.50 AS numeric(10,2)) AS price, DATE '2024-05-01' AS day,"
            " CAST('\\x00ff' AS bytea) AS data, CAST('{\"a\"\\: 1}' AS jsonb) AS doc, ARRAY[1, 2] AS list,"
            " INTERVAL '1 hour' AS span",
        )
    assert rows == [
        {"price": 12.5, "day": "2024-05-01", "data": "AP8=", "doc": {"a": 1}, "list": [1, 2], "span": 3600.0}
    ]


@pytest.mark.parametrize("database", kinds("mysql"), indirect=True)
async def test_mariadb_values_arrive_as_json(database: Database) -> None:
    async with database.connection() as conn:
        rows = await _select(
            conn,
            "SELECT CAST(12.50 AS DECIMAL(10,2)) AS price, DATE '2024-05-01' AS day, CAST('10\\:00' AS TIME) AS t,"
            " SUM(2) AS total",
        )
    assert rows == [{"price": 12.5, "day": "2024-05-01", "t": 36000.0, "total": 2}]


async def _select(conn: DbConnection, query: str) -> object:
    return await connector.get_operation("select").invoke(conn, {"query": query})
