"""Helpers shared by the tests: free ports and unique names."""

from __future__ import annotations

import socket
import uuid

__all__ = ["unique", "unused_port"]


def unused_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unique(prefix: str, separator: str = "-") -> str:
    """``prefix`` with a random suffix: a name no other test run on this machine uses."""
    return f"{prefix}{separator}{uuid.uuid4().hex[:10]}"
