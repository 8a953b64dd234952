"""The ``email`` connector object; its operations register on it from their modules."""

from __future__ import annotations

from interlace.sdk import Connector

from .connection import EmailConnection

__all__ = ["connector"]

connector = Connector(
    "email",
    version="1.0.0",
    connection=EmailConnection,
    description="Send mail over SMTP (plain, STARTTLS or TLS; HTML, attachments, replies); list, read,"
    " move, delete and flag it over IMAP; and start flows from new mail (the `newMail` trigger).",
)
