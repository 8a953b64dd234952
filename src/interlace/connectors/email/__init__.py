"""E-mail for Interlace: ``email.send`` over SMTP, the mailbox operations and the ``newMail`` trigger over
IMAP."""

from __future__ import annotations

from .connector import connector

__all__ = ["connector"]
