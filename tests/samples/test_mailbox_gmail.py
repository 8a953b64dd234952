"""The development mailbox's Gmail API, called over real HTTP with tokens from its token endpoint."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import aiohttp
import pytest

from interlace.samples.mailbox import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    DevMailbox,
    start_dev_mailbox,
)

PAYMENT = '{"appointmentNo":2,"doctorName":"thomas collins","discounted":5600.0,"status":"Settled"}'


class Gmail:
    """A minimal Gmail REST client over a real HTTP session."""

    def __init__(self, session: aiohttp.ClientSession, mailbox: DevMailbox, token: str) -> None:
        self.session = session
        self.base = f"{mailbox.url}/gmail/v1/users/me"
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.request(method, self.base + path, headers=self.headers, **kwargs) as response:
            return response.status, await response.json()

    async def send(self, message: EmailMessage, **extra: str) -> dict[str, Any]:
        status, body = await self.call("POST", "/messages/send", json={"raw": encode(message), **extra})
        assert status == 200, body
        return body


def encode(message: EmailMessage) -> str:
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def payment_mail(to: str = "john.doe@example.com", subject: str = "Payment Status") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Hospital <payments@hospital.example>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(PAYMENT)
    return message


def mail_with_attachment() -> EmailMessage:
    message = payment_mail(subject="Receipt")
    message["Cc"] = "billing@hospital.example"
    message.add_alternative("<p>Paid <b>5600.0</b></p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="receipt.pdf")
    return message


@pytest.fixture
async def mailbox() -> AsyncIterator[DevMailbox]:
    async with await start_dev_mailbox(port=0, smtp_port=None) as started:
        yield started


@pytest.fixture
async def gmail(mailbox: DevMailbox) -> AsyncIterator[Gmail]:
    form = {
        "grant_type": "refresh_token",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "refresh_token": DEFAULT_REFRESH_TOKEN,
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(mailbox.token_url, data=form) as response:
            token = (await response.json())["access_token"]
        yield Gmail(session, mailbox, token)


async def test_send_keeps_the_rfc5322_message_and_answers_id_thread_and_sent(
    mailbox: DevMailbox, gmail: Gmail
) -> None:
    answer = await gmail.send(payment_mail())

    assert set(answer) == {"id", "threadId", "labelIds"}
    assert answer["labelIds"] == ["SENT"]
    assert answer["threadId"] == answer["id"]
    [kept] = mailbox.messages
    assert kept.id == answer["id"]
    assert kept.source == "gmail"
    assert kept.to == ("john.doe@example.com",)
    assert kept.subject == "Payment Status"
    decoded = BytesParser(policy=policy.default).parsebytes(kept.raw)
    assert decoded["To"] == "john.doe@example.com"
    assert decoded["Subject"] == "Payment Status"
    assert decoded.get_content().strip() == PAYMENT
    # Like Gmail, the service adds the Date and Message-ID headers the client left out.
    assert decoded["Date"] is not None
    assert decoded["Message-ID"] is not None


async def test_send_accepts_unpadded_base64url_and_a_thread_id(mailbox: DevMailbox, gmail: Gmail) -> None:
    first = await gmail.send(payment_mail())
    raw = encode(payment_mail(subject="Re: Payment Status")).rstrip("=")
    status, second = await gmail.call(
        "POST", "/messages/send", json={"raw": raw, "threadId": first["threadId"]}
    )

    assert status == 200
    assert second["threadId"] == first["threadId"]
    assert second["id"] != first["id"]


async def test_send_without_token_or_with_a_bad_one_answers_401_in_google_shape(
    mailbox: DevMailbox, gmail: Gmail
) -> None:
    url = f"{mailbox.url}/gmail/v1/users/me/messages/send"
    body = {"raw": encode(payment_mail())}
    async with gmail.session.post(url, json=body) as missing:
        missing_body = await missing.json()
        assert missing.status == 401
        assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    async with gmail.session.post(url, json=body, headers={"Authorization": "Bearer forged"}) as forged:
        forged_body = await forged.json()
        assert forged.status == 401

    for answer in (missing_body, forged_body):
        error = answer["error"]
        assert error["code"] == 401
        assert error["status"] == "UNAUTHENTICATED"
        assert error["errors"][0]["domain"] == "global"
        assert error["errors"][0]["location"] == "Authorization"
    assert missing_body["error"]["errors"][0]["reason"] == "required"
    assert forged_body["error"]["errors"][0]["reason"] == "authError"
    assert mailbox.messages == []


async def test_send_refuses_a_body_without_raw_bad_base64_or_no_recipient(gmail: Gmail) -> None:
    no_raw = await gmail.call("POST", "/messages/send", json={"threadId": "x"})
    not_base64 = await gmail.call("POST", "/messages/send", json={"raw": "***"})
    nobody = EmailMessage()
    nobody["Subject"] = "to nobody"
    nobody.set_content("hello")
    no_recipient = await gmail.call("POST", "/messages/send", json={"raw": encode(nobody)})

    for status, body in (no_raw, not_base64, no_recipient):
        assert status == 400
        assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert no_recipient[1]["error"]["message"] == "Recipient address required"


async def test_user_id_may_be_the_account_address_but_not_another_user(
    mailbox: DevMailbox, gmail: Gmail
) -> None:
    gmail.base = f"{mailbox.url}/gmail/v1/users/{mailbox.address}"
    own_status, _ = await gmail.call("GET", "/profile")
    gmail.base = f"{mailbox.url}/gmail/v1/users/someone@example.com"
    other_status, other = await gmail.call("GET", "/profile")

    assert own_status == 200
    assert other_status == 403
    assert other["error"]["status"] == "PERMISSION_DENIED"


async def test_list_answers_ids_newest_first_and_pages(gmail: Gmail) -> None:
    sent = [await gmail.send(payment_mail(subject=f"n{i}")) for i in range(3)]

    status, first_page = await gmail.call("GET", "/messages", params={"maxResults": "2"})
    _, second_page = await gmail.call("GET", "/messages", params={"pageToken": first_page["nextPageToken"]})

    assert status == 200
    assert first_page["messages"] == [{"id": m["id"], "threadId": m["threadId"]} for m in reversed(sent[1:])]
    assert first_page["resultSizeEstimate"] == 3
    assert second_page["messages"] == [{"id": sent[0]["id"], "threadId": sent[0]["threadId"]}]
    assert "nextPageToken" not in second_page


async def test_list_filters_by_label_and_query_and_omits_messages_when_none_match(gmail: Gmail) -> None:
    await gmail.send(payment_mail())

    _, sent = await gmail.call("GET", "/messages", params={"labelIds": "SENT"})
    _, inbox = await gmail.call("GET", "/messages", params={"labelIds": "INBOX"})
    _, by_query = await gmail.call("GET", "/messages", params={"q": "to:john.doe subject:payment"})

    assert len(sent["messages"]) == 1
    assert inbox == {"resultSizeEstimate": 0}
    assert len(by_query["messages"]) == 1


async def test_get_full_renders_the_payload_tree_with_base64url_bodies(gmail: Gmail) -> None:
    sent = await gmail.send(mail_with_attachment())

    status, message = await gmail.call("GET", f"/messages/{sent['id']}", params={"format": "full"})

    assert status == 200
    assert {
        "id",
        "threadId",
        "labelIds",
        "snippet",
        "historyId",
        "internalDate",
        "sizeEstimate",
        "payload",
    } <= set(message)
    assert "raw" not in message
    assert message["snippet"].startswith("{&quot;appointmentNo&quot;:2")
    payload = message["payload"]
    assert payload["partId"] == ""
    assert payload["mimeType"] == "multipart/mixed"
    assert {"name": "Subject", "value": "Receipt"} in payload["headers"]
    alternative, attachment = payload["parts"]
    assert [part["partId"] for part in alternative["parts"]] == ["0.0", "0.1"]
    plain = alternative["parts"][0]
    data = plain["body"]["data"]
    assert "=" not in data
    assert base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode().strip() == PAYMENT
    assert attachment["filename"] == "receipt.pdf"
    assert "data" not in attachment["body"]

    status, body = await gmail.call(
        "GET", f"/messages/{sent['id']}/attachments/{attachment['body']['attachmentId']}"
    )
    assert status == 200
    assert body["size"] == len(b"%PDF-1.4 receipt")
    assert base64.urlsafe_b64decode(body["data"] + "=" * (-len(body["data"]) % 4)) == b"%PDF-1.4 receipt"


async def test_get_raw_metadata_and_minimal_formats(mailbox: DevMailbox, gmail: Gmail) -> None:
    sent = await gmail.send(payment_mail())
    path = f"/messages/{sent['id']}"

    _, raw = await gmail.call("GET", path, params={"format": "raw"})
    _, metadata = await gmail.call(
        "GET", path, params=[("format", "metadata"), ("metadataHeaders", "Subject")]
    )
    _, minimal = await gmail.call("GET", path, params={"format": "minimal"})

    assert "payload" not in raw
    assert base64.urlsafe_b64decode(raw["raw"]) == mailbox.messages[0].raw
    assert metadata["payload"]["headers"] == [{"name": "Subject", "value": "Payment Status"}]
    assert "payload" not in minimal
    assert "raw" not in minimal
    assert minimal["labelIds"] == ["SENT"]


async def test_get_unknown_or_malformed_id_answers_google_errors(gmail: Gmail) -> None:
    missing_status, missing = await gmail.call("GET", "/messages/0123456789abcdef")
    bad_status, bad = await gmail.call("GET", "/messages/not-an-id")
    format_status, _ = await gmail.call("GET", "/messages/0123456789abcdef", params={"format": "pretty"})

    assert (missing_status, missing["error"]["status"]) == (404, "NOT_FOUND")
    assert missing["error"]["errors"][0]["reason"] == "notFound"
    assert (bad_status, bad["error"]["status"]) == (400, "INVALID_ARGUMENT")
    assert format_status == 400


async def test_trash_labels_the_message_and_hides_it_from_the_list(gmail: Gmail) -> None:
    sent = await gmail.send(payment_mail())

    status, trashed = await gmail.call("POST", f"/messages/{sent['id']}/trash")
    _, listed = await gmail.call("GET", "/messages")
    _, with_trash = await gmail.call("GET", "/messages", params={"includeSpamTrash": "true"})

    assert status == 200
    assert trashed["id"] == sent["id"]
    assert "TRASH" in trashed["labelIds"]
    assert "messages" not in listed
    assert with_trash["messages"][0]["id"] == sent["id"]


async def test_labels_and_profile_shapes(mailbox: DevMailbox, gmail: Gmail) -> None:
    first = await gmail.send(payment_mail())
    await gmail.send(payment_mail(subject="Re: Payment Status"), threadId=first["threadId"])

    _, labels = await gmail.call("GET", "/labels")
    _, profile = await gmail.call("GET", "/profile")

    ids = {label["id"] for label in labels["labels"]}
    assert {"INBOX", "SENT", "TRASH", "UNREAD"} <= ids
    assert all(label["type"] == "system" and label["name"] for label in labels["labels"])
    assert profile["emailAddress"] == mailbox.address
    assert profile["messagesTotal"] == 2
    assert profile["threadsTotal"] == 1
    assert isinstance(profile["historyId"], str)
