"""The live e-mail connection: TLS settings, an SMTP session per send, and the IMAP session."""

from __future__ import annotations

import asyncio
import ssl

import aiosmtplib

from interlace.sdk import Connection, FatalError

from .config import EmailConfig
from .imap import ImapSession, ImapSettings
from .smtp import SmtpSettings, smtp_failure, smtp_session
from .tls import tls_context

__all__ = ["EmailConnection"]


class EmailConnection(Connection[EmailConfig]):
    """An e-mail connection. ``open`` reads the TLS settings and connects to nothing: each send opens
    its own SMTP session and the IMAP session opens on the first mailbox operation. Safe to share
    between concurrent operations: sends run side by side, mailbox operations take turns."""

    def __init__(self, config: EmailConfig, *, name: str = "default") -> None:
        super().__init__(config, name=name)
        self._tls: ssl.SSLContext | None = None
        self._mailbox: ImapSession | None = None

    async def open(self) -> None:
        try:
            self._tls = await asyncio.to_thread(tls_context, self.config.ca_file)
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
            raise FatalError(
                f"connection {self.name}: ca-file {self.config.ca_file!r} is not a readable PEM file of"
                f" certificates ({reason})"
            ) from exc
        endpoint = self.config.imap_endpoint()
        if endpoint is not None:
            self._mailbox = ImapSession(
                ImapSettings(
                    connection=self.name,
                    endpoint=endpoint,
                    username=self.config.username,
                    password=self.config.password,
                    timeout=self.config.timeout,
                    tls=self._tls,
                )
            )

    @property
    def smtp_settings(self) -> SmtpSettings:
        """What a send needs; ``FatalError`` when the connection has no SMTP part."""
        endpoint = self.config.smtp_endpoint()
        if endpoint is None:
            raise FatalError(f"connection {self.name} has no SMTP server to send with: set host")
        return SmtpSettings(
            connection=self.name,
            endpoint=endpoint,
            username=self.config.username,
            password=self.config.password,
            timeout=self.config.timeout,
            tls=self._opened_tls(),
        )

    @property
    def mailbox(self) -> ImapSession:
        """The IMAP session; ``FatalError`` when the connection has no IMAP part."""
        self._opened_tls()
        if self._mailbox is None:
            raise FatalError(f"connection {self.name} has no IMAP server to read from: set imap-host")
        return self._mailbox

    async def ping(self) -> None:
        """SMTP: connect, secure, log in and NOOP; IMAP: NOOP on the session (opening it if needed)."""
        if self.config.smtp_endpoint() is not None:
            settings = self.smtp_settings
            async with smtp_session(settings) as client:
                try:
                    await client.noop()
                except (aiosmtplib.SMTPException, OSError) as exc:
                    raise smtp_failure(exc, settings) from exc
        if self.config.imap_endpoint() is not None:
            await self.mailbox.noop()

    async def aclose(self) -> None:
        mailbox, self._mailbox = self._mailbox, None
        if mailbox is not None:
            await mailbox.aclose()

    def _opened_tls(self) -> ssl.SSLContext:
        if self._tls is None:
            raise FatalError(f"connection {self.name} is used before it was opened")
        return self._tls
