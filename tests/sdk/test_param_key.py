"""A parameter whose YAML key cannot be its Python name (``from`` is a keyword)."""

from __future__ import annotations

from typing import Annotated

import pytest

from interlace.sdk import Connection, ConnectionConfig, Connector, InvalidInput, Param


class MailConfig(ConnectionConfig):
    """Nothing to configure."""


class MailConnection(Connection[MailConfig]):
    """A connection that needs nothing."""


connector = Connector("mail", version="1.0.0", connection=MailConnection)


@connector.operation
async def send(
    conn: MailConnection,
    to: Annotated[str, Param("Who receives it.")],
    from_: Annotated[str, Param("Who sends it.", key="from")] = "me@example.com",
) -> str:
    """Send; answer who sent to whom."""
    return f"{from_} -> {to}"


async def test_flows_write_the_key_and_the_function_gets_its_argument() -> None:
    spec = connector.get_operation("send")
    assert [parameter.name for parameter in spec.parameters] == ["to", "from"]
    connection = MailConnection(MailConfig())
    assert await spec.invoke(connection, {"to": "you@example.com", "from": "us@example.com"}) == (
        "us@example.com -> you@example.com"
    )
    assert await spec.invoke(connection, {"to": "you@example.com"}) == "me@example.com -> you@example.com"


def test_the_python_name_is_not_a_key() -> None:
    spec = connector.get_operation("send")
    assert [problem.message for problem in spec.validate_static({"to": "a", "from_": "b"})] == [
        "unknown parameter 'from_' for mail.send"
    ]
    with pytest.raises(InvalidInput, match="unknown parameter 'from_'"):
        spec.coerce({"to": "a", "from_": "b"})
