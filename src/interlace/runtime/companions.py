"""Companion services: development peers (such as the sample hospital back-end) that a profile starts
in-process next to the runtime, unless something already listens on their port."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from typing import Protocol

from interlace.errors import ConfigError, SourceLocation
from interlace.model.project import CompanionDefinition

__all__ = ["Companion", "port_in_use", "start_companion"]

_log = logging.getLogger("interlace.runtime")


class Companion(Protocol):
    """What a companion factory returns: something to close when the runtime stops."""

    async def aclose(self) -> None: ...


async def port_in_use(host: str, port: int) -> bool:
    """True when a TCP server already accepts connections at host:port."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=1.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def start_companion(name: str, definition: CompanionDefinition) -> Companion | None:
    """Start ``definition`` unless its port is taken (then the running service is used, and None returned)."""
    if await port_in_use(definition.host, definition.port):
        _log.info("companion %s: %s:%d already answers; using it", name, definition.host, definition.port)
        return None
    module_name, _, function_name = definition.start.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"companion {name}: cannot import {definition.start}: {exc}",
            location=SourceLocation("interlace.toml", definition.location.line),
        ) from exc
    companion: Companion = await factory(host=definition.host, port=definition.port)
    _log.info("companion %s started on %s:%d", name, definition.host, definition.port)
    return companion
