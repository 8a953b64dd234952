"""RabbitMQ, Kafka, MQTT and JMS inbound endpoints -> a connector trigger and its connection.

The broker's address and login become a connection (``connections/NAME-broker.yaml``; a password
becomes the secret ``${secret.NAME_PASSWORD}``, never YAML text), the queue or topic the trigger's
parameters: ``rabbitmq.consume`` (queue, prefetch from ``rabbitmq.channel.consumer.qos``, durability,
content type) and ``kafka.consume`` (``bootstrap.servers``, ``topic.name``, ``group.id``,
``auto.offset.reset``, content type) and ``mqtt.subscribe`` (``mqtt.topic.name``, QoS 1 or 2,
client id, content type). A JMS endpoint maps where its broker is RabbitMQ (the RabbitMQ
JMS client, or an ``amqp://`` provider URL): its destination queue is consumed with ``rabbitmq.consume``.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import unquote, urlsplit

from interlace.importers.synapse.artifacts.inbound import inbound_source
from interlace.importers.synapse.artifacts.store import Parameters, secret_reference
from interlace.importers.synapse.conversion import Conversion

__all__ = ["jms_source", "kafka_source", "mqtt_source", "rabbitmq_source"]

_RABBITMQ: Final = frozenset(
    {
        f"rabbitmq.{key}"
        for key in (
            "server.host.name",
            "server.port",
            "server.user.name",
            "server.password",
            "server.virtual.host",
            "queue.name",
            "queue.durable",
            "queue.autodeclare",
            "queue.auto.declare",
            "channel.consumer.qos",
            "message.content.type",
            "queue.auto.ack",
        )
    }
)
_KAFKA: Final = frozenset(
    {
        "bootstrap.servers",
        "topic.name",
        "topics",
        "group.id",
        "auto.offset.reset",
        "contentType",
        "content.type",
        "key.deserializer",
        "value.deserializer",
        "poll.timeout",
        "interval",
    }
)
_MQTT: Final = frozenset(
    {
        f"mqtt.{key}"
        for key in (
            "server.host.name",
            "server.port",
            "topic.name",
            "subscription.qos",
            "client.id",
            "content.type",
            "subscription.username",
            "subscription.password",
            "ssl.enable",
            "session.clean",
        )
    }
)
_JMS: Final = frozenset(
    {
        "java.naming.factory.initial",
        "java.naming.provider.url",
        "transport.jms.ConnectionFactoryJNDIName",
        "transport.jms.ConnectionFactoryType",
        "transport.jms.Destination",
        "transport.jms.DestinationType",
        "transport.jms.ContentType",
        "transport.jms.UserName",
        "transport.jms.Password",
        "transport.jms.SessionTransacted",
        "transport.jms.SessionAcknowledgement",
        "transport.jms.CacheLevel",
    }
)


def _connection(name: str, conversion: Conversion, at: Any, connector: str, settings: dict[str, Any]) -> str:
    connection = f"{name}-broker"
    data = {"connection": connection, "connector": connector, **settings}
    conversion.add_document("connections", connection, data, at)
    conversion.converted(at, f"{connector} connection {connection}")
    return connection


def _password(name: str, params: Parameters, conversion: Conversion, key: str) -> str | None:
    if key not in params:
        return None
    secret = secret_reference(name, "password")
    conversion.approximated(
        params.at(key), f"inbound endpoint {name} password", f"read from the secret {secret}"
    )
    return secret


def _rabbitmq_trigger(
    name: str, conversion: Conversion, at: Any, settings: dict[str, Any], consume: dict[str, Any]
) -> dict[str, Any]:
    connection = _connection(name, conversion, at, "rabbitmq", settings)
    return {"trigger": {"rabbitmq.consume": {"connection": connection, **consume}}}


@inbound_source("rabbitmq", used=_RABBITMQ)
def rabbitmq_source(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    def value(key: str) -> str:
        return params.value(f"rabbitmq.{key}")

    settings: dict[str, Any] = {"host": value("server.host.name") or "localhost"}
    if value("server.port").isdigit():
        settings["port"] = int(value("server.port"))
    if value("server.virtual.host"):
        settings["virtual-host"] = value("server.virtual.host")
    if value("server.user.name"):
        settings["username"] = value("server.user.name")
    if password := _password(name, params, conversion, "rabbitmq.server.password"):
        settings["password"] = password
    consume: dict[str, Any] = {"queue": value("queue.name") or name}
    if value("channel.consumer.qos").isdigit():
        consume["prefetch"] = int(value("channel.consumer.qos"))
    if value("queue.durable").lower() == "false":
        consume["durable"] = False
    if (value("queue.autodeclare") or value("queue.auto.declare")).lower() == "false":
        consume["declare"] = False
    if value("message.content.type"):
        consume["contentType"] = value("message.content.type")
    if value("queue.auto.ack").lower() == "true":
        conversion.approximated(
            params.at("rabbitmq.queue.auto.ack"),
            f"inbound endpoint {name} auto.ack",
            "a message is acknowledged once its flow has finished",
        )
    return _rabbitmq_trigger(name, conversion, params.owner, settings, consume)


@inbound_source("kafka", "KafkaMessageConsumer", used=_KAFKA)
def kafka_source(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    servers = [each.strip() for each in params.value("bootstrap.servers").split(",") if each.strip()]
    topics = params.value("topic.name") or params.value("topics")
    if not servers or not topics:
        conversion.unsupported(
            params.owner, f"inbound endpoint {name} without bootstrap.servers and topic.name"
        )
        return None
    connection = _connection(name, conversion, params.owner, "kafka", {"bootstrap-servers": servers})
    consume: dict[str, Any] = {
        "connection": connection,
        "topics": topics,
        "group": params.value("group.id") or name,
    }
    if params.value("auto.offset.reset") in ("earliest", "latest"):
        consume["autoOffsetReset"] = params.value("auto.offset.reset")
    if content_type := params.value("contentType") or params.value("content.type"):
        consume["contentType"] = content_type
    for key in ("key.deserializer", "value.deserializer", "poll.timeout", "interval"):
        how = (
            "records are read as bytes" if key.endswith("deserializer") else "records are taken as they come"
        )
        if key in params:
            conversion.approximated(params.at(key), f"inbound endpoint {name} {key}", how)
    return {"trigger": {"kafka.consume": consume}}


@inbound_source("mqtt", used=_MQTT)
def mqtt_source(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    def value(key: str) -> str:
        return params.value(f"mqtt.{key}")

    if not value("topic.name"):
        conversion.unsupported(params.owner, f"inbound endpoint {name} without mqtt.topic.name")
        return None
    settings: dict[str, Any] = {"host": value("server.host.name") or "localhost"}
    if value("server.port").isdigit():
        settings["port"] = int(value("server.port"))
    if value("subscription.username"):
        settings["username"] = value("subscription.username")
    if password := _password(name, params, conversion, "mqtt.subscription.password"):
        settings["password"] = password
    if value("ssl.enable").lower() == "true":
        settings["tls"] = True
    connection = _connection(name, conversion, params.owner, "mqtt", settings)
    subscribe: dict[str, Any] = {"connection": connection, "topic": value("topic.name")}
    if value("subscription.qos") == "2":
        subscribe["qos"] = 2
    elif value("subscription.qos") == "0":
        conversion.approximated(
            params.at("mqtt.subscription.qos"), f"inbound endpoint {name} QoS 0", "subscribed at QoS 1"
        )
    if value("client.id"):
        subscribe["clientId"] = value("client.id")
    if value("content.type"):
        subscribe["contentType"] = value("content.type")
    if value("session.clean").lower() == "true":
        conversion.approximated(
            params.at("mqtt.session.clean"), f"inbound endpoint {name} clean session", "a persistent session"
        )
    return {"trigger": {"mqtt.subscribe": subscribe}}


@inbound_source("jms", used=_JMS)
def jms_source(name: str, params: Parameters, conversion: Conversion) -> dict[str, Any] | None:
    factory = params.value("java.naming.factory.initial")
    url = params.value("java.naming.provider.url")
    address = urlsplit(url)
    if "rabbitmq" not in factory.lower() and address.scheme not in ("amqp", "amqps"):
        conversion.unsupported(
            params.owner,
            f"inbound endpoint {name} (JMS through {factory or 'no initial context factory'})",
            "Interlace has no JMS client: move the queue to RabbitMQ or Kafka and consume it with a trigger",
        )
        return None
    destination = params.value("transport.jms.Destination") or name
    if params.value("transport.jms.DestinationType").lower() == "topic":
        conversion.unsupported(
            params.at("transport.jms.DestinationType"), f"inbound endpoint {name} JMS topic"
        )
        return None
    settings: dict[str, Any] = {"host": address.hostname or "localhost"}
    if address.port:
        settings["port"] = address.port
    if address.path.strip("/"):
        settings["virtual-host"] = unquote(address.path.strip("/"))
    if address.scheme == "amqps":
        settings["tls"] = True
    if user := params.value("transport.jms.UserName") or (address.username or ""):
        settings["username"] = user
    if password := _password(name, params, conversion, "transport.jms.Password"):
        settings["password"] = password
    conversion.approximated(
        params.owner,
        f"inbound endpoint {name} (JMS)",
        f"the RabbitMQ queue {destination} is consumed over AMQP",
    )
    consume: dict[str, Any] = {"queue": destination}
    if content_type := params.value("transport.jms.ContentType"):
        consume["contentType"] = content_type
    return _rabbitmq_trigger(name, conversion, params.owner, settings, consume)
