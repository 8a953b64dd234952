"""Settings of an e-mail connection: an SMTP part for sending, an IMAP part for reading, or both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from interlace.sdk import ConnectionConfig, Secret

__all__ = ["EmailConfig", "Endpoint", "Security"]

Security = Literal["none", "starttls", "tls"]

_SMTP_PORTS: dict[Security, int] = {"tls": 465, "starttls": 587, "none": 25}
_IMAP_PORTS: dict[Security, int] = {"tls": 993, "starttls": 143, "none": 143}
_Port = Annotated[int, Field(gt=0, lt=65536)]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where one part of the connection goes, with its defaults applied."""

    host: str
    port: int
    security: Security

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


class EmailConfig(ConnectionConfig):
    """Where and how to send mail (SMTP) and read it (IMAP). Configure the part you use: `host` for
    `email.send`, `imap-host` for the mailbox operations (`list`, `read`, `move`, `delete`, `markSeen`)
    and the `newMail` trigger, or both; `username` and `password` log in to both.

    `security` says how the connection is protected: `tls` (TLS from the first byte, the usual on ports
    465 and 993), `starttls` (a plain connection upgraded with STARTTLS before logging in, the usual on
    587 and 143; a server that does not offer STARTTLS is an error, never a silent plain session) or
    `none` (plain text, for servers on loopback or a trusted network only). Left out, it follows the port:
    465 and 993 mean `tls`, any other port `starttls`; a left-out port follows the security (SMTP: 465,
    587, 25; IMAP: 993, 143, 143); with neither given, SMTP uses STARTTLS on 587 and IMAP TLS on 993.

    Each `email.send` opens its own SMTP session (connect, secure, log in, send, quit), because SMTP
    servers close idle sessions within minutes; concurrent sends do not wait for each other. The IMAP
    part keeps one logged-in session, opened on first use and opened again when the server closed it;
    mailbox operations on one connection take turns on it.
    """

    host: str | None = None
    """The SMTP server's host name, for `email.send`."""

    port: _Port | None = None
    """The SMTP server's port; by default 465 for `tls`, 587 for `starttls`, 25 for `none`."""

    security: Security | None = None
    """How the SMTP connection is protected: `none`, `starttls` or `tls`; by default `tls` on port 465
    and `starttls` otherwise."""

    imap_host: str | None = None
    """The IMAP server's host name, for the mailbox operations."""

    imap_port: _Port | None = None
    """The IMAP server's port; by default 993 for `tls`, 143 otherwise."""

    imap_security: Security | None = None
    """How the IMAP connection is protected: `none`, `starttls` or `tls`; by default `starttls` on port
    143 and `tls` otherwise."""

    username: str | None = None
    """The account to log in as, on both servers; no login when not given."""

    password: Secret | None = None
    """The account's password (or app password)."""

    sender: str | None = None
    """The From address of sent messages that do not name one; by default `username`, when it is an
    e-mail address."""

    timeout: Annotated[float, Field(gt=0)] = 30.0
    """Seconds to wait for a server to connect or answer a command."""

    ca_file: str | None = None
    """A PEM file of the certificate authorities to trust instead of the system's (for servers with a
    private or self-signed certificate)."""

    @model_validator(mode="after")
    def _check_parts(self) -> Self:
        if self.host is None and self.imap_host is None:
            raise ValueError("set host (to send with SMTP), imap-host (to read with IMAP), or both")
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together: set both, or neither")
        return self

    def smtp_endpoint(self) -> Endpoint | None:
        """The SMTP server with its defaults applied; ``None`` when no ``host`` is set."""
        if self.host is None:
            return None
        security = self.security or ("tls" if self.port == 465 else "starttls")
        return Endpoint(self.host, self.port or _SMTP_PORTS[security], security)

    def imap_endpoint(self) -> Endpoint | None:
        """The IMAP server with its defaults applied; ``None`` when no ``imap-host`` is set."""
        if self.imap_host is None:
            return None
        security = self.imap_security or ("starttls" if self.imap_port == 143 else "tls")
        return Endpoint(self.imap_host, self.imap_port or _IMAP_PORTS[security], security)

    def default_sender(self) -> str | None:
        """The From address of messages that give none: ``sender``, else an address-like ``username``."""
        if self.sender is not None:
            return self.sender
        return self.username if self.username and "@" in self.username else None
