"""Helpers for tests against the RabbitMQ of the tests (:data:`tests.addresses.RABBITMQ`): a connection to it
and unique names."""

from __future__ import annotations

from tests.addresses import RABBITMQ
from tests.support import unique

from interlace.connectors.rabbitmq import RabbitMqConfig, RabbitMqConnection

HOST, PORT = RABBITMQ.host, RABBITMQ.port


def rabbit(**settings: object) -> RabbitMqConnection:
    """A connection named ``orders`` to the broker, with these settings (and its user and password)."""
    values: dict[str, object] = {
        "host": HOST,
        "port": PORT,
        "username": RABBITMQ.username,
        "password": RABBITMQ.password,
        **settings,
    }
    return RabbitMqConnection(RabbitMqConfig.model_validate(values), name="orders")


class Names:
    """Unique queue and exchange names, remembered for deletion."""

    def __init__(self) -> None:
        self.queues: list[str] = []
        self.exchanges: list[str] = []

    def queue(self, prefix: str = "q") -> str:
        name = unique(f"test.{prefix}", ".")
        self.queues.append(name)
        return name

    def exchange(self, prefix: str = "x") -> str:
        name = unique(f"test.{prefix}", ".")
        self.exchanges.append(name)
        return name
