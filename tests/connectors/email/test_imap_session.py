from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator

import pytest
from tests.support import unused_port

from interlace.connectors.email import connector
from interlace.connectors.email.config import EmailConfig
from interlace.connectors.email.connection import EmailConnection
from interlace.sdk import FatalError, RetryableError

from .imapserver import ImapTestServer
from .peers import SmtpRecorder, accept_only, smtp_server

USER, PASSWORD = "desk", 'Kx7-unique-secret"\\tail'
SECRET_PART = "Kx7-unique-secret"  # found in the log whatever quoting or escaping a log line adds
LIST = connector.get_operation("list")


def imap_config(imap_port: int, imap_security: str = "none", **values: object) -> EmailConfig:
    return EmailConfig.model_validate(
        {
            "imap-host": "127.0.0.1",
            "imap-port": imap_port,
            "imap-security": imap_security,
            "username": USER,
            "password": PASSWORD,
            **values,
        }
    )


@pytest.fixture
async def server() -> AsyncIterator[ImapTestServer]:
    server = await ImapTestServer({USER: PASSWORD}).start()
    yield server
    await server.aclose()


async def test_operations_share_one_logged_in_session(server: ImapTestServer) -> None:
    async with EmailConnection(imap_config(server.port)) as conn:
        for _ in range(3):
            await LIST.invoke(conn, {})
    assert server.logins == 1
    assert server.commands[-1].endswith("LOGOUT")


async def test_a_session_closed_by_the_server_is_opened_again(server: ImapTestServer) -> None:
    uid = server.deliver(b"Subject: hi\r\n\r\nbody\r\n")
    async with EmailConnection(imap_config(server.port)) as conn:
        await LIST.invoke(conn, {})
        await server.drop_connections()
        listed = await LIST.invoke(conn, {})
        assert isinstance(listed, list) and [item["uid"] for item in listed] == [uid]
    assert server.logins == 2


async def test_wrong_credentials_are_fatal_naming_the_connection_without_the_password(
    server: ImapTestServer,
) -> None:
    config = imap_config(server.port, password="not-it")
    async with EmailConnection(config, name="inbox") as conn:
        with pytest.raises(
            FatalError, match="wrong username or password for connection inbox: the IMAP server"
        ) as failure:
            await LIST.invoke(conn, {})
    assert "not-it" not in str(failure.value)


async def test_an_unreachable_imap_server_is_retryable_and_named() -> None:
    port = unused_port()
    async with EmailConnection(imap_config(port), name="inbox") as conn:
        with pytest.raises(
            RetryableError, match=f"cannot reach the IMAP server 127.0.0.1:{port} of connection inbox"
        ):
            await LIST.invoke(conn, {})


async def test_starttls_secures_the_session_before_logging_in(ca_file: str, tls: ssl.SSLContext) -> None:
    server = await ImapTestServer({USER: PASSWORD}, starttls=tls).start()
    try:
        async with EmailConnection(imap_config(server.port, "starttls", ca_file=ca_file)) as conn:
            assert await LIST.invoke(conn, {}) == []
        commands = [command.split(" ", 1)[1] for command in server.commands]
        assert commands.index("STARTTLS") < next(i for i, c in enumerate(commands) if c.startswith("LOGIN"))
    finally:
        await server.aclose()


async def test_starttls_is_required_when_configured(server: ImapTestServer) -> None:
    async with EmailConnection(imap_config(server.port, "starttls"), name="inbox") as conn:
        with pytest.raises(FatalError, match="does not offer STARTTLS"):
            await LIST.invoke(conn, {})
    assert server.logins == 0


async def test_tls_from_the_first_byte(ca_file: str, tls: ssl.SSLContext) -> None:
    server = await ImapTestServer({USER: PASSWORD}, tls=tls).start()
    try:
        async with EmailConnection(imap_config(server.port, "tls", ca_file=ca_file)) as conn:
            assert await LIST.invoke(conn, {}) == []
        assert server.logins == 1
    finally:
        await server.aclose()


async def test_an_untrusted_certificate_is_fatal(tls: ssl.SSLContext) -> None:
    server = await ImapTestServer({USER: PASSWORD}, tls=tls).start()
    try:
        async with EmailConnection(imap_config(server.port, "tls")) as conn:
            with pytest.raises(FatalError, match=r"does not trust .*set ca-file"):
                await LIST.invoke(conn, {})
    finally:
        await server.aclose()


async def test_ping_says_noop_to_the_imap_server(server: ImapTestServer) -> None:
    async with EmailConnection(imap_config(server.port)) as conn:
        await conn.ping()
    assert any(command.endswith("NOOP") for command in server.commands)


async def test_ping_checks_both_parts(server: ImapTestServer) -> None:
    recorder = SmtpRecorder()
    async with (
        smtp_server(recorder, auth_require_tls=False, authenticator=accept_only(USER, PASSWORD)) as port,
        EmailConnection(imap_config(server.port, host="127.0.0.1", port=port, security="none")) as conn,
    ):
        await conn.ping()
    assert recorder.noops == 1 and server.logins == 1


async def test_a_connection_without_imap_host_cannot_read() -> None:
    async with EmailConnection(EmailConfig(host="127.0.0.1"), name="outbox") as conn:
        with pytest.raises(
            FatalError, match="connection outbox has no IMAP server to read from: set imap-host"
        ):
            await LIST.invoke(conn, {})


async def test_no_log_line_shows_the_password(
    server: ImapTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.deliver(b"Subject: hi\r\n\r\nbody\r\n")
    async with smtp_server(
        SmtpRecorder(), auth_require_tls=False, authenticator=accept_only(USER, PASSWORD)
    ) as port:
        config = imap_config(
            server.port, host="127.0.0.1", port=port, security="none", sender="desk@example.com"
        )
        async with EmailConnection(config) as conn:
            await connector.get_operation("send").invoke(conn, {"to": "ann@example.com", "subject": "x"})
            await connector.get_operation("read").invoke(conn, {"uid": 1})
        async with EmailConnection(imap_config(server.port, password="wrong" + PASSWORD)) as conn:
            with pytest.raises(FatalError):
                await LIST.invoke(conn, {})
    assert any("LOGIN" in record.getMessage() for record in caplog.records)  # the client logged its commands
    assert SECRET_PART not in caplog.text


async def test_a_command_the_server_refuses_is_fatal_naming_folder_and_answer() -> None:
    server = await ImapTestServer({USER: PASSWORD}, refuse=frozenset({"STORE"})).start()
    try:
        uid = server.deliver(b"Subject: hi\r\n\r\nbody\r\n")
        async with EmailConnection(imap_config(server.port), name="inbox") as conn:
            with pytest.raises(
                FatalError, match=r"refused UID STORE in folder 'INBOX': \[CANNOT\] STORE is not allowed here"
            ):
                await connector.get_operation("markSeen").invoke(conn, {"uid": uid})
    finally:
        await server.aclose()


async def test_a_server_that_does_not_answer_is_retryable_after_the_timeout() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)
        await reader.read()  # accepts, never greets
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        config = imap_config(
            port, host="127.0.0.1", port=port, security="none", timeout=0.2, sender="a@example.com"
        )
        async with EmailConnection(config, name="inbox") as conn:
            with pytest.raises(
                RetryableError, match=f"IMAP server 127.0.0.1:{port} of connection inbox did not answer"
            ):
                await LIST.invoke(conn, {})
            with pytest.raises(
                RetryableError, match=f"SMTP server 127.0.0.1:{port} of connection inbox did not answer"
            ):
                await connector.get_operation("send").invoke(conn, {"to": "b@example.com", "subject": "x"})
    finally:
        server.close()
        for writer in accepted:  # the clients gave up: the server hangs up too
            writer.close()
        await server.wait_closed()
