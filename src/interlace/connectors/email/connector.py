"""The ``email`` connector object, with its operations and trigger."""

from __future__ import annotations

from interlace.sdk import Connector

from .connection import EmailConnection
from .mailbox import delete, list_messages, mark_seen, move, read
from .newmail import new_mail
from .send import send

__all__ = ["connector"]

connector = Connector(
    "email",
    version="1.0.0",
    connection=EmailConnection,
    description="Send mail over SMTP (plain, STARTTLS or TLS; HTML, attachments, replies); list, read,"
    " move, delete and flag it over IMAP; and start flows from new mail (the `newMail` trigger).",
    operations=[send, ("list", list_messages), read, move, delete, ("markSeen", mark_seen)],
    triggers=[("newMail", new_mail)],
)
