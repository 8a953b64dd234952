"""The development mailbox's SMTP side: an aiosmtpd server on the running event loop.

It accepts any mail for any recipient and keeps it in the ``Mailbox`` (labels ``INBOX`` and
``UNREAD``). AUTH PLAIN and LOGIN are offered without TLS, because the server listens on loopback only:
with no *credentials* any user name and password are accepted and AUTH is optional; with *credentials*
(user → password) only those are accepted and a sender must authenticate before ``MAIL FROM``.
STARTTLS is not offered.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import Mapping

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from interlace.samples.mailbox.box import Mailbox

__all__ = ["SmtpListener", "start_smtp"]


class SmtpListener:
    """A listening SMTP server; ``port`` is the bound port. ``aclose()`` also drops open connections."""

    def __init__(self, server: asyncio.Server, protocols: weakref.WeakSet[SMTP]) -> None:
        self._server = server
        self._protocols = protocols
        self.port = int(server.sockets[0].getsockname()[1])

    async def aclose(self) -> None:
        self._server.close()
        for protocol in list(self._protocols):
            if protocol.transport is not None:
                protocol.transport.close()
        await self._server.wait_closed()
        # Let each connection's handler see its cancellation before the loop can be closed.
        await asyncio.sleep(0)


async def start_smtp(
    mailbox: Mailbox, host: str, port: int, *, credentials: Mapping[str, str] | None = None
) -> SmtpListener:
    """Listen for SMTP on *host*:*port* (0 picks a free port); raise ``OSError`` if it is taken."""
    handler = _Handler(mailbox, credentials)
    protocols: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def protocol() -> SMTP:
        smtp = SMTP(
            handler,
            hostname="localhost",
            ident="Interlace development mailbox",
            auth_require_tls=False,
            authenticator=handler.authenticate,
            loop=asyncio.get_running_loop(),
        )
        protocols.add(smtp)
        return smtp

    server = await asyncio.get_running_loop().create_server(protocol, host, port)
    return SmtpListener(server, protocols)


class _Handler:
    """aiosmtpd hooks: check AUTH, require it when credentials are configured, keep each message."""

    def __init__(self, mailbox: Mailbox, credentials: Mapping[str, str] | None) -> None:
        self._mailbox = mailbox
        self._credentials = dict(credentials) if credentials is not None else None

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        if self._credentials is None:
            return AuthResult(success=True, auth_data=auth_data)
        user = auth_data.login.decode("utf-8", errors="replace")
        expected = self._credentials.get(user)
        accepted = expected is not None and secrets.compare_digest(expected.encode(), auth_data.password)
        return AuthResult(success=accepted, handled=False, auth_data=auth_data if accepted else None)

    async def handle_MAIL(  # noqa: N802 - the hook name aiosmtpd looks up
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self._credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the hook name aiosmtpd looks up
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        message = await self._mailbox.receive(
            raw,
            source="smtp",
            labels=("INBOX", "UNREAD"),
            envelope_from=envelope.mail_from,
            envelope_to=envelope.rcpt_tos,
        )
        return f"250 2.0.0 OK: queued as {message.id}"
