"""The ``gmail`` connector object; its operations register on it from their own modules."""

from __future__ import annotations

from interlace.connectors.gmail.connection import GmailConnection
from interlace.sdk import Connector

__all__ = ["connector"]

connector = Connector(
    "gmail",
    version="1.0.0",
    connection=GmailConnection,
    description=(
        "Send, list, read and trash mail and read labels and the profile of a Gmail mailbox through the"
        " Gmail REST API, with OAuth2 tokens refreshed as needed."
    ),
)
