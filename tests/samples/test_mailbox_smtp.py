"""The development mailbox's SMTP side, driven by Python's smtplib as a real SMTP client."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import orjson
import pytest
from tests.support import deadline

from interlace.samples.mailbox import DevMailbox, start_dev_mailbox


def message(subject: str = "Payment Status", *, attachment: bool = False) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Hospital <payments@hospital.example>"
    mail["To"] = "John Doe <john.doe@example.com>"
    mail["Subject"] = subject
    mail.set_content('{"status": "Settled"}')
    if attachment:
        mail.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="payment.csv")
    return mail


def send(
    port: int, mail: EmailMessage, *, login: tuple[str, str] | None = None, bcc: str | None = None
) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        if login is not None:
            client.login(*login)
        recipients = ["john.doe@example.com", *([bcc] if bcc else [])]
        client.send_message(mail, to_addrs=recipients)


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=0) as started:
        yield started


async def test_smtp_message_is_kept_with_subject_body_and_envelope(mailbox: DevMailbox) -> None:
    assert mailbox.smtp_port is not None
    await asyncio.to_thread(send, mailbox.smtp_port, message(), bcc="audit@hospital.example")

    [kept] = mailbox.messages
    assert kept.source == "smtp"
    assert kept.subject == "Payment Status"
    assert kept.text is not None
    assert kept.text.strip() == '{"status": "Settled"}'
    assert kept.sender == "payments@hospital.example"
    assert kept.to == ("john.doe@example.com",)
    assert kept.bcc == ("audit@hospital.example",)
    assert kept.envelope_from == "payments@hospital.example"
    assert kept.envelope_to == ("john.doe@example.com", "audit@hospital.example")
    assert kept.labels == ("INBOX", "UNREAD")
    assert b"Subject: Payment Status" in kept.raw


async def test_smtp_attachments_are_listed_with_name_type_and_size(mailbox: DevMailbox) -> None:
    assert mailbox.smtp_port is not None
    await asyncio.to_thread(send, mailbox.smtp_port, message(attachment=True))

    [kept] = mailbox.messages
    [attachment] = kept.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == ("payment.csv", "text/csv", 8)


async def test_any_smtp_login_is_accepted_when_no_credentials_are_configured(mailbox: DevMailbox) -> None:
    assert mailbox.smtp_port is not None
    await asyncio.to_thread(send, mailbox.smtp_port, message(), login=("anyone", "anything"))

    assert len(mailbox.messages) == 1


async def test_configured_smtp_credentials_are_required_and_checked() -> None:
    async with await start_dev_mailbox(port=0, smtp_port=0, smtp_credentials={"app": "pw"}) as mailbox:
        assert mailbox.smtp_port is not None
        port = mailbox.smtp_port
        with pytest.raises(smtplib.SMTPSenderRefused) as anonymous:
            await asyncio.to_thread(send, port, message())
        with pytest.raises(smtplib.SMTPAuthenticationError):
            await asyncio.to_thread(send, port, message(), login=("app", "wrong"))
        await asyncio.to_thread(send, port, message(), login=("app", "pw"))

        assert anonymous.value.smtp_code == 530
        assert len(mailbox.messages) == 1


async def test_wait_for_messages_returns_once_mail_arrives(mailbox: DevMailbox) -> None:
    assert mailbox.smtp_port is not None
    sending = asyncio.create_task(asyncio.to_thread(send, mailbox.smtp_port, message()))

    async with deadline():
        [arrived] = await mailbox.wait_for_messages(1)
    await sending

    assert arrived.subject == "Payment Status"


async def test_store_appends_each_message_as_a_json_line(tmp_path: Path) -> None:
    store = tmp_path / "mail.jsonl"
    async with await start_dev_mailbox(port=0, smtp_port=0, store=store) as mailbox:
        assert mailbox.smtp_port is not None
        await asyncio.to_thread(send, mailbox.smtp_port, message("one"))
        await asyncio.to_thread(send, mailbox.smtp_port, message("two"))

    lines = [orjson.loads(line) for line in store.read_bytes().splitlines()]
    assert [line["subject"] for line in lines] == ["one", "two"]
    assert "rawBase64" in lines[0]


async def test_smtp_can_be_left_off() -> None:
    async with await start_dev_mailbox(port=0, smtp_port=None) as mailbox:
        assert mailbox.smtp_port is None
        assert mailbox.port > 0
