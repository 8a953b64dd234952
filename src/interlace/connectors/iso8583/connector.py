"""The ``iso8583`` connector object, with its operations."""

from __future__ import annotations

from interlace.connectors.iso8583.connection import Iso8583Connection
from interlace.connectors.iso8583.operations import pack_message, send, unpack_message
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "iso8583",
    version="1.0.0",
    connection=Iso8583Connection,
    description=(
        "Packs and unpacks ISO 8583 messages (the 1987 field definitions, or custom ones from a file) and"
        " sends requests to a peer over TCP.\n\n"
        "`send` keeps one socket per connection, each message preceded by its length (`frame-header`),"
        " and matches each response to its request by the STAN (field 11), so several requests may be in"
        " flight at once. A peer that closes the socket, or does not answer within the timeout, fails the"
        " requests in flight as retryable; a frame header the settings cannot read fails them as fatal (the"
        " framing does not match the peer's), and so does a response that does not unpack its one request"
        " in flight (with several in flight, whose it was is unknown: it is logged and dropped, and its"
        " request times out). A late response, after its request timed out, is logged and dropped."
    ),
    operations=[("pack", pack_message), ("unpack", unpack_message), send],
)
