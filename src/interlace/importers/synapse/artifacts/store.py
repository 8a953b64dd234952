"""Message stores -> ``stores/NAME.yaml``: in-memory, JDBC (PostgreSQL; other databases become the
embedded SQLite store) and RabbitMQ. Passwords become secrets (``${secret.NAME}``), never YAML text."""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import quote

from lxml import etree

from interlace.importers.synapse.conversion import Conversion
from interlace.importers.synapse.registry import artifact
from interlace.importers.synapse.xml import attribute, children, local_name, text_of

__all__ = ["Parameters", "convert_message_store", "secret_reference"]

_JDBC_POSTGRES: Final = re.compile(r"^jdbc:postgresql://([^/]+)/([^?]+)")
_SECRET_NAME: Final = re.compile(r"[^A-Za-z0-9_]")


class Parameters:
    """The ``<parameter name="...">value</parameter>`` children of a store or processor."""

    def __init__(self, element: etree._Element) -> None:
        self.owner = element
        self.elements = {
            attribute(each, "name") or "": each
            for each in children(element)
            if local_name(each) == "parameter"
        }

    def __contains__(self, name: str) -> bool:
        return name in self.elements

    def value(self, name: str, default: str = "") -> str:
        """The parameter's text, or ``default`` when it is missing or empty."""
        return text_of(self.elements.get(name)) or default

    def at(self, name: str) -> etree._Element:
        """The parameter's element (the owner's when missing), to report at its line."""
        return self.elements.get(name, self.owner)


def secret_reference(name: str, what: str) -> str:
    """The secret holding ``what`` of the artifact ``name`` (``${secret.ORDERS_PASSWORD}``)."""
    return "${secret." + _SECRET_NAME.sub("_", f"{name}_{what}").upper() + "}"


def _jdbc(name: str, params: Parameters, conversion: Conversion, element: etree._Element) -> dict[str, Any]:
    url = params.value("store.jdbc.connection.url")
    match = _JDBC_POSTGRES.match(url)
    table = params.value("store.jdbc.table").lower()
    if match is None:
        conversion.approximated(
            element,
            f"message store {name} (JDBC {url or 'datasource'})",
            "kept in the embedded SQLite store (Interlace's SQL stores are SQLite and PostgreSQL); "
            "messages are not shared between nodes",
        )
        return {"sqlite": {}}
    user = params.value("store.jdbc.username")
    credentials = f"{quote(user)}:{secret_reference(name, 'password')}@" if user else ""
    postgres: dict[str, Any] = {"dsn": f"postgresql://{credentials}{match.group(1)}/{match.group(2)}"}
    if table:
        postgres["table"] = table
    if user:
        conversion.approximated(
            element,
            f"message store {name} password",
            f"read from the secret {secret_reference(name, 'password')}",
        )
    return {"postgres": postgres}


def _rabbitmq(
    name: str, params: Parameters, conversion: Conversion, element: etree._Element
) -> dict[str, Any]:
    def value(key: str, default: str) -> str:
        return params.value(f"store.rabbitmq.{key}", default)

    user = value("username", "guest")
    unchanged = user == "guest" and "store.rabbitmq.password" not in params
    password = "guest" if unchanged else secret_reference(name, "password")
    host, port = value("host.name", "localhost"), value("host.port", "5672")
    vhost = quote(value("virtual.host", "/"), safe="")
    rabbitmq: dict[str, Any] = {
        "url": f"amqp://{quote(user)}:{password}@{host}:{port}/{vhost}",
        "queue": value("queue.name", name),
    }
    if not unchanged:
        conversion.approximated(element, f"message store {name} password", f"read from the secret {password}")
    for key in ("exchange.name", "route.key"):
        if f"store.rabbitmq.{key}" in params:
            conversion.approximated(
                params.at(f"store.rabbitmq.{key}"),
                f"RabbitMQ {key}",
                "the store reads and writes its queue directly",
            )
    return {"rabbitmq": rabbitmq}


@artifact("messageStore")
def convert_message_store(element: etree._Element, conversion: Conversion) -> None:
    name = attribute(element, "name") or conversion.generated_name("Store")
    kind = (attribute(element, "class") or "").rsplit(".", 1)[-1]
    params = Parameters(element)
    options: dict[str, Any]
    if kind in ("InMemoryStore", "InMemoryMessageStore", ""):
        options = {"memory": {}}
    elif kind == "JDBCMessageStore":
        options = _jdbc(name, params, conversion, element)
    elif kind == "RabbitMQStore":
        options = _rabbitmq(name, params, conversion, element)
    elif kind == "JmsStore":
        conversion.approximated(element, f"message store {name} (JMS)", "kept in the embedded SQLite store")
        options = {"sqlite": {}}
    else:
        conversion.unsupported(element, f"message store {name} of class {attribute(element, 'class')}")
        return
    conversion.add_document("stores", name, {"store": name, **options}, element)
    conversion.converted(element, f"message store {name}")
