"""The keys under which the development mailbox's application holds its state."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from interlace.samples.mailbox.box import Mailbox
from interlace.samples.mailbox.tokens import TokenAuthority

__all__ = ["AUTHORITY_KEY", "MAILBOX_KEY"]

MAILBOX_KEY: Final = web.AppKey("mailbox", Mailbox)
AUTHORITY_KEY: Final = web.AppKey("token_authority", TokenAuthority)
