"""Settings of a ``db`` connection, and the SQLAlchemy URL they stand for (password merged in)."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import Field, field_validator
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["ASYNC_DRIVERS", "DbConfig", "engine_url", "shown_url"]

ASYNC_DRIVERS: Final = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "mysql": "mysql+aiomysql",
    "mariadb": "mysql+aiomysql",
}
"""The async driver used when a URL names only the database (``postgresql://...``)."""


class DbConfig(ConnectionConfig):
    """A relational database reached through SQLAlchemy's async engines: SQLite (`sqlite+aiosqlite`),
    PostgreSQL (`postgresql+asyncpg`) and MariaDB or MySQL (`mysql+aiomysql`).

    The password is a setting of its own, a secret merged into the URL when connecting; messages show
    the URL with `***` in its place. A URL that names only the database (`postgresql://...`) uses the
    driver above.
    """

    url: Annotated[str, Field(examples=["postgresql+asyncpg://clinic@db.example.com:5432/clinic"])]
    """The database URL without its password: `sqlite+aiosqlite:///data/app.db` (a path relative to the
    working directory; four slashes for an absolute one), `postgresql+asyncpg://USER@HOST:5432/DB`,
    `mysql+aiomysql://USER@HOST:3306/DB`."""

    password: Secret | None = None
    """The database user's password."""

    pool_size: Annotated[int, Field(gt=0)] = 5
    """How many database connections the connection keeps open at most; more operations wait."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds to wait for a database connection: to connect, or for a free one in the pool."""

    echo: bool = False
    """Log every statement and its parameters, for debugging: SQLAlchemy's logger `sqlalchemy.engine` at
    level INFO, printed to standard output when that logger has no handler of its own."""

    @field_validator("url")
    @classmethod
    def _url_without_password(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(
                "url must be a database URL such as postgresql+asyncpg://USER@HOST:5432/DB"
            ) from exc
        if url.password is not None:
            raise ValueError("url must not hold the password: give it as the secret setting 'password'")
        return value


def engine_url(config: DbConfig) -> URL:
    """The URL to connect with: the async driver filled in, the password merged in."""
    url = make_url(config.url)
    if url.drivername in ASYNC_DRIVERS:
        url = url.set(drivername=ASYNC_DRIVERS[url.drivername])
    if config.password is not None:
        url = url.set(password=config.password.reveal())
    return url


def shown_url(url: URL) -> str:
    """The URL as messages show it: the password as ``***``."""
    return url.render_as_string(hide_password=True)
