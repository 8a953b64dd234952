"""Helpers for tests against the NATS with JetStream of the tests (:data:`tests.services.NATS`)."""

from __future__ import annotations

import socket

from tests.services import NATS

from interlace.connectors.nats import NatsConfig, NatsConnection

URL = NATS.url


def nats_connection(**settings: object) -> NatsConnection:
    """A connection named ``events`` to the local server, with these settings."""
    return NatsConnection(NatsConfig.model_validate({"servers": [URL], **settings}), name="events")


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
