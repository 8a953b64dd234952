"""The local development mailbox: SMTP, the Gmail API's mail and token calls, and a page to read the mail.

It stands in for Gmail and an SMTP relay so that an example sends real e-mail with no account and no
internet: everything it receives is kept in memory and shown at ``GET /`` and ``GET /api/messages``.
Run it with ``python -m interlace.samples.mailbox --port 9025 --smtp-port 2525``, or in-process with
``start_dev_mailbox``. Its development credentials (``interlace-dev`` / ``dev-secret``, refresh token
``dev-refresh-token``) are published on purpose; docs/mailbox.md describes routes and wire formats.
"""

from __future__ import annotations

from interlace.samples.mailbox.app import create_app
from interlace.samples.mailbox.box import Mailbox
from interlace.samples.mailbox.client import fetch_messages
from interlace.samples.mailbox.mail import Attachment, ReceivedMail, parse_mail
from interlace.samples.mailbox.server import DEFAULT_ADDRESS, DevMailbox, start_dev_mailbox
from interlace.samples.mailbox.tokens import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DEFAULT_SCOPE,
    TokenAuthority,
    TokenRequest,
)

__all__ = [
    "DEFAULT_ADDRESS",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REFRESH_TOKEN",
    "DEFAULT_SCOPE",
    "Attachment",
    "DevMailbox",
    "Mailbox",
    "ReceivedMail",
    "TokenAuthority",
    "TokenRequest",
    "create_app",
    "fetch_messages",
    "parse_mail",
    "start_dev_mailbox",
]
