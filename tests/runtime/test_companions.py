"""Companions of a profile: started with the ports their table declares, skipped when their port
already answers, refused clearly when another of their ports is taken."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from interlace.errors import ConfigError
from interlace.model.project import CompanionDefinition
from interlace.runtime.companions import port_in_use, start_companion
from interlace.samples.mailbox import DevMailbox
from tests.support import unused_port

MAILBOX = "interlace.samples.mailbox:start_dev_mailbox"


@pytest.fixture
async def listening() -> AsyncIterator[int]:
    """A port another program listens on."""

    async def ignore(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(ignore, "127.0.0.1", 0)
    async with server:
        yield int(server.sockets[0].getsockname()[1])


def mailbox(port: int, **ports: int) -> CompanionDefinition:
    table: dict[str, object] = {"start": MAILBOX, "port": port}
    table.update({f"{key}-port": value for key, value in ports.items()})
    return CompanionDefinition.model_validate(table)


async def test_the_mailbox_listens_for_smtp_on_the_declared_port_only() -> None:
    http_port, smtp_port = unused_port(), unused_port()
    definition = mailbox(http_port, smtp=smtp_port)
    assert definition.ports == {"smtp-port": smtp_port}

    companion = await start_companion("mailbox", definition)
    assert companion is not None
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", smtp_port)
        assert (await reader.readline()).startswith(b"220 ")
        writer.close()
    finally:
        await companion.aclose()

    without_smtp = await start_companion("mailbox", mailbox(http_port))
    assert isinstance(without_smtp, DevMailbox)
    try:
        assert without_smtp.smtp_port is None  # no undeclared port is bound
    finally:
        await without_smtp.aclose()


async def test_a_companion_whose_port_answers_is_skipped(listening: int) -> None:
    assert await start_companion("mailbox", mailbox(listening, smtp=unused_port())) is None


async def test_a_taken_declared_port_is_refused_naming_it(listening: int) -> None:
    http_port = unused_port()

    with pytest.raises(ConfigError) as refused:
        await start_companion("mailbox", mailbox(http_port, smtp=listening))

    assert f"companion mailbox: smtp-port {listening} must be free on 127.0.0.1" in str(refused.value)
    assert "set another smtp-port" in str(refused.value)
    assert not await port_in_use("127.0.0.1", http_port)  # nothing was left half started


def test_a_declared_port_must_be_a_port_number() -> None:
    with pytest.raises(ValueError, match=r"ports\.smtp-port"):
        mailbox(9025, smtp=70000)
