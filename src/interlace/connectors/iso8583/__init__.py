"""The ``iso8583`` connector: pack and unpack ISO 8583 messages, and send them to a peer over TCP."""

from __future__ import annotations

from interlace.connectors.iso8583.config import Iso8583Config
from interlace.connectors.iso8583.connection import Iso8583Connection
from interlace.connectors.iso8583.connector import connector
from interlace.connectors.iso8583.operations import pack_message, send, unpack_message

__all__ = ["Iso8583Config", "Iso8583Connection", "connector", "pack_message", "send", "unpack_message"]
