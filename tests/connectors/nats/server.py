"""Helpers for tests against the NATS with JetStream of the tests (:data:`tests.addresses.NATS`)."""

from __future__ import annotations

from tests.addresses import NATS

from interlace.connectors.nats import NatsConfig, NatsConnection

URL = NATS.url


def nats_connection(**settings: object) -> NatsConnection:
    """A connection named ``events`` to the local server, with these settings."""
    return NatsConnection(NatsConfig.model_validate({"servers": [URL], **settings}), name="events")
