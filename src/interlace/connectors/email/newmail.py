"""The ``email.newMail`` trigger: each new message of a folder, changed on the server only once settled.

Every ``poll`` seconds the trigger searches the folder (``UNSEEN``, or ``ALL``) and fetches, without
marking them, the messages it has not already handed out and not settled, no more than ``maxInFlight``
unsettled at a time; when the bound held messages back, it looks again as soon as one is settled. Nothing is
marked or moved before an event is settled: an ack marks the message seen and/or moves it; a nack
leaves it as it was (it comes again on a later poll) or, when it is not to be retried, moves it to the
failure folder or marks it seen. Unsettled messages stay unseen, so a trigger started again after a stop
or a crash hands them out again.

The session is the connection's, shared with the mailbox operations; each look holds it for one
SEARCH and one FETCH. A session lost and not recovered ends the trigger with ``RetryableError`` (the
runtime starts it again after a backoff); a folder that cannot be opened ends it with ``FatalError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from pydantic import Field

from interlace.sdk import ConnectorError, FatalError, Param, Payload, RetryableError, TriggerEvent

from .connection import EmailConnection
from .imapwire import FetchItems
from .reading import MESSAGE_ITEMS, SEEN, flags_of, message_json, uid_of

__all__ = ["new_mail"]


async def new_mail(
    conn: EmailConnection,
    folder: Annotated[str, Param("The folder to watch.", example="INBOX"), Field(min_length=1)] = "INBOX",
    *,
    poll: Annotated[float, Param("Seconds between two looks at the folder.", example=30), Field(gt=0)] = 30.0,
    unseenOnly: Annotated[
        bool,
        Param(
            "Only messages not yet seen; false takes every message in the folder, so each must leave it"
            " when settled: set `moveTo` and `onFailureMoveTo`."
        ),
    ] = True,
    maxInFlight: Annotated[
        int, Param("Messages handed out and not yet settled, at most."), Field(gt=0, le=1000)
    ] = 10,
    markSeen: Annotated[bool, Param("Mark a message seen once its flow has finished.")] = True,
    moveTo: Annotated[
        str | None, Param("A folder to move a message to once its flow has finished.", example="Processed")
    ] = None,
    onFailureMoveTo: Annotated[
        str | None,
        Param(
            "A folder to move a message to when its flow failed and it is not to be retried; if not"
            " given, it is marked seen and stays.",
            example="Failed",
        ),
    ] = None,
    attachmentContent: Annotated[
        bool, Param("Include each attachment's content in base64, not only its name, type and size.")
    ] = False,
) -> AsyncIterator[TriggerEvent]:
    """Each new message of a folder, polled over IMAP.

    The payload is the message as `email.read` returns it (headers, text and HTML bodies,
    attachments); the headers `uid`, `from`, `subject` and `messageId` and the attributes `uid`,
    `folder`, `from`, `subject` and `messageId` describe it. Nothing changes on the server before the
    message's flow has finished: then it is marked seen (`markSeen`) and/or moved (`moveTo`). A failed
    message stays unseen and comes again on a later poll, or, when it is not to be retried, is moved to
    `onFailureMoveTo` (or marked seen). Messages not settled when the trigger stops are still unseen and
    come again when it starts. Settings under which a settled message would stay among those watched,
    and so come again on every poll, stop the trigger when it starts: without `moveTo`, keep `markSeen`
    and `unseenOnly`; with `unseenOnly` false, set `moveTo` and `onFailureMoveTo`.
    """
    watch = _Watch(conn, folder, unseen_only=unseenOnly)
    _check_settings(watch, unseenOnly, markSeen, moveTo, onFailureMoveTo)
    flight = _InFlight(maxInFlight)
    settling = _Settling(watch, flight, mark_seen=markSeen, move_to=moveTo, failure_to=onFailureMoveTo)
    while True:
        await flight.wait_for_room()
        held_back, batch = await watch.look(flight)
        for items in batch:
            uid = uid_of(items)
            if uid is None or uid in flight:
                continue
            flight.add(uid)
            yield _event(items, folder, attachmentContent, settling.of(uid))
        if not held_back:  # when the bound held some back, look again as soon as there is room
            await asyncio.sleep(poll)


def _check_settings(
    watch: _Watch, unseen_only: bool, mark_seen: bool, move_to: str | None, failure_to: str | None
) -> None:
    """A settled message must leave what the trigger searches, or every poll hands it out again."""
    if move_to is None and not (unseen_only and mark_seen):
        raise FatalError(
            f"{watch.doing}: an acknowledged message would stay in what is watched and come again on every"
            " poll: set moveTo, or markSeen with unseenOnly"
        )
    if failure_to is None and not unseen_only:
        raise FatalError(
            f"{watch.doing}: a failed message not to be retried would stay in the folder and come again on"
            " every poll: set onFailureMoveTo, or unseenOnly"
        )


class _Watch:
    """The folder's messages through the connection's session, with errors said in the trigger's terms."""

    def __init__(self, conn: EmailConnection, folder: str, *, unseen_only: bool) -> None:
        self.conn = conn
        self.folder = folder
        self._criteria = ["UNSEEN"] if unseen_only else ["ALL"]
        self._unseen_only = unseen_only
        self.doing = f"email.newMail watching folder {folder!r} on connection {conn.name}"

    async def look(self, flight: _InFlight) -> tuple[bool, list[FetchItems]]:
        """Whether the bound held back some of the waiting messages not in flight, and the first of them
        (oldest first) that fit.

        The search and the fetch hold the session together: no settlement changes the folder between."""
        try:
            async with self.conn.mailbox.folder(self.folder) as client:
                waiting = sorted(uid for uid in await client.search(self._criteria) if uid not in flight)
                chosen = waiting[: flight.room]
                items = await client.fetch(chosen, MESSAGE_ITEMS) if chosen else []
        except ConnectorError as exc:
            raise _failure(exc, self.doing) from exc
        by_uid = {uid_of(found): found for found in items}
        # A message read by someone else between the search and the fetch is no longer new.
        batch = [
            by_uid[uid]
            for uid in chosen
            if uid in by_uid and not (self._unseen_only and SEEN in flags_of(by_uid[uid]))
        ]
        return len(waiting) > len(chosen), batch

    async def settle(self, uid: int, *, mark_seen: bool, move_to: str | None) -> None:
        try:
            async with self.conn.mailbox.folder(self.folder) as client:
                if mark_seen:
                    await client.store(uid, "+FLAGS.SILENT", f"({SEEN})")
                if move_to is not None:
                    await client.relocate(uid, move_to)
        except ConnectorError as exc:
            raise _failure(exc, f"{self.doing}, settling message {uid}") from exc


class _InFlight:
    """The UIDs handed out and not yet settled, bounded."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._uids: set[int] = set()
        self._changed = asyncio.Event()

    @property
    def room(self) -> int:
        return self._limit - len(self._uids)

    def __contains__(self, uid: object) -> bool:
        return uid in self._uids

    def add(self, uid: int) -> None:
        self._uids.add(uid)

    def settle(self, uid: int) -> None:
        self._uids.discard(uid)
        self._changed.set()

    async def wait_for_room(self) -> None:
        while self.room <= 0:
            self._changed.clear()
            await self._changed.wait()


class _Settling:
    """What settling a message does, as the trigger's parameters say."""

    def __init__(
        self,
        watch: _Watch,
        flight: _InFlight,
        *,
        mark_seen: bool,
        move_to: str | None,
        failure_to: str | None,
    ) -> None:
        self.watch = watch
        self.flight = flight
        self.mark_seen = mark_seen
        self.move_to = move_to
        self.failure_to = failure_to

    def of(self, uid: int) -> _MailDelivery:
        return _MailDelivery(self, uid)


class _MailDelivery:
    """Settles one message; it leaves the in-flight set only after the server has the change."""

    __slots__ = ("_settling", "_uid")

    def __init__(self, settling: _Settling, uid: int) -> None:
        self._settling = settling
        self._uid = uid

    async def ack(self) -> None:
        settling = self._settling
        try:
            await settling.watch.settle(self._uid, mark_seen=settling.mark_seen, move_to=settling.move_to)
        finally:
            settling.flight.settle(self._uid)

    async def nack(self, *, requeue: bool) -> None:
        settling = self._settling
        try:
            if not requeue:
                # Marked seen, it is no longer searched; moved, it is no longer in the folder.
                failure_to = settling.failure_to
                await settling.watch.settle(self._uid, mark_seen=failure_to is None, move_to=failure_to)
        finally:
            settling.flight.settle(self._uid)


def _event(items: FetchItems, folder: str, attachment_content: bool, delivery: _MailDelivery) -> TriggerEvent:
    value = message_json(
        items, folder=folder, seen=SEEN in flags_of(items), attachment_content=attachment_content
    )
    described = {name: value.get(name) for name in ("uid", "from", "subject", "messageId")}
    headers = {name: str(field) for name, field in described.items() if field is not None}
    return TriggerEvent(
        Payload.of_json(value),
        headers=headers,
        attributes={"folder": folder, **described},
        delivery=delivery,
    )


def _failure(exc: ConnectorError, doing: str) -> ConnectorError:
    """The error in the trigger's terms: transient stays retryable; anything else (a folder that cannot
    be opened, a refused command, a wrong password) needs a change of settings."""
    if isinstance(exc, RetryableError):
        return RetryableError(f"{doing}: {exc}", retry_after=exc.retry_after)
    return FatalError(f"{doing}: {exc}")
