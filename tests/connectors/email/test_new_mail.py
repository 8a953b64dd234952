"""email.newMail against the test IMAP server: every new message once, nothing marked or moved before the
test settles it, nacked messages coming again, unsettled ones surviving a restart, and no more in flight
than maxInFlight."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import aclosing
from email.message import EmailMessage

import pytest
from tests.support import deadline, take, unused_port, waiting_for_room, within

from interlace.connectors.email import connector
from interlace.connectors.email.config import EmailConfig
from interlace.connectors.email.connection import EmailConnection
from interlace.sdk import FatalError, RetryableError, TriggerEvent

from .imapserver import Folder, ImapTestServer

USER, PASSWORD = "desk@example.com", "secret"
NEW_MAIL = connector.get_trigger("newMail")
FAST = {"poll": 0.02}


def mail(subject: str, *, attachment: bytes | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Lee <ann@example.com>"
    message["To"] = "desk@example.com"
    message["Subject"] = subject
    message["Date"] = "Tue, 02 Jan 2024 10:00:00 +0000"
    message["Message-ID"] = f"<{subject.replace(' ', '.')}@example.com>"
    message.set_content(f"About {subject}.")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="scan.pdf")
    return message.as_bytes()


def settings(port: int) -> EmailConfig:
    return EmailConfig(
        imap_host="127.0.0.1", imap_port=port, imap_security="none", username=USER, password=PASSWORD
    )


@pytest.fixture
async def server() -> AsyncIterator[ImapTestServer]:
    server = await ImapTestServer({USER: PASSWORD}).start()
    server.folders["Processed"] = Folder(uidvalidity=3)
    server.folders["Failed"] = Folder(uidvalidity=4)
    yield server
    await server.aclose()


@pytest.fixture
async def conn(server: ImapTestServer) -> AsyncIterator[EmailConnection]:
    async with EmailConnection(settings(server.port), name="inbox") as conn:
        yield conn


def uids(events: list[TriggerEvent]) -> list[object]:
    return [event.attributes["uid"] for event in events]


def flags(server: ImapTestServer, uid: int, folder: str = "INBOX") -> set[str]:
    message = server.message(folder, uid)
    assert message is not None, f"no message {uid} in {folder}"
    return message.flags


def searches(server: ImapTestServer) -> int:
    return sum(" UID SEARCH " in command.upper() for command in server.commands)


async def polls_pass(server: ImapTestServer, count: int) -> None:
    """Return once the trigger has searched the folder ``count`` more times."""
    target = searches(server) + count
    async with deadline():
        while searches(server) < target:
            server.command_arrived.clear()
            await server.command_arrived.wait()


async def test_n_new_messages_give_n_events_marked_seen_only_when_acknowledged(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    server.deliver(mail("old"), flags=("\\Seen",))
    sent = [server.deliver(mail(f"Invoice {n}")) for n in range(12)]
    async with aclosing(NEW_MAIL.start(conn, {**FAST, "maxInFlight": 20})) as events:
        received = await take(events, 12)
        assert uids(received) == sent
        assert [event.payload.json()["subject"] for event in received] == [f"Invoice {n}" for n in range(12)]
        assert all(flags(server, uid) == set() for uid in sent)  # nothing marked before the ack
        for event in received:
            await event.ack()
    assert all(flags(server, uid) == {"\\Seen"} for uid in sent)


async def test_the_payload_is_what_read_gives_and_headers_describe_the_message(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Scan", attachment=b"%PDF-1.4 scan"))
    async with aclosing(NEW_MAIL.start(conn, {**FAST, "attachmentContent": True})) as events:
        (event,) = await take(events, 1)
    read = await connector.get_operation("read").invoke(
        conn, {"uid": uid, "markSeen": False, "attachmentContent": True}
    )
    assert isinstance(read, dict)
    assert event.payload.json() == read
    assert read["attachments"] == [
        {
            "name": "scan.pdf",
            "contentType": "application/pdf",
            "size": 13,
            "content": base64.b64encode(b"%PDF-1.4 scan").decode(),
        }
    ]
    assert event.headers == {
        "uid": str(uid),
        "from": "Ann Lee <ann@example.com>",
        "subject": "Scan",
        "messageId": "<Scan@example.com>",
    }
    assert event.attributes == {
        "folder": "INBOX",
        "uid": uid,
        "from": "Ann Lee <ann@example.com>",
        "subject": "Scan",
        "messageId": "<Scan@example.com>",
    }


async def test_an_acknowledged_message_is_moved_to_move_to_marked_seen(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    server.deliver(mail("Invoice"))
    async with aclosing(NEW_MAIL.start(conn, {**FAST, "moveTo": "Processed"})) as events:
        (event,) = await take(events, 1)
        assert server.folders["Processed"].messages == []
        await event.ack()
    assert server.folders["INBOX"].messages == []
    (moved,) = server.folders["Processed"].messages
    assert moved.header("Subject") == "Invoice"
    assert moved.flags == {"\\Seen"}


async def test_move_to_without_mark_seen_leaves_the_moved_message_unseen(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    server.deliver(mail("Invoice"))
    async with aclosing(NEW_MAIL.start(conn, {**FAST, "moveTo": "Processed", "markSeen": False})) as events:
        (event,) = await take(events, 1)
        await event.ack()
    assert server.folders["INBOX"].messages == []
    assert [m.flags for m in server.folders["Processed"].messages] == [set()]


async def test_a_message_nacked_for_requeue_stays_unseen_and_comes_again(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Invoice"))
    async with aclosing(NEW_MAIL.start(conn, FAST)) as events:
        (first,) = await take(events, 1)
        await first.nack(requeue=True)
        assert flags(server, uid) == set()
        (again,) = await take(events, 1)
        assert again.attributes["uid"] == uid
        await again.ack()
    assert flags(server, uid) == {"\\Seen"}


async def test_a_message_not_to_be_retried_goes_to_on_failure_move_to_or_is_marked_seen(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    server.deliver(mail("Broken"))
    async with aclosing(
        NEW_MAIL.start(conn, {**FAST, "onFailureMoveTo": "Failed", "moveTo": "Processed"})
    ) as events:
        (event,) = await take(events, 1)
        await event.nack(requeue=False)
    assert server.folders["INBOX"].messages == []
    assert server.folders["Processed"].messages == []
    assert [(m.header("Subject"), m.flags) for m in server.folders["Failed"].messages] == [("Broken", set())]

    dropped = server.deliver(mail("Also broken"))
    async with aclosing(NEW_MAIL.start(conn, FAST)) as events:
        (event,) = await take(events, 1)
        await event.nack(requeue=False)
        later = server.deliver(mail("Fine"))
        (following,) = await take(events, 1)  # the dropped one is not handed out again
        assert following.attributes["uid"] == later
    assert flags(server, dropped) == {"\\Seen"}


async def test_messages_unsettled_when_the_trigger_stops_come_again_from_a_new_trigger(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    sent = [server.deliver(mail(f"Invoice {n}")) for n in range(3)]
    events = NEW_MAIL.start(conn, FAST)
    stopped = await take(events, 3)
    await events.aclose()  # stopped with nothing settled
    assert all(flags(server, uid) == set() for uid in sent)

    async with aclosing(NEW_MAIL.start(conn, FAST)) as events:
        again = await take(events, 3)
        assert uids(again) == sent
        await stopped[0].nack(requeue=True)  # the stopped trigger hands its event back: nothing changes
        for event in again:
            await event.ack()
    assert all(flags(server, uid) == {"\\Seen"} for uid in sent)


async def test_no_more_than_max_in_flight_are_handed_out_until_one_is_settled(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    sent = [server.deliver(mail(f"Invoice {n}")) for n in range(5)]
    async with aclosing(NEW_MAIL.start(conn, {**FAST, "maxInFlight": 2})) as events:
        first = await take(events, 2)
        assert uids(first) == sent[:2]
        looked = searches(server)
        third = asyncio.ensure_future(anext(events))
        await waiting_for_room(events)  # the bound, not the poll interval, holds it back
        assert not third.done()
        assert searches(server) == looked  # waiting for room, not looking again and again
        await first[0].ack()
        assert (await within(third)).attributes["uid"] == sent[2]


async def test_messages_in_flight_are_not_handed_out_twice_and_new_mail_is_picked_up(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    sent = [server.deliver(mail(f"Invoice {n}")) for n in range(2)]
    async with aclosing(NEW_MAIL.start(conn, FAST)) as events:
        first = await take(events, 2)
        following = asyncio.ensure_future(anext(events))
        await polls_pass(server, 3)  # the two are still unseen on the server, and in flight here
        assert not following.done()
        later = server.deliver(mail("Late invoice"))
        event = await within(following)
        assert event.attributes["uid"] == later
        assert event.payload.json()["subject"] == "Late invoice"
        assert uids(first) == sent


async def test_every_message_can_be_taken_when_settled_ones_leave_the_folder(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    uid = server.deliver(mail("Read by someone"), flags=("\\Seen",))
    values = {**FAST, "unseenOnly": False, "moveTo": "Processed", "onFailureMoveTo": "Failed"}
    async with aclosing(NEW_MAIL.start(conn, values)) as events:
        (event,) = await take(events, 1)
        assert event.attributes["uid"] == uid
        assert event.payload.json()["seen"] is True
        await event.ack()
    assert [m.header("Subject") for m in server.folders["Processed"].messages] == ["Read by someone"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"markSeen": False}, "set moveTo, or markSeen with unseenOnly"),
        ({"unseenOnly": False}, "set moveTo, or markSeen with unseenOnly"),
        ({"unseenOnly": False, "moveTo": "Processed"}, "set onFailureMoveTo, or unseenOnly"),
    ],
)
async def test_settings_under_which_messages_would_come_again_forever_are_refused(
    conn: EmailConnection, values: dict[str, object], message: str
) -> None:
    events = NEW_MAIL.start(conn, {**FAST, **values})
    with pytest.raises(FatalError, match=message):
        await anext(events)


async def test_a_folder_that_cannot_be_opened_stops_the_trigger(conn: EmailConnection) -> None:
    events = NEW_MAIL.start(conn, {**FAST, "folder": "Nope"})
    with pytest.raises(
        FatalError, match=r"email\.newMail watching folder 'Nope' on connection inbox: folder 'Nope' cannot"
    ):
        await anext(events)


async def test_an_unreachable_server_ends_the_trigger_with_a_retryable_error() -> None:
    async with EmailConnection(settings(unused_port()), name="inbox") as conn:
        events = NEW_MAIL.start(conn, FAST)
        with pytest.raises(
            RetryableError, match=r"watching folder 'INBOX' on connection inbox: cannot reach"
        ):
            await anext(events)


async def test_a_session_closed_by_the_server_between_polls_is_opened_again(
    server: ImapTestServer, conn: EmailConnection
) -> None:
    first = server.deliver(mail("Before"))
    async with aclosing(NEW_MAIL.start(conn, FAST)) as events:
        (event,) = await take(events, 1)
        await server.drop_connections()
        await event.ack()
        later = server.deliver(mail("After"))
        (following,) = await take(events, 1)
        assert following.attributes["uid"] == later
    assert flags(server, first) == {"\\Seen"}
    assert server.logins == 2
