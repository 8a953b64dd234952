"""A database per backend (SQLite in a temporary file, this machine's PostgreSQL and MariaDB) and a
uniquely named table per test, dropped afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from tests.addresses import MARIADB, POSTGRES
from tests.support import unique

from interlace.connectors.db import DbConfig, DbConnection

POSTGRES_URL = POSTGRES.with_scheme("postgresql+asyncpg")
MARIADB_URL = MARIADB.with_scheme("mysql+aiomysql")
KINDS = ("sqlite", "postgresql", "mysql")
_SERVICE = {"postgresql": "postgres", "mysql": "mariadb"}  # the service keeping each kind of database


def kinds(*names: str) -> list[Any]:
    """Database kinds as test parameters, each kept by a server marked as needing it."""
    return [pytest.param(n, marks=pytest.mark.needs(_SERVICE[n])) if n in _SERVICE else n for n in names]


# An auto-increment integer key, per backend.
_KEY = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "SERIAL PRIMARY KEY",
    "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
}


@dataclass
class Database:
    """One backend: ``url`` to build connections, ``table`` a fresh table name for this test."""

    kind: str
    url: str
    table: str

    def connection(self, **settings: object) -> DbConnection:
        """A connection named ``clinic`` on this database, with these settings (kebab-case keys)."""
        return DbConnection(DbConfig.model_validate({"url": self.url, **settings}), name="clinic")

    @property
    def key(self) -> str:
        return _KEY[self.kind]

    def unique(self, prefix: str) -> str:
        return unique(prefix, "_")


def _url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'clinic.db'}"
    return POSTGRES_URL if kind == "postgresql" else MARIADB_URL


@pytest.fixture(params=kinds(*KINDS))
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    kind: str = request.param
    found = Database(kind, _url(kind, tmp_path), unique("patients", "_"))
    yield found
    async with found.connection() as conn:
        await conn.run("cleanup", lambda c: c.execute(text(f"DROP TABLE IF EXISTS {found.table}")))


@pytest.fixture
async def patients(database: Database) -> AsyncIterator[DbConnection]:
    """An open connection on ``database`` whose table holds three patients."""
    async with database.connection() as conn:
        await conn.run(
            "setup",
            lambda c: c.execute(
                text(
                    f"CREATE TABLE {database.table} (id {database.key}, name VARCHAR(40) NOT NULL UNIQUE,"
                    " ward VARCHAR(10), balance NUMERIC(10, 2))"
                )
            ),
        )
        await conn.run(
            "setup",
            lambda c: c.execute(
                text(f"INSERT INTO {database.table} (name, ward, balance) VALUES (:name, :ward, :balance)"),
                [
                    {"name": "Ada", "ward": "A", "balance": 10.5},
                    {"name": "Grace", "ward": "B", "balance": 0},
                    {"name": "Linus", "ward": "A", "balance": 99.99},
                ],
            ),
        )
        yield conn
