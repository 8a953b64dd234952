"""Connections at run time: pools of live connector connections, opened lazily and closed safely."""

from interlace.connections.pool import ConnectionPool

__all__ = ["ConnectionPool"]
