"""Helpers for tests against this machine's RabbitMQ: a connection to it and unique names."""

from __future__ import annotations

import uuid

from interlace.connectors.rabbitmq import RabbitMqConfig, RabbitMqConnection

HOST, PORT = "127.0.0.1", 5672


def rabbit(**settings: object) -> RabbitMqConnection:
    """A connection named ``orders`` to the local broker, with these settings over guest/guest."""
    values: dict[str, object] = {"host": HOST, "port": PORT, "password": "guest", **settings}
    return RabbitMqConnection(RabbitMqConfig.model_validate(values), name="orders")


class Names:
    """Unique queue and exchange names, remembered for deletion."""

    def __init__(self) -> None:
        self.queues: list[str] = []
        self.exchanges: list[str] = []

    def queue(self, prefix: str = "q") -> str:
        name = f"test.{prefix}.{uuid.uuid4().hex[:10]}"
        self.queues.append(name)
        return name

    def exchange(self, prefix: str = "x") -> str:
        name = f"test.{prefix}.{uuid.uuid4().hex[:10]}"
        self.exchanges.append(name)
        return name
