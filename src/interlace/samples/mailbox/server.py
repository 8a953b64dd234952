"""Running the development mailbox in-process: HTTP (Gmail API, token endpoint, pages) and SMTP."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Final

from aiohttp import web

from interlace.samples.mailbox.app import create_app
from interlace.samples.mailbox.box import Mailbox, utc_now
from interlace.samples.mailbox.mail import ReceivedMail
from interlace.samples.mailbox.tokens import DEFAULT_REFRESH_TOKEN, TokenAuthority, TokenRequest

if TYPE_CHECKING:
    from interlace.samples.mailbox.smtp import SmtpListener

__all__ = ["DEFAULT_ADDRESS", "DevMailbox", "start_dev_mailbox"]

DEFAULT_ADDRESS: Final = "dev@interlace.localhost"


class DevMailbox:
    """A started development mailbox. Made by ``start_dev_mailbox``; ``aclose()`` or ``async with``.

    ``url`` is the HTTP base (Gmail API under ``/gmail/v1``, token endpoint at ``token_url``, web page
    at ``/``); ``smtp_port`` is ``None`` when SMTP was not started. Closing twice is harmless.
    """

    def __init__(
        self,
        runner: web.AppRunner,
        smtp: SmtpListener | None,
        mailbox: Mailbox,
        authority: TokenAuthority,
        host: str,
        port: int,
    ) -> None:
        self._runner = runner
        self._smtp = smtp
        self.mailbox = mailbox
        self.authority = authority
        self.host = host
        self.port = port
        self.smtp_port = smtp.port if smtp is not None else None

    @property
    def url(self) -> str:
        """The HTTP base URL without a trailing slash, e.g. ``http://127.0.0.1:9025``."""
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def authorization_url(self) -> str:
        """The consent page (authorization endpoint) of the authorization code grant."""
        return f"{self.url}/authorize"

    @property
    def address(self) -> str:
        """The account's e-mail address (what ``users.getProfile`` answers)."""
        return self.mailbox.address

    @property
    def messages(self) -> list[ReceivedMail]:
        """Every message received so far, newest first."""
        return self.mailbox.messages

    @property
    def token_requests(self) -> tuple[TokenRequest, ...]:
        """Every call of the token endpoint so far, oldest first (refused ones included)."""
        return self.authority.requests

    @property
    def refresh_count(self) -> int:
        """How many refresh-token grants issued an access token."""
        return self.authority.refresh_count

    def revoke(self, refresh_token: str) -> bool:
        """End the grant of *refresh_token*: it and its access tokens stop working."""
        return self.authority.revoke(refresh_token)

    def expire_access_tokens(self) -> None:
        """Invalidate every access token issued so far, so the next API call answers 401."""
        self.authority.expire_access_tokens()

    async def wait_for_messages(self, count: int = 1) -> list[ReceivedMail]:
        """Wait for at least *count* messages, then return all (newest first); bound it with a timeout."""
        return await self.mailbox.wait_for(count)

    async def aclose(self) -> None:
        if self._smtp is not None:
            await self._smtp.aclose()
            self._smtp = None
        await self._runner.cleanup()

    async def __aenter__(self) -> DevMailbox:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


async def start_dev_mailbox(
    host: str = "127.0.0.1",
    port: int = 9025,
    *,
    smtp_port: int | None = None,
    address: str = DEFAULT_ADDRESS,
    clients: Mapping[str, str] | None = None,
    refresh_tokens: Iterable[str] = (DEFAULT_REFRESH_TOKEN,),
    token_lifetime: int = 3600,
    rotate_refresh_tokens: bool = False,
    smtp_credentials: Mapping[str, str] | None = None,
    store: str | Path | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> DevMailbox:
    """Start an empty mailbox: HTTP on *host*:*port*, and SMTP on *host*:*smtp_port* when one is given
    (a profile's companion declares it as ``smtp-port``; by default no SMTP port is bound).

    Port 0 picks a free port; the bound ports are on the result. *clients* (id → secret, default
    ``interlace-dev`` / ``dev-secret``) and *refresh_tokens* configure the token endpoint, which answers
    ``expires_in`` *token_lifetime* and, with *rotate_refresh_tokens*, a new refresh token per refresh.
    *smtp_credentials* (user → password) make SMTP AUTH required; without them any AUTH is accepted.
    *store* names a JSON-lines file each received message is appended to. *clock* stamps received mail
    and decides token expiry. Raises ``OSError`` if a port is taken.
    """
    mailbox = Mailbox(address=address, clock=clock, store=Path(store) if store is not None else None)
    authority = TokenAuthority(
        clients=clients,
        refresh_tokens=refresh_tokens,
        token_lifetime=token_lifetime,
        rotate_refresh_tokens=rotate_refresh_tokens,
        clock=clock,
    )
    runner = web.AppRunner(create_app(mailbox, authority), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        smtp = None
        if smtp_port is not None:
            from interlace.samples.mailbox.smtp import start_smtp  # aiosmtpd: only with an SMTP port

            smtp = await start_smtp(mailbox, host, smtp_port, credentials=smtp_credentials)
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = int(runner.addresses[0][1]) if runner.addresses else port
    return DevMailbox(runner, smtp, mailbox, authority, host, bound_port)
