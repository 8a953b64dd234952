"""SMTP sessions of a connection: one per use (connect, secure, log in, ..., quit), failures sorted.

An SMTP server closes an idle session within minutes and a session carries one transaction at a time,
so a session is opened for each send rather than pooled: concurrent sends never wait for each other.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiosmtplib

from interlace.sdk import ConnectorError, FatalError, InvalidInput, RetryableError, Secret

from .config import Endpoint
from .tls import tls_failure

__all__ = ["SmtpSettings", "refused_recipients", "smtp_failure", "smtp_session"]


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """What an SMTP session needs; ``connection`` names the connection in messages."""

    connection: str
    endpoint: Endpoint
    username: str | None
    password: Secret | None = field(repr=False)
    timeout: float
    tls: ssl.SSLContext = field(repr=False)

    @property
    def where(self) -> str:
        return f"the SMTP server {self.endpoint} of connection {self.connection}"


@asynccontextmanager
async def smtp_session(settings: SmtpSettings) -> AsyncIterator[aiosmtplib.SMTP]:
    """A connected, secured and logged-in SMTP client, closed (QUIT) on exit; failures of connecting
    and logging in are raised sorted (:func:`smtp_failure`)."""
    endpoint = settings.endpoint
    client = aiosmtplib.SMTP(
        hostname=endpoint.host,
        port=endpoint.port,
        use_tls=endpoint.security == "tls",
        # True requires STARTTLS (no silent downgrade); False never tries it on a `none` connection.
        start_tls=endpoint.security == "starttls",
        tls_context=settings.tls,
        timeout=settings.timeout,
    )
    try:
        await client.connect()
        if settings.username is not None and settings.password is not None:
            await client.login(settings.username, settings.password.reveal())
    except (aiosmtplib.SMTPException, OSError) as exc:
        client.close()
        raise smtp_failure(exc, settings) from exc
    try:
        yield client
    finally:
        await _quit(client)


def smtp_failure(exc: BaseException, settings: SmtpSettings) -> ConnectorError:
    """The error to raise for ``exc`` raised by an SMTP client of ``settings``, sorted by what helps."""
    where = settings.where
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return FatalError(
            f"wrong username or password for connection {settings.connection}:"
            f" {where} answered {exc.code} {exc.message}"
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return InvalidInput(f"{where} refused every recipient: {_refusals(exc)}")
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return InvalidInput(f"{where} refused the sender {exc.sender}: {exc.code} {exc.message}")
    tls_error = tls_failure(exc, where)
    if tls_error is not None:
        return tls_error
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        answer = f"{exc.code} {exc.message}"
        if 400 <= exc.code < 500:
            return RetryableError(f"{where} answered {answer}; try again later")
        return FatalError(f"{where} answered {answer}")
    if isinstance(exc, aiosmtplib.SMTPNotSupported | aiosmtplib.SMTPException) and not isinstance(
        exc, ConnectionError | TimeoutError
    ):
        return FatalError(f"{where} cannot be used as configured: {exc.message}")
    if isinstance(exc, TimeoutError):
        return RetryableError(f"{where} did not answer within {settings.timeout:g}s")
    return RetryableError(f"cannot reach {where}: {_reason(exc)}")


def _refusals(exc: aiosmtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(f"{error.recipient} ({error.code} {error.message})" for error in exc.recipients)


def refused_recipients(errors: Mapping[str, aiosmtplib.SMTPResponse]) -> dict[str, str]:
    """The recipients a server refused while it accepted others, with its answers."""
    return {address: f"{response.code} {response.message}" for address, response in errors.items()}


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
    return str(message) or type(exc).__name__


async def _quit(client: aiosmtplib.SMTP) -> None:
    # The message is sent by now: a server that hangs up rudely at QUIT changes nothing.
    try:
        if client.is_connected:
            await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()
