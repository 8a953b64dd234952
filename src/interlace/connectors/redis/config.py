"""Settings of a ``redis`` connection: the server's URL and the credentials, apart from it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["RedisConfig"]


class RedisConfig(ConnectionConfig):
    """A Redis server (or a server speaking its protocol, such as Valkey).

    The URL names the server and the database; the credentials are settings of their own, so the password
    is a secret that never shows in messages.
    """

    url: Annotated[str, Field(examples=["redis://cache.example.com:6379/0"])] = "redis://localhost:6379/0"
    """`redis://HOST:PORT/DB`, or `rediss://...` for TLS, without credentials."""

    username: str | None = None
    """The ACL user to log in as; the default user if not given."""

    password: Secret | None = None
    """The password, if the server asks for one."""

    timeout: Annotated[float, Field(gt=0)] = 10.0
    """Seconds to wait when connecting, and for an answer to a command that does not block."""

    max_connections: Annotated[int, Field(gt=0)] = 50
    """Sockets the connection keeps open at most; a trigger waiting for entries holds one."""

    @field_validator("url")
    @classmethod
    def _redis_url_without_credentials(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"url must start with redis://, rediss:// or unix:// (got {parts.scheme!r})")
        if parts.username or parts.password:
            raise ValueError("url must not hold credentials: use username and password")
        return value
