"""The live ``kafka`` connection: one producer (all replicas acknowledge), the settings consumers share,
and the sorting of the client's errors."""

from __future__ import annotations

import contextlib
import ssl
from typing import Any

from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped]
from aiokafka import errors as kafka_errors

from interlace.connectors.kafka.config import KafkaConfig
from interlace.sdk import Connection, ConnectorError, FatalError, InvalidInput, RetryableError

__all__ = ["KAFKA_ERRORS", "KafkaConnection", "kafka_failure"]

KAFKA_ERRORS = (kafka_errors.KafkaError, OSError, TimeoutError)
"""What aiokafka raises when a broker, the network or the group fails (not a bug of ours)."""


class KafkaConnection(Connection[KafkaConfig]):
    """One producer shared by all operations on the connection (aiokafka's producer is safe to share);
    each trigger runs a consumer of its own, built from :meth:`client_settings`."""

    _producer: AIOKafkaProducer | None = None

    @property
    def where(self) -> str:
        """The cluster as messages name it: its bootstrap servers."""
        return ",".join(self.config.bootstrap_servers)

    def client_settings(self) -> dict[str, Any]:
        """The keyword arguments every aiokafka client of this connection takes (with the password)."""
        config = self.config
        settings: dict[str, Any] = {
            "bootstrap_servers": list(config.bootstrap_servers),
            "client_id": f"{config.client_id}:{self.name}",
            "security_protocol": config.security_protocol,
            "request_timeout_ms": int(config.timeout * 1000),
        }
        if config.security_protocol in ("SSL", "SASL_SSL"):
            settings["ssl_context"] = ssl.create_default_context()
        if config.security_protocol.startswith("SASL"):
            settings["sasl_mechanism"] = config.sasl_mechanism
            settings["sasl_plain_username"] = config.username
            settings["sasl_plain_password"] = config.password.reveal() if config.password else None
        return settings

    @property
    def producer(self) -> AIOKafkaProducer:
        """The started producer; :class:`RetryableError` if the connection is not open."""
        if self._producer is None:
            raise RetryableError(f"connection {self.name} to Kafka at {self.where} is not open")
        return self._producer

    async def open(self) -> None:
        producer = AIOKafkaProducer(**self.client_settings(), acks="all")
        try:
            await producer.start()  # fetches the cluster's metadata: wrong settings show now
        except KAFKA_ERRORS as exc:
            with contextlib.suppress(Exception):
                await producer.stop()
            raise kafka_failure(exc, f"connecting connection {self.name} to Kafka at {self.where}") from exc
        self._producer = producer

    async def ping(self) -> None:
        try:
            await self.producer.client.fetch_all_metadata()
        except KAFKA_ERRORS as exc:
            raise kafka_failure(exc, f"reaching Kafka at {self.where} on connection {self.name}") from exc

    async def aclose(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):  # closing must not raise; the sockets go anyway
                await producer.stop()


_AUTHENTICATION = (
    kafka_errors.AuthenticationFailedError,
    kafka_errors.AuthenticationMethodNotSupported,
    kafka_errors.SaslAuthenticationFailed,
    kafka_errors.UnsupportedSaslMechanismError,
    kafka_errors.IllegalSaslStateError,
)
_AUTHORIZATION = (
    kafka_errors.TopicAuthorizationFailedError,
    kafka_errors.GroupAuthorizationFailedError,
    kafka_errors.ClusterAuthorizationFailedError,
)
_BAD_INPUT = (
    kafka_errors.RecordTooLargeError,
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidTopicError,
    kafka_errors.InvalidTimestampError,
)


def kafka_failure(exc: BaseException, doing: str) -> ConnectorError:
    """The SDK error for an aiokafka failure while ``doing`` something: refused credentials and access
    and a misconfiguration are fatal, an oversized record or an invalid topic the input's fault, a lost
    broker, a timeout and what Kafka calls retriable transient."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, _AUTHENTICATION):
        return FatalError(f"{doing}: the broker refused the user name or password ({detail})")
    if isinstance(exc, _AUTHORIZATION):
        return FatalError(f"{doing}: access refused ({detail})")
    if isinstance(exc, _BAD_INPUT):
        return InvalidInput(f"{doing}: the broker refused the record ({detail})")
    if isinstance(exc, kafka_errors.KafkaConfigurationError | kafka_errors.IncompatibleBrokerVersion):
        return FatalError(f"{doing}: {detail}")
    if isinstance(
        exc, OSError | TimeoutError | kafka_errors.KafkaTimeoutError | kafka_errors.CommitFailedError
    ):
        return RetryableError(f"{doing}: {detail}")
    if isinstance(exc, kafka_errors.KafkaError) and not exc.retriable:
        return FatalError(f"{doing}: {detail}")
    return RetryableError(f"{doing}: {detail}")
