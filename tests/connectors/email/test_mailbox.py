from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from interlace.connectors.email import connector
from interlace.connectors.email.config import EmailConfig
from interlace.connectors.email.connection import EmailConnection
from interlace.sdk import InvalidInput

from .imapserver import ImapTestServer

USER, PASSWORD = "desk@example.com", 'pa"ss\\word'


def mail(subject: str, sender: str = "Ann Lee <ann@example.com>", body: str = "hello") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "Desk <desk@example.com>, ops@example.com"
    message["Subject"] = subject
    message["Date"] = "Tue, 02 Jan 2024 10:00:00 +0000"
    message["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
async def server() -> AsyncIterator[ImapTestServer]:
    server = await ImapTestServer({USER: PASSWORD}).start()
    yield server
    await server.aclose()


@pytest.fixture
async def conn(server: ImapTestServer) -> AsyncIterator[EmailConnection]:
    config = EmailConfig.model_validate(
        {
            "imap-host": "127.0.0.1",
            "imap-port": server.port,
            "imap-security": "none",
            "username": USER,
            "password": PASSWORD,
        }
    )
    async with EmailConnection(config, name="inbox") as conn:
        yield conn


async def run(conn: EmailConnection, operation: str, **values: object) -> Any:
    return await connector.get_operation(operation).invoke(conn, values)


async def test_list_gives_summaries_newest_first(server: ImapTestServer, conn: EmailConnection) -> None:
    first = server.deliver(mail("Invoice 1"), flags=("\\Seen",))
    second = server.deliver(mail("Payment Status", sender="billing@hospital.example"))
    assert await run(conn, "list") == [
        {
            "uid": second,
            "from": "billing@hospital.example",
            "to": ["Desk <desk@example.com>", "ops@example.com"],
            "subject": "Payment Status",
            "date": "2024-01-02T10:00:00+00:00",
            "seen": False,
            "size": len(server.message("INBOX", second).data),  # type: ignore[union-attr]
        },
        {
            "uid": first,
            "from": "Ann Lee <ann@example.com>",
            "to": ["Desk <desk@example.com>", "ops@example.com"],
            "subject": "Invoice 1",
            "date": "2024-01-02T10:00:00+00:00",
            "seen": True,
            "size": len(server.message("INBOX", first).data),  # type: ignore[union-attr]
        },
    ]


async def test_list_filters_by_every_criterion_given(server: ImapTestServer, conn: EmailConnection) -> None:
    old = datetime(2023, 12, 1, tzinfo=UTC)
    server.deliver(mail("Invoice 1"), flags=("\\Seen",))
    server.deliver(mail("Invoice 2", sender="billing@hospital.example"), received=old)
    third = server.deliver(mail("Invoice 3", sender="billing@hospital.example"))
    server.deliver(mail("Lunch", sender="billing@hospital.example"))

    async def uids(**criteria: object) -> list[object]:
        return [item["uid"] for item in await run(conn, "list", **criteria)]

    assert await uids(unseen=True) == [4, 3, 2]
    assert await uids(**{"from": "billing@"}, subject="invoice") == [3, 2]
    assert await uids(**{"from": "billing@"}, since="2024-01-01") == [4, 3]
    assert await uids(limit=2) == [4, 3]
    assert await uids(subject="invoice", unseen=True, since="2024-01-01", **{"from": "hospital"}) == [third]
    assert await uids(subject="nothing like it") == []


async def test_list_searches_non_ascii_text_with_the_utf8_charset(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Reçu de paiement"))
    server.deliver(mail("Receipt"))
    assert [item["uid"] for item in await run(conn, "list", subject="reçu")] == [uid]
    assert any("CHARSET UTF-8" in command for command in server.commands)


async def test_list_of_a_missing_folder_is_invalid_input(conn: EmailConnection) -> None:
    with pytest.raises(
        InvalidInput,
        match=r"folder 'Nope' cannot be opened on the IMAP server 127\.0\.0\.1:\d+ of connection inbox",
    ):
        await run(conn, "list", folder="Nope")


async def test_folders_with_non_ascii_names_are_sent_in_modified_utf7(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Brouillon"), folder="Entwürfe & Notizen")
    assert [item["uid"] for item in await run(conn, "list", folder="Entwürfe & Notizen")] == [uid]
    assert any('SELECT "Entw&APw-rfe &- Notizen"' in command for command in server.commands)


def rich_mail() -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Lee <ann@example.com>"
    message["To"] = "desk@example.com"
    message["Cc"] = "Carl <carl@example.com>"
    message["Subject"] = "=?utf-8?q?R=C3=A9sultats?="
    message["Date"] = "Tue, 02 Jan 2024 10:00:00 +0100"
    message["Message-ID"] = "<results@example.com>"
    message["Received"] = "from a by b"
    message["Received"] = "from c by d"
    message.set_content("Your results are attached.")
    message.add_alternative("<p>Your results are <b>attached</b>.</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 results", maintype="application", subtype="pdf", filename="results.pdf")
    return message.as_bytes()


async def test_read_gives_headers_bodies_and_attachments_and_marks_seen(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(rich_mail())
    result = await run(conn, "read", uid=uid)
    assert isinstance(result, dict)
    headers = result.pop("headers")
    assert result == {
        "uid": uid,
        "folder": "INBOX",
        "messageId": "<results@example.com>",
        "from": "Ann Lee <ann@example.com>",
        "to": ["desk@example.com"],
        "cc": ["Carl <carl@example.com>"],
        "subject": "Résultats",
        "date": "2024-01-02T10:00:00+01:00",
        "seen": True,
        "size": len(server.message("INBOX", uid).data),  # type: ignore[union-attr]
        "text": "Your results are attached.\r\n",
        "html": "<p>Your results are <b>attached</b>.</p>\r\n",
        "attachments": [{"name": "results.pdf", "contentType": "application/pdf", "size": 16}],
    }
    assert headers["Subject"] == "Résultats"
    assert headers["Received"] == ["from a by b", "from c by d"]
    assert "\\Seen" in server.message("INBOX", uid).flags  # type: ignore[union-attr]


async def test_read_can_include_attachment_content_and_leave_the_message_unseen(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(rich_mail())
    result = await run(conn, "read", uid=uid, markSeen=False, attachmentContent=True)
    assert result["attachments"] == [
        {
            "name": "results.pdf",
            "contentType": "application/pdf",
            "size": 16,
            "content": base64.b64encode(b"%PDF-1.4 results").decode(),
        }
    ]
    assert result["seen"] is False
    assert server.message("INBOX", uid).flags == set()  # type: ignore[union-attr]


async def test_read_of_a_missing_uid_is_invalid_input(conn: EmailConnection) -> None:
    with pytest.raises(InvalidInput, match="folder 'INBOX' of connection inbox has no message with uid 7"):
        await run(conn, "read", uid=7)


async def test_move_puts_the_message_in_the_other_folder(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    server.deliver(mail("old"), folder="Trash")
    uid = server.deliver(mail("Invoice"))
    result = await run(conn, "move", uid=uid, toFolder="Trash")
    assert result == {"uid": uid, "folder": "INBOX", "toFolder": "Trash", "newUid": 2}
    assert server.folders["INBOX"].messages == []
    assert server.message("Trash", 2).header("Subject") == "Invoice"  # type: ignore[union-attr]
    assert any(command.endswith(f'UID MOVE {uid} "Trash"') for command in server.commands)


async def test_move_copies_deletes_and_expunges_where_the_server_cannot_move() -> None:
    server = await ImapTestServer({USER: PASSWORD}, extensions=("UIDPLUS",)).start()
    try:
        keep = server.deliver(mail("keep"), flags=("\\Deleted",))
        uid = server.deliver(mail("Invoice"))
        config = EmailConfig(
            imap_host="127.0.0.1",
            imap_port=server.port,
            imap_security="none",
            username=USER,
            password=PASSWORD,
        )
        async with EmailConnection(config) as conn:
            result = await run(conn, "move", uid=uid, toFolder="Trash")
        assert result == {"uid": uid, "folder": "INBOX", "toFolder": "Trash", "newUid": 1}
        assert [m.uid for m in server.folders["INBOX"].messages] == [keep]  # only the moved one was expunged
        assert server.message("Trash", 1).header("Subject") == "Invoice"  # type: ignore[union-attr]
    finally:
        await server.aclose()


async def test_move_to_a_missing_folder_is_invalid_input(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Invoice"))
    with pytest.raises(
        InvalidInput, match=f"message {uid} cannot be moved from 'INBOX' to 'Archive'.*TRYCREATE"
    ):
        await run(conn, "move", uid=uid, toFolder="Archive")
    assert len(server.folders["INBOX"].messages) == 1


async def test_delete_expunges_only_that_message(server: ImapTestServer, conn: EmailConnection) -> None:
    other = server.deliver(mail("other"), flags=("\\Deleted",))
    uid = server.deliver(mail("Invoice"))
    assert await run(conn, "delete", uid=uid) == {"uid": uid, "folder": "INBOX", "expunged": True}
    assert [m.uid for m in server.folders["INBOX"].messages] == [other]


async def test_delete_without_expunge_only_marks_it_deleted(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Invoice"))
    assert await run(conn, "delete", uid=uid, expunge=False) == {
        "uid": uid,
        "folder": "INBOX",
        "expunged": False,
    }
    assert server.message("INBOX", uid).flags == {"\\Deleted"}  # type: ignore[union-attr]


async def test_delete_of_a_missing_uid_is_invalid_input(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    server.deliver(mail("Invoice"))
    with pytest.raises(InvalidInput, match="has no message with uid 9"):
        await run(conn, "delete", uid=9)
    assert len(server.folders["INBOX"].messages) == 1


async def test_mark_seen_sets_and_clears_the_seen_flag(server: ImapTestServer, conn: EmailConnection) -> None:
    uid = server.deliver(mail("Invoice"), flags=("\\Flagged",))
    assert await run(conn, "markSeen", uid=uid) == {"uid": uid, "folder": "INBOX", "seen": True}
    assert server.message("INBOX", uid).flags == {"\\Flagged", "\\Seen"}  # type: ignore[union-attr]
    await run(conn, "markSeen", uid=uid, seen=False)
    assert server.message("INBOX", uid).flags == {"\\Flagged"}  # type: ignore[union-attr]
