"""Settings of a ``kafka`` connection: the bootstrap servers and how to log in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["KafkaConfig"]


class KafkaConfig(ConnectionConfig):
    """An Apache Kafka cluster (or a broker speaking its protocol, such as Redpanda or Tansu).

    The client finds the cluster's other brokers from the bootstrap servers. With a SASL protocol give a
    user name and password; with `SSL` or `SASL_SSL` the brokers' certificates are checked against the
    system's trusted ones.
    """

    bootstrap_servers: Annotated[list[str], Field(min_length=1, examples=[["kafka-1.example.com:9092"]])] = [
        "localhost:9092"
    ]
    """The brokers to start from, as `HOST:PORT`."""

    client_id: str = "interlace"
    """The name the brokers see in their logs and quotas."""

    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """How to talk to the brokers: in the clear, over TLS, with SASL, or with SASL over TLS."""

    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    """The SASL mechanism, with a SASL protocol."""

    username: str | None = None
    """The SASL user name."""

    password: Secret | None = None
    """The SASL password."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds to wait for a broker to answer a request (a produce's acknowledgement by all replicas)."""

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_and_port(cls, value: list[str]) -> list[str]:
        for server in value:
            host, _, port = server.rpartition(":")
            if not host or not port.isdigit() or "@" in server or "/" in server:
                raise ValueError(f"bootstrap-servers must be HOST:PORT (got {server!r})")
        return value
