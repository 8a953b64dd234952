"""E-mail for Interlace: ``email.send`` over SMTP, the mailbox operations and the ``newMail`` trigger over
IMAP."""

from __future__ import annotations

# Imported for their operations, which register on the connector in this order.
from . import send  # noqa: F401
from .connector import connector

# isort: split
from . import mailbox, newmail  # noqa: F401

__all__ = ["connector"]
