"""Inbound HTTP transport: the server, dispatching requests to API resources, and the codecs between
aiohttp and the message model."""

from interlace.http.server import HttpServer

__all__ = ["HttpServer"]
