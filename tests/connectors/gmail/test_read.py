"""listAllMails, readMail, trashMessage, listLabels, getUserProfile and ping against the mailbox."""

from __future__ import annotations

import base64
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from interlace.connectors.gmail import GmailConnection, connector
from interlace.connectors.gmail.reading import decode_base64url, read_message
from interlace.samples.mailbox import DevMailbox, ReceivedMail
from interlace.sdk import InvalidInput


async def run(conn: GmailConnection, operation: str, **values: object) -> Any:
    return await connector.get_operation(operation).invoke(conn, values)


async def deliver(mailbox: DevMailbox, message: EmailMessage) -> ReceivedMail:
    """A mail arriving in the inbox, as SMTP would deliver it."""
    return await mailbox.mailbox.receive(
        message.as_bytes(policy=policy.SMTP), source="smtp", labels=("INBOX", "UNREAD")
    )


def invoice(subject: str = "Rechnung für März") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Billing <billing@hospital.example>"
    message["To"] = "Dev <dev@interlace.localhost>"
    message["Cc"] = "audit@hospital.example"
    message["Subject"] = subject
    message["Message-ID"] = "<invoice-1@hospital.example>"
    message.set_content("Total: 5600 €\n")
    message.add_alternative("<p>Total: <b>5600 €</b></p>", subtype="html")
    message.add_attachment(
        b"%PDF-1.4 \x00 invoice", maintype="application", subtype="pdf", filename="inv.pdf"
    )
    return message


async def test_list_all_mails_with_nothing_matching_gives_an_empty_list(gmail: GmailConnection) -> None:
    assert await run(gmail, "listAllMails") == {
        "messages": [],
        "nextPageToken": None,
        "resultSizeEstimate": 0,
    }


async def test_list_all_mails_pages_through_the_mailbox_newest_first(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    kept = [await deliver(mailbox, invoice(f"mail {n}")) for n in range(3)]

    first = await run(gmail, "listAllMails", maxResults=2)
    second = await run(gmail, "listAllMails", maxResults="2", pageToken=first["nextPageToken"])

    assert first["messages"] == [{"id": m.id, "threadId": m.thread_id} for m in (kept[2], kept[1])]
    assert first["resultSizeEstimate"] == 3 and first["nextPageToken"]
    assert second["messages"] == [{"id": kept[0].id, "threadId": kept[0].thread_id}]
    assert second["nextPageToken"] is None


async def test_list_all_mails_filters_by_labels_query_and_trash(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    inbox = await deliver(mailbox, invoice("Payment Status"))
    sent = await run(gmail, "sendMail", to="a@example.com", subject="other")
    await run(gmail, "trashMessage", id=inbox.id)

    assert await ids(gmail, labelIds="SENT") == [sent["id"]]
    assert await ids(gmail, labelIds="INBOX, UNREAD") == []
    assert await ids(gmail, labelIds=["TRASH"]) == [inbox.id]
    assert await ids(gmail, q="subject:Payment") == []
    assert await ids(gmail, q="subject:Payment", includeSpamTrash=True) == [inbox.id]


async def ids(gmail: GmailConnection, **values: object) -> list[str]:
    answer = await run(gmail, "listAllMails", **values)
    return [item["id"] for item in answer["messages"]]


async def test_max_results_outside_gmails_range_is_invalid_input(gmail: GmailConnection) -> None:
    with pytest.raises(InvalidInput, match="maxResults"):
        await run(gmail, "listAllMails", maxResults=501)


async def test_read_mail_gives_decoded_headers_both_bodies_and_attachment_metadata(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    kept = await deliver(mailbox, invoice())

    mail = await run(gmail, "readMail", id=kept.id)

    assert mail["id"] == kept.id and mail["threadId"] == kept.thread_id
    assert mail["labelIds"] == ["INBOX", "UNREAD"]
    assert mail["subject"] == "Rechnung für März"
    assert mail["from"] == "Billing <billing@hospital.example>"
    assert mail["cc"] == "audit@hospital.example"
    assert mail["bcc"] is None
    assert mail["messageId"] == "<invoice-1@hospital.example>"
    assert {"name": "Subject", "value": "Rechnung für März"} in mail["headers"]
    assert mail["textBody"] == "Total: 5600 €\n"
    assert mail["htmlBody"].strip() == "<p>Total: <b>5600 €</b></p>"
    [attachment] = mail["attachments"]
    assert attachment["filename"] == "inv.pdf"
    assert attachment["mimeType"] == "application/pdf"
    assert attachment["size"] == len(b"%PDF-1.4 \x00 invoice")
    assert attachment["attachmentId"]


async def test_read_mail_in_raw_format_reads_the_padded_raw_message(
    gmail: GmailConnection, mailbox: DevMailbox
) -> None:
    kept = await deliver(mailbox, invoice())

    mail = await run(gmail, "readMail", id=kept.id, format="raw")

    assert mail["raw"].endswith("=") or len(mail["raw"]) % 4 == 0
    assert decode_base64url(mail["raw"]) == kept.raw
    assert mail["subject"] == "Rechnung für März"
    assert mail["textBody"] == "Total: 5600 €\n"
    assert mail["htmlBody"].strip() == "<p>Total: <b>5600 €</b></p>"
    assert [(a["filename"], a["mimeType"], a["size"]) for a in mail["attachments"]] == [
        ("inv.pdf", "application/pdf", len(b"%PDF-1.4 \x00 invoice"))
    ]


async def test_read_mail_in_metadata_and_minimal_formats(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    kept = await deliver(mailbox, invoice())

    metadata = await run(gmail, "readMail", id=kept.id, format="metadata")
    minimal = await run(gmail, "readMail", id=kept.id, format="minimal")

    assert metadata["subject"] == "Rechnung für März"
    assert metadata["textBody"] is None and metadata["attachments"] == []
    assert minimal["id"] == kept.id and minimal["headers"] == [] and minimal["subject"] is None


async def test_a_mail_sent_by_send_mail_reads_back(gmail: GmailConnection) -> None:
    sent = await run(
        gmail,
        "sendMail",
        to="a@example.com",
        subject="Payment Status",
        messageBody="<i>ok</i>",
        contentType="html",
    )

    mail = await run(gmail, "readMail", id=sent["id"])

    assert mail["subject"] == "Payment Status" and mail["to"] == "a@example.com"
    assert mail["htmlBody"].strip() == "<i>ok</i>" and mail["textBody"] is None
    assert mail["labelIds"] == ["SENT"]


@pytest.mark.parametrize(
    ("message_id", "detail"),
    [("0123456789abcdef", "404 NOT_FOUND: Requested entity was not found."), ("../profile", "400")],
)
async def test_an_unknown_or_malformed_id_is_invalid_input(
    gmail: GmailConnection, message_id: str, detail: str
) -> None:
    for operation in ("readMail", "trashMessage"):
        with pytest.raises(InvalidInput, match=f"gmail.{operation} on connection patientMail") as caught:
            await run(gmail, operation, id=message_id)
        assert detail in str(caught.value)


async def test_trash_message_moves_the_mail_to_the_trash(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    kept = await deliver(mailbox, invoice())

    answer = await run(gmail, "trashMessage", id=kept.id)

    assert answer["id"] == kept.id and "TRASH" in answer["labelIds"] and "INBOX" not in answer["labelIds"]
    assert "TRASH" in mailbox.mailbox.find(kept.id).labels  # type: ignore[union-attr]


async def test_list_labels_and_get_user_profile(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    await deliver(mailbox, invoice())

    labels = await run(gmail, "listLabels")
    profile = await run(gmail, "getUserProfile")

    assert {"INBOX", "SENT", "TRASH"} <= {label["id"] for label in labels["labels"]}
    assert profile["emailAddress"] == mailbox.address
    assert profile["messagesTotal"] == 1


async def test_ping_asks_for_the_profile(gmail: GmailConnection, mailbox: DevMailbox) -> None:
    await gmail.ping()

    assert mailbox.refresh_count == 1


async def test_the_user_id_may_be_the_accounts_address(mailbox: DevMailbox, config_for: Any) -> None:
    async with GmailConnection(config_for(mailbox, **{"user-id": mailbox.address})) as conn:
        assert (await run(conn, "getUserProfile"))["emailAddress"] == mailbox.address


# Gmail inlines part data without padding and raw with it, and puts large bodies behind an attachmentId.


def _b64(data: bytes, *, padded: bool) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if padded else text.rstrip("=")


@pytest.mark.parametrize("padded", [True, False])
async def test_part_data_is_read_with_or_without_padding(padded: bool) -> None:
    resource = {
        "id": "1",
        "payload": {
            "mimeType": "multipart/alternative",
            "parts": [
                {
                    "partId": "0",
                    "mimeType": "text/plain",
                    "headers": [{"name": "Content-Type", "value": "text/plain; charset=iso-8859-1"}],
                    "body": {"size": 4, "data": _b64("Grüß".encode("iso-8859-1"), padded=padded)},
                },
                {
                    "partId": "1",
                    "mimeType": "text/html",
                    "body": {"size": 2, "data": _b64(b"<p>", padded=padded)},
                },
            ],
        },
    }

    async def no_fetch(attachment_id: str) -> bytes:
        raise AssertionError("nothing to fetch")

    mail = await read_message(resource, no_fetch)

    assert mail["textBody"] == "Grüß"
    assert mail["htmlBody"] == "<p>"


async def test_a_large_body_behind_an_attachment_id_is_fetched() -> None:
    fetched: list[str] = []

    async def fetch(attachment_id: str) -> bytes:
        fetched.append(attachment_id)
        return b"a long text"

    resource = {
        "id": "1",
        "payload": {"mimeType": "text/plain", "body": {"size": 11, "attachmentId": "ANG1"}},
    }

    mail = await read_message(resource, fetch)

    assert fetched == ["ANG1"]
    assert mail["textBody"] == "a long text" and mail["attachments"] == []


async def test_encoded_words_in_headers_are_decoded() -> None:
    resource = {
        "id": "1",
        "payload": {"headers": [{"name": "Subject", "value": "=?utf-8?q?Gr=C3=BC=C3=9Fe?="}]},
    }

    async def no_fetch(attachment_id: str) -> bytes:
        return b""

    assert (await read_message(resource, no_fetch))["subject"] == "Grüße"


@pytest.mark.parametrize("message_id", ["..", "."])
async def test_an_id_that_is_a_dot_segment_is_refused_before_calling(
    gmail: GmailConnection, mailbox: DevMailbox, message_id: str
) -> None:
    for operation in ("readMail", "trashMessage"):
        with pytest.raises(InvalidInput, match="the message id must not be"):
            await run(gmail, operation, id=message_id)


@pytest.mark.parametrize("message_id", ["%2E%2E", "..%2Fprofile", "x/../../profile", "x?format=raw#y"])
async def test_an_id_with_url_syntax_reaches_the_api_as_one_segment(
    gmail: GmailConnection, message_id: str
) -> None:
    # the mailbox answers for a message id (a malformed or an unknown one), not for another resource
    with pytest.raises(InvalidInput, match=r"400 INVALID_ARGUMENT: Invalid id value|404 NOT_FOUND"):
        await run(gmail, "readMail", id=message_id)
