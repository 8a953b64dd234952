"""The live ``openapi`` connection: one API client (session, credentials, tokens) per description."""

from __future__ import annotations

import asyncio

from interlace.connectors.openapi.config import OpenApiConfig
from interlace.sdk import Connection
from interlace.sdk.openapi import ApiDescription
from interlace.sdk.openapi.client import ApiClient

__all__ = ["OpenApiConnection", "base_url"]


def base_url(config: OpenApiConfig, api: ApiDescription) -> str | None:
    """The connection's base URL, else the description's first absolute server URL."""
    if config.base_url:
        return config.base_url
    return next((url for url in api.servers if url.startswith(("http://", "https://"))), None)


class OpenApiConnection(Connection[OpenApiConfig]):
    """Its clients are made on first use, one per description (a connection names one, but an edited
    file is a new description); safe to use from concurrent tasks."""

    def __init__(self, config: OpenApiConfig, *, name: str = "default") -> None:
        super().__init__(config, name=name)
        self._clients: dict[int, tuple[ApiDescription, ApiClient]] = {}
        self._lock = asyncio.Lock()

    async def client(self, api: ApiDescription) -> ApiClient:
        """The opened client for ``api``."""
        found = self._clients.get(id(api))
        if found is not None:
            return found[1]
        async with self._lock:
            if id(api) not in self._clients:
                url = base_url(self.config, api) or ""
                client = ApiClient(
                    self.name,
                    url,
                    api.schemes,
                    self.config.credentials,
                    headers=self.config.headers,
                    timeout=self.config.timeout,
                    token_store=self.token_store,
                )
                await client.open()
                self._clients[id(api)] = (api, client)
            return self._clients[id(api)][1]

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for _, client in clients:
            await client.aclose()
