"""sendMail and sendMailWithAttachment, asserted on the RFC 5322 message the Gmail API received."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from interlace.connectors.gmail import GmailConnection, connector
from interlace.samples.mailbox import DevMailbox
from interlace.sdk import InvalidInput

PAYMENT = '{"appointmentNo":2,"doctorName":"thomas collins","discounted":5600.0,"status":"Settled"}'


async def run(conn: GmailConnection, operation: str, **values: object) -> Any:
    """Run an operation as the runtime does: values converted and checked against its parameters."""
    return await connector.get_operation(operation).invoke(conn, values)


async def test_send_mail_sends_a_plain_text_mail_and_answers_gmails_ids(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    answer = await run(
        gmail, "sendMail", to="john.doe@example.com", subject="Payment Status", messageBody=PAYMENT
    )

    [kept] = mailbox.messages
    assert answer == {"id": kept.id, "threadId": kept.thread_id, "labelIds": ["SENT"]}
    message = kept.parsed()
    assert message["To"] == "john.doe@example.com"
    assert message["Subject"] == "Payment Status"
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == PAYMENT
    assert message["Cc"] is None and message["Bcc"] is None
    # Gmail fills in the sender (the account) and the Date and Message-ID headers.
    assert message["From"] == mailbox.address
    assert b"\r\n" in kept.raw and b"\n" not in kept.raw.replace(b"\r\n", b"")


async def test_send_mail_puts_cc_and_bcc_in_their_headers_and_all_recipients_in_the_envelope(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    await run(
        gmail,
        "sendMail",
        to="Jane Roe <jane@example.com>, bob@example.com",
        cc=["billing@hospital.example", "Audit <audit@hospital.example>"],
        bcc="records@hospital.example",
        subject="Payment Status",
        messageBody="settled",
    )

    [kept] = mailbox.messages
    assert kept.to == ("jane@example.com", "bob@example.com")
    assert kept.cc == ("billing@hospital.example", "audit@hospital.example")
    assert kept.bcc == ("records@hospital.example",)
    assert set(kept.envelope_to) == {
        "jane@example.com", "bob@example.com", "billing@hospital.example", "audit@hospital.example",
        "records@hospital.example",
    }  # fmt: skip
    message = kept.parsed()
    assert message["To"].addresses[0].display_name == "Jane Roe"
    assert message["Cc"].addresses[1].display_name == "Audit"


@pytest.mark.parametrize("content_type", ["text/html", "html"])
async def test_send_mail_sends_html_when_the_content_type_says_so(
    gmail: GmailConnection, mailbox: DevMailbox, content_type: str
) -> None:
    await run(
        gmail,
        "sendMail",
        to="a@example.com",
        messageBody="<p>Paid <b>5600.0</b></p>",
        contentType=content_type,
    )

    [kept] = mailbox.messages
    assert kept.parsed().get_content_type() == "text/html"
    assert kept.html is not None and kept.html.strip() == "<p>Paid <b>5600.0</b></p>"
    assert kept.text is None


async def test_plain_is_accepted_for_text_plain(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    await run(gmail, "sendMail", to="a@example.com", messageBody="<p>not markup</p>", contentType="plain")

    [kept] = mailbox.messages
    assert kept.parsed().get_content_type() == "text/plain"
    assert kept.text is not None and kept.text.strip() == "<p>not markup</p>"


async def test_non_ascii_subject_body_and_names_survive_the_trip(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    await run(
        gmail,
        "sendMail",
        to="Zoë Ångström <zoe@example.com>",
        subject="Zahlung bestätigt: 5600 €",
        messageBody="Grüße aus dem Krankenhaus ✓",
    )

    [kept] = mailbox.messages
    message = kept.parsed()
    assert message["Subject"] == "Zahlung bestätigt: 5600 €"
    assert message["To"].addresses[0].display_name == "Zoë Ångström"
    assert message.get_content().strip() == "Grüße aus dem Krankenhaus ✓"
    # On the wire every header is ASCII (RFC 2047 encoded words).
    head = kept.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()


async def test_a_reply_carries_threading_headers_and_joins_the_thread(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    first = await run(gmail, "sendMail", to="a@example.com", subject="Payment Status", messageBody="one")
    parent_id = mailbox.messages[0].parsed()["Message-ID"]

    reply = await run(
        gmail,
        "sendMail",
        to="a@example.com",
        subject="Re: Payment Status",
        messageBody="two",
        inReplyTo=parent_id,
        threadId=first["threadId"],
    )

    assert reply["threadId"] == first["threadId"] and reply["id"] != first["id"]
    message = mailbox.messages[0].parsed()
    assert message["In-Reply-To"] == parent_id
    assert message["References"] == parent_id


async def test_references_can_name_the_whole_conversation(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    await run(
        gmail,
        "sendMail",
        to="a@example.com",
        messageBody="three",
        inReplyTo="<two@example.com>",
        references=["<one@example.com>", "<two@example.com>"],
    )

    message = mailbox.messages[0].parsed()
    assert message["In-Reply-To"] == "<two@example.com>"
    assert message["References"] == "<one@example.com> <two@example.com>"


async def test_from_sets_the_sender(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    await run(
        gmail,
        "sendMail",
        to="a@example.com",
        messageBody="x",
        **{"from": "Hospital <payments@hospital.example>"},
    )

    [kept] = mailbox.messages
    assert kept.sender == "payments@hospital.example"
    assert kept.parsed()["From"].addresses[0].display_name == "Hospital"


async def test_send_mail_with_attachment_attaches_each_file_after_the_body(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    pdf = b"%PDF-1.4 receipt \x00\xff"
    answer = await run(
        gmail,
        "sendMailWithAttachment",
        to="john.doe@example.com",
        cc="billing@hospital.example",
        subject="Receipt",
        messageBody="<p>Paid</p>",
        contentType="text/html",
        attachments=[
            {
                "name": "receipt.pdf",
                "contentType": "application/pdf",
                "content": base64.b64encode(pdf).decode(),
            },
            # URL-safe alphabet without padding, and no content type: accepted too.
            {"name": "note.txt", "content": base64.urlsafe_b64encode(b"n\xfbte?").decode().rstrip("=")},
        ],
    )

    [kept] = mailbox.messages
    assert answer["id"] == kept.id
    message = kept.parsed()
    assert message.get_content_type() == "multipart/mixed"
    body, *files = message.iter_parts()
    assert body.get_content_type() == "text/html"
    assert [(f.get_filename(), f.get_content_type()) for f in files] == [
        ("receipt.pdf", "application/pdf"),
        ("note.txt", "application/octet-stream"),
    ]
    assert [f.get_payload(decode=True) for f in files] == [pdf, b"n\xfbte?"]
    assert [a.filename for a in kept.attachments] == ["receipt.pdf", "note.txt"]
    assert kept.cc == ("billing@hospital.example",)


@pytest.mark.parametrize(
    ("operation", "values", "message"),
    [
        ("sendMail", {"to": ""}, "'to' must name at least one recipient"),
        ("sendMail", {"to": "not an address"}, "'to' holds 'not an address', which is not an e-mail address"),
        ("sendMail", {"to": "a@example.com", "cc": "nobody"}, "'cc' holds 'nobody'"),
        (
            "sendMail",
            {"to": "a@example.com", "subject": "x\r\nBcc: victim@example.com"},
            "'subject' must be one line",
        ),
        ("sendMail", {"to": "a@example.com", "contentType": "text/markdown"}, "contentType"),
        ("sendMail", {"to": "a@example.com", "from": "a@example.com, b@example.com"}, "'from' must be one"),
        (
            "sendMailWithAttachment",
            {"to": "a@example.com", "attachments": [{"name": "a.pdf", "content": "%%%"}]},
            "attachment 1 ('a.pdf'): content must be base64-encoded",
        ),
        (
            "sendMailWithAttachment",
            {"to": "a@example.com", "attachments": [{"name": "a", "contentType": "pdf", "content": "AA=="}]},
            "contentType must be a MIME type",
        ),
        ("sendMailWithAttachment", {"to": "a@example.com"}, "attachments"),
    ],
)
async def test_wrong_input_is_invalid_input_naming_the_operation_and_nothing_is_sent(
    gmail: GmailConnection, mailbox: DevMailbox, operation: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=f"gmail.{operation}") as caught:
        await run(gmail, operation, **values)

    assert message in str(caught.value)
    assert mailbox.messages == []
