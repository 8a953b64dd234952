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
    """Start ``definition`` unless its port is taken (then the running service is used, and None returned).

    Its other declared ports (``smtp-port``) must then be free: one that is taken is a ConfigError naming
    it, since the companion would fail to bind it (or another program would get its traffic).
    """
    host = definition.host
    if await port_in_use(host, definition.port):
        _log.info("companion %s: %s:%d already answers; using it", name, host, definition.port)
        return None
    for key, port in definition.ports.items():
        if await port_in_use(host, port):
            raise ConfigError(
                f"companion {name}: {key} {port} must be free on {host} (another program listens there, "
                f"while port {definition.port} is free, so it is not this companion): stop that program or "
                f"set another {key} in the companion's table",
                location=SourceLocation("interlace.toml", definition.location.line),
            )
    module_name, _, function_name = definition.start.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"companion {name}: cannot import {definition.start}: {exc}",
            location=SourceLocation("interlace.toml", definition.location.line),
        ) from exc
    ports = {key.replace("-", "_"): port for key, port in definition.ports.items()}
    try:
        companion: Companion = await factory(host=host, port=definition.port, **ports)
    except OSError as exc:  # a port taken between the look and the bind
        raise ConfigError(
            f"companion {name} could not listen on {host}: {exc.strerror or exc}",
            location=SourceLocation("interlace.toml", definition.location.line),
        ) from exc
    shown = "".join(f", {key} {port}" for key, port in definition.ports.items())
    _log.info("companion %s started on %s:%d%s", name, host, definition.port, shown)
    return companion
