"""The live ``iso8583`` connection: the specifications built once, and the TCP client of ``send``."""

from __future__ import annotations

from functools import partial

from interlace.connectors.iso8583.client import Iso8583Client
from interlace.connectors.iso8583.codec import unpack
from interlace.connectors.iso8583.config import Iso8583Config
from interlace.connectors.iso8583.spec import Spec
from interlace.sdk import Connection, FatalError

__all__ = ["Iso8583Connection"]


class Iso8583Connection(Connection[Iso8583Config]):
    """Packs and unpacks with the connection's specification (each variant built once), and sends over
    one socket shared by the requests in flight, opened at the first `send`."""

    _client: Iso8583Client | None = None

    def __init__(self, config: Iso8583Config, *, name: str = "default") -> None:
        super().__init__(config, name=name)
        self._specs: dict[str | None, Spec] = {}

    def spec(self, variant: str | None = None) -> Spec:
        """The specification for ``variant`` (the connection's if not given)."""
        built = self._specs.get(variant)
        if built is None:
            built = self._specs[variant] = self.config.message_spec(variant)
        return built

    def client(self) -> Iso8583Client:
        """The TCP client (responses unpacked with the connection's specification);
        :class:`FatalError` when the connection names no peer."""
        if self._client is None:
            config = self.config
            if config.host is None or config.port is None:
                raise FatalError(f"connection {self.name} has no host and port to send to")
            self._client = Iso8583Client(
                config.host,
                config.port,
                config.framing,
                partial(unpack, self.spec()),
                connect_timeout=config.connect_timeout,
                name=self.name,
            )
        return self._client

    async def open(self) -> None:
        self.spec()  # a problem with the specification shows when the connection opens

    async def ping(self) -> None:
        if self.config.host is not None:
            await self.client().ping()

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
