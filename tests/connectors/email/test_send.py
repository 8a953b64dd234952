from __future__ import annotations

import base64
import ssl
from typing import Any

import pytest
from tests.support import unused_port

from interlace.connectors.email import connector
from interlace.connectors.email.config import EmailConfig
from interlace.connectors.email.connection import EmailConnection
from interlace.sdk import FatalError, InvalidInput, RetryableError

from .peers import SmtpRecorder, accept_only, smtp_server

SEND = connector.get_operation("send")
PASSWORD = 'p"a\\ss-w0rd'


def settings(port: int, **values: object) -> EmailConfig:
    return EmailConfig.model_validate({"host": "127.0.0.1", "port": port, "security": "none", **values})


async def send(config: EmailConfig, **values: object) -> object:
    async with EmailConnection(config, name="patientMail") as conn:
        return await SEND.invoke(conn, {"from": "Clinic <clinic@example.com>", **values})


async def test_send_delivers_html_with_attachments_and_blind_copies_only_in_the_envelope() -> None:
    recorder = SmtpRecorder()
    pdf = b"%PDF-1.4 \x00\xff payment"
    async with smtp_server(recorder) as port:
        result = await send(
            settings(port),
            to="Ann Lee <ann@example.com>",
            cc=["carl@example.com"],
            bcc="dora@example.com, eve@example.com",
            replyTo="billing@example.com",
            subject="Payment Status — paid",
            content="<p>Your payment of <b>€10</b> was received.</p>",
            contentType="text/html",
            attachments=[
                {
                    "name": "receipt.pdf",
                    "contentType": "application/pdf",
                    "content": base64.b64encode(pdf).decode(),
                },
                {
                    "name": "note.txt",
                    "contentType": "text/plain",
                    "content": base64.b64encode(b"thanks").decode(),
                },
            ],
        )
    (received,) = recorder.received
    assert received.mail_from == "clinic@example.com"
    assert received.rcpt_tos == ["ann@example.com", "carl@example.com", "dora@example.com", "eve@example.com"]
    message = received.message
    assert message["Subject"] == "Payment Status — paid"
    assert message["From"] == "Clinic <clinic@example.com>"
    assert message["To"] == "Ann Lee <ann@example.com>"
    assert message["Cc"] == "carl@example.com"
    assert message["Reply-To"] == "billing@example.com"
    assert message["Bcc"] is None and b"dora@" not in received.data
    body = message.get_body(("html", "plain"))
    assert body is not None and body.get_content_type() == "text/html"
    assert body.get_content().strip() == "<p>Your payment of <b>€10</b> was received.</p>"
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert attachments["receipt.pdf"].get_content_type() == "application/pdf"
    assert attachments["receipt.pdf"].get_payload(decode=True) == pdf
    assert attachments["note.txt"].get_payload(decode=True) == b"thanks"
    assert result == {
        "messageId": message["Message-ID"],
        "accepted": received.rcpt_tos,
        "rejected": {},
    }
    assert message["Message-ID"].endswith("@example.com>")


async def test_send_writes_plain_text_and_reply_threading_headers() -> None:
    recorder = SmtpRecorder()
    async with smtp_server(recorder) as port:
        await send(
            settings(port),
            to=["ann@example.com"],
            subject="Re: appointment",
            content="See you on Monday.",
            inReplyTo="abc@mail.example.com",
            references="<root@mail.example.com> <abc@mail.example.com>",
        )
    message = recorder.received[0].message
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().splitlines() == ["See you on Monday."]
    assert message["In-Reply-To"] == "<abc@mail.example.com>"
    assert message["References"] == "<root@mail.example.com> <abc@mail.example.com>"


async def test_references_default_to_the_message_replied_to() -> None:
    recorder = SmtpRecorder()
    async with smtp_server(recorder) as port:
        await send(settings(port), to="ann@example.com", subject="Re: x", inReplyTo="<abc@example.com>")
    assert recorder.received[0].message["References"] == "<abc@example.com>"


async def test_the_sender_defaults_to_the_connections_sender_then_its_username() -> None:
    recorder = SmtpRecorder()
    async with smtp_server(
        recorder, auth_require_tls=False, authenticator=accept_only("me@example.com", PASSWORD)
    ) as port:
        async with EmailConnection(settings(port, sender="desk@example.com")) as conn:
            await SEND.invoke(conn, {"to": "ann@example.com", "subject": "a"})
        config = settings(port, username="me@example.com", password=PASSWORD)
        async with EmailConnection(config) as conn:
            await SEND.invoke(conn, {"to": "ann@example.com", "subject": "b"})
    assert [r.mail_from for r in recorder.received] == ["desk@example.com", "me@example.com"]


async def test_a_message_without_any_sender_is_refused_before_connecting() -> None:
    async with EmailConnection(settings(unused_port())) as conn:
        with pytest.raises(FatalError, match="connection default does not say who sends"):
            await SEND.invoke(conn, {"to": "ann@example.com", "subject": "a"})


async def test_starttls_with_login_secures_the_session_before_authenticating(
    ca_file: str, tls: ssl.SSLContext
) -> None:
    recorder = SmtpRecorder()
    options: dict[str, Any] = {"tls_context": tls, "require_starttls": True, "auth_required": True}
    async with smtp_server(recorder, authenticator=accept_only("clinic", PASSWORD), **options) as port:
        config = settings(
            port, security="starttls", **{"ca-file": ca_file}, username="clinic", password=PASSWORD
        )
        await send(config, to="ann@example.com", subject="secure")
    (received,) = recorder.received
    assert received.secure and received.login == "clinic"


async def test_tls_from_the_first_byte(ca_file: str, tls: ssl.SSLContext) -> None:
    recorder = SmtpRecorder()
    async with smtp_server(
        recorder, tls=tls, auth_require_tls=False, authenticator=accept_only("clinic", PASSWORD)
    ) as port:
        config = settings(port, security="tls", ca_file=ca_file, username="clinic", password=PASSWORD)
        await send(config, to="ann@example.com", subject="tls")
    assert recorder.received[0].secure and recorder.received[0].login == "clinic"


async def test_starttls_is_required_when_configured_never_skipped() -> None:
    async with smtp_server(SmtpRecorder()) as port:
        with pytest.raises(
            FatalError,
            match=rf"SMTP server 127.0.0.1:{port} of connection patientMail cannot be used as configured: .*STARTTLS",
        ):
            await send(settings(port, security="starttls"), to="ann@example.com", subject="x")


async def test_an_untrusted_certificate_is_fatal_and_says_how_to_trust_it(tls: ssl.SSLContext) -> None:
    async with smtp_server(SmtpRecorder(), tls=tls) as port:
        with pytest.raises(FatalError, match=r"does not trust .*set ca-file"):
            await send(settings(port, security="tls"), to="ann@example.com", subject="x")


async def test_an_unreachable_server_is_retryable_and_named() -> None:
    port = unused_port()
    with pytest.raises(
        RetryableError, match=rf"cannot reach the SMTP server 127.0.0.1:{port} of connection patientMail"
    ):
        await send(settings(port), to="ann@example.com", subject="x")


async def test_wrong_credentials_are_fatal_and_never_show_the_password() -> None:
    authenticator = accept_only("clinic", "the-right-one")
    async with smtp_server(SmtpRecorder(), auth_require_tls=False, authenticator=authenticator) as port:
        with pytest.raises(
            FatalError, match="wrong username or password for connection patientMail"
        ) as failure:
            await send(
                settings(port, username="clinic", password=PASSWORD), to="ann@example.com", subject="x"
            )
    assert PASSWORD not in str(failure.value) and PASSWORD not in repr(failure.value.__cause__)


async def test_a_refused_recipient_is_invalid_input_naming_the_address() -> None:
    recorder = SmtpRecorder(refuse={"nobody@example.com"})
    async with smtp_server(recorder) as port:
        with pytest.raises(InvalidInput, match=r"refused every recipient: nobody@example\.com \(550"):
            await send(settings(port), to="nobody@example.com", subject="x")
    assert recorder.received == []


async def test_recipients_refused_beside_accepted_ones_are_reported_in_the_result() -> None:
    recorder = SmtpRecorder(refuse={"nobody@example.com"})
    async with smtp_server(recorder) as port:
        result = await send(settings(port), to="ann@example.com, nobody@example.com", subject="x")
    assert recorder.received[0].rcpt_tos == ["ann@example.com"]
    assert result["accepted"] == ["ann@example.com"]  # type: ignore[index]
    assert result["rejected"] == {"nobody@example.com": "550 5.1.1 No such user here"}  # type: ignore[index]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"to": "not an address"}, "to: 'not an address' is not an e-mail address"),
        ({"to": "ann@example.com", "cc": ["ok@example.com", "bad"]}, "cc: 'bad' is not an e-mail address"),
        ({"to": "ann@example.com\r\nBcc: x@evil.example"}, "to: an address cannot contain a line break"),
        ({"to": "", "cc": ""}, "at least one recipient"),
        ({"to": "ann@example.com", "subject": "a\r\nBcc: x@evil.example"}, "headers cannot be written"),
        (
            {"to": "ann@example.com", "attachments": [{"name": "a.bin", "content": "@@not base64@@"}]},
            "attachment 'a.bin': content must be base64",
        ),
        ({"to": "ann@example.com", "inReplyTo": "no-at-sign"}, "inReplyTo: 'no-at-sign' is not a Message-ID"),
        ({"to": "ann@example.com", "contentType": "text/xml"}, "contentType"),
    ],
)
async def test_input_that_cannot_be_sent_is_invalid_input_and_nothing_is_sent(
    values: dict[str, object], message: str
) -> None:
    recorder = SmtpRecorder()
    async with smtp_server(recorder) as port:
        with pytest.raises(InvalidInput, match=message):
            await send(settings(port), **{"subject": "x", **values})
    assert recorder.received == []


async def test_a_connection_without_smtp_host_cannot_send() -> None:
    async with EmailConnection(EmailConfig(imap_host="127.0.0.1"), name="inbox") as conn:
        with pytest.raises(FatalError, match="connection inbox has no SMTP server to send with: set host"):
            await SEND.invoke(conn, {"from": "a@example.com", "to": "b@example.com", "subject": "x"})


async def test_ping_says_noop_to_the_smtp_server() -> None:
    recorder = SmtpRecorder()
    async with smtp_server(recorder) as port, EmailConnection(settings(port)) as conn:
        await conn.ping()
    assert recorder.noops == 1


async def test_ping_of_an_unreachable_smtp_server_is_retryable() -> None:
    async with EmailConnection(settings(unused_port())) as conn:
        with pytest.raises(RetryableError, match="cannot reach the SMTP server"):
            await conn.ping()
