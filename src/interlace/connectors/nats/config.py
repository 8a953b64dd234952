"""Settings of a ``nats`` connection: the servers and how to log in."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["NatsConfig"]


class NatsConfig(ConnectionConfig):
    """A NATS server or cluster, with JetStream enabled for the `consume` trigger and `publish`.

    Give a user and password, or a token, when the server asks for one. The connection reconnects by
    itself when a server goes away.
    """

    servers: Annotated[list[str], Field(min_length=1, examples=[["nats://nats.example.com:4222"]])] = [
        "nats://localhost:4222"
    ]
    """The servers' URLs (`nats://HOST:4222`, `tls://HOST:4222`), without credentials."""

    user: str | None = None
    """The user to log in as."""

    password: Secret | None = None
    """The user's password."""

    token: Secret | None = None
    """A token to log in with, instead of a user and password."""

    tls: bool = False
    """Connect with TLS, checking the server's certificate against the system's trusted ones."""

    timeout: Annotated[float, Field(gt=0)] = 5.0
    """Seconds to wait when connecting, and for JetStream to answer a request (a publish's ack)."""

    reconnect_wait: Annotated[float, Field(gt=0)] = 2.0
    """Seconds between attempts to reconnect to a server that went away."""

    @field_validator("servers")
    @classmethod
    def _urls_without_credentials(cls, value: list[str]) -> list[str]:
        for url in value:
            if "@" in url:
                raise ValueError("servers must not hold credentials: use user and password, or token")
        return value
