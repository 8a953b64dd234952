"""The ``sqs.receive`` trigger: a queue's messages, deleted only after their flow has finished.

Failed messages take SQS's own path: ``nack(requeue=True)`` sets the message's visibility timeout to 0,
so it is received again (its ``ApproximateReceiveCount`` is the attempt the runtime counts);
``nack(requeue=False)`` leaves it invisible until its timeout ends, and a queue with a redrive policy
moves it to its dead-letter queue once it was received ``maxReceiveCount`` times. After its last attempt
a message is sent to ``deadLetterQueueUrl`` with the reason and deleted. At most ``maxInFlight``
messages are with flows: the trigger receives only when fewer are unsettled, so a slow flow leaves
messages in the queue, not in memory.

A received message stays hidden for as long as it is held: while its flow runs and while the runtime
waits out its redelivery backoff, the trigger extends its visibility timeout whenever a third of it has
passed. Otherwise a flow slower than the timeout (or a busy machine) would see the queue deliver the
message a second time while the first delivery is still running, and the receive count, which is the
attempt the runtime counts, would run ahead of the attempts made (a message dead-lettered as "failed 4
of 3 attempts", once per copy). What a stopped or killed trigger held comes back after the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import Field

from interlace.connectors.sqs.connection import SQS_ERRORS, SqsConnection, sqs_failure
from interlace.sdk import (
    DEAD_LETTER_REASON,
    Backlog,
    InFlight,
    Param,
    Payload,
    RetryableError,
    TriggerEvent,
)

__all__ = ["receive"]

_log = logging.getLogger("interlace.connectors.sqs")

CONTENT_TYPE = "content-type"
"""The message attribute that carries a message's content type (``sqs.send`` sets it)."""


async def receive(
    conn: SqsConnection,
    queueUrl: Annotated[
        str,
        Param("The queue's URL.", example="https://sqs.eu-west-1.amazonaws.com/123456789012/orders"),
    ],
    *,
    waitTime: Annotated[
        int, Param("Seconds one receive waits for messages (long polling), 0 to 20."), Field(ge=0, le=20)
    ] = 20,
    maxMessages: Annotated[
        int, Param("Messages one receive takes at most, 1 to 10."), Field(ge=1, le=10)
    ] = 10,
    visibilityTimeout: Annotated[
        int | None,
        Param(
            "Seconds a received message stays hidden from other consumers; extended by as much whenever"
            " a third has passed while the message is with its flow, so a slow flow is not delivered"
            " twice, and what a stopped node held comes back after it. The queue's own setting if not given."
        ),
        Field(ge=0, le=43_200),
    ] = None,
    maxInFlight: Annotated[
        int, Param("Messages in flight at most: received, not yet settled."), Field(gt=0, le=10_000)
    ] = 10,
    deadLetterQueueUrl: Annotated[
        str | None,
        Param(
            "A queue that takes each message whose attempts ran out: its body and attributes, with the"
            " attribute `x-interlace-dead-letter-reason` added; the original is then deleted. If not"
            " given, the queue's redrive policy or the inbound endpoint's dead-letter store takes them.",
            example="https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dead",
        ),
    ] = None,
    contentType: Annotated[
        str | None,
        Param(
            "The payload's content type for messages without a `content-type` attribute;"
            " `text/plain; charset=utf-8` if not given."
        ),
    ] = None,
) -> AsyncIterator[TriggerEvent]:
    """Each message of a queue, as it arrives.

    The payload is the message's body, with the content type of its `content-type` attribute; headers are
    the message's string and number attributes; attributes are `queueUrl`, `messageId`, `receiveCount`
    (how many times it was received), `sentAt` (ISO 8601), `messageGroupId` and `sequenceNumber` (FIFO
    queues). A message is deleted after its flow has finished; a failed one is made visible again at
    once, or, when it is not to be retried, left to return after its visibility timeout so that the
    queue's redrive policy moves it to the dead-letter queue after `maxReceiveCount` receives (without
    a redrive policy it is received again). Messages not deleted when the trigger stops come back after
    their visibility timeout. An event's lag is the queue's `ApproximateNumberOfMessages` (asked at most
    once a second, counted down by the events taken in between).
    """
    doing = f"receiving from queue {queueUrl} on connection {conn.name}"
    flight = InFlight(maxInFlight)
    request: dict[str, Any] = {
        "QueueUrl": queueUrl,
        "WaitTimeSeconds": waitTime,
        "MessageAttributeNames": ["All"],
        "MessageSystemAttributeNames": ["All"],
    }
    if visibilityTimeout is not None:
        request["VisibilityTimeout"] = visibilityTimeout
    backlog = Backlog(_visible_count(conn, queueUrl, doing))
    hidden_for = visibilityTimeout
    if hidden_for is None:
        try:
            hidden_for = await _queue_timeout(conn, queueUrl)
        except SQS_ERRORS as exc:
            raise sqs_failure(exc, doing) from exc
    keeper = _KeepHidden(conn, queueUrl, hidden_for)
    keeping = asyncio.create_task(keeper.run(), name=f"keeping messages of {queueUrl} hidden")
    try:
        while True:
            await flight.wait_for_room()
            try:
                answer = await conn.client.receive_message(
                    **request, MaxNumberOfMessages=min(maxMessages, flight.room)
                )
            except SQS_ERRORS as exc:
                raise sqs_failure(exc, doing) from exc
            for message in answer.get("Messages", []):
                flight.add()
                delivery = _SqsDelivery(conn, flight, keeper, queueUrl, message, deadLetterQueueUrl, doing)
                yield _event(message, queueUrl, contentType, delivery, await backlog.lag())
    finally:
        keeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeping


def _visible_count(conn: SqsConnection, queue: str, doing: str) -> Callable[[], Awaitable[int | None]]:
    """Reads the queue's ``ApproximateNumberOfMessages``: messages visible, waiting to be received."""

    async def read() -> int | None:
        try:
            answer = await conn.client.get_queue_attributes(
                QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
            )
        except SQS_ERRORS as exc:
            raise sqs_failure(exc, f"{doing}, reading its message count") from exc
        count = (answer.get("Attributes") or {}).get("ApproximateNumberOfMessages")
        return None if count is None else int(count)

    return read


async def _queue_timeout(conn: SqsConnection, queue: str) -> int:
    """The queue's own visibility timeout, in seconds."""
    answer = await conn.client.get_queue_attributes(QueueUrl=queue, AttributeNames=["VisibilityTimeout"])
    return int(answer.get("Attributes", {}).get("VisibilityTimeout", 30))


class _KeepHidden:
    """Extends the visibility timeout of the messages held (received, not yet settled) whenever a third
    of it has passed, so that the queue does not deliver them again while they are with their flows."""

    __slots__ = ("_conn", "_held", "_queue", "_seconds")

    def __init__(self, conn: SqsConnection, queue: str, seconds: int) -> None:
        self._conn = conn
        self._queue = queue
        self._seconds = seconds
        self._held: dict[str, str] = {}  # receipt handle: message id

    def hold(self, receipt: str, message_id: str) -> None:
        self._held[receipt] = message_id

    def release(self, receipt: str) -> None:
        self._held.pop(receipt, None)

    async def run(self) -> None:
        if self._seconds <= 0:
            return  # hidden for no time at all: nothing to keep
        while True:
            await asyncio.sleep(self._seconds / 3)
            held = list(self._held)
            for start in range(0, len(held), 10):  # SQS's limit for one batch
                await self._extend(held[start : start + 10])

    async def _extend(self, receipts: list[str]) -> None:
        entries = [
            {"Id": str(n), "ReceiptHandle": receipt, "VisibilityTimeout": self._seconds}
            for n, receipt in enumerate(receipts)
        ]
        try:
            answer = await self._conn.client.change_message_visibility_batch(
                QueueUrl=self._queue, Entries=entries
            )
        except SQS_ERRORS as exc:
            failed = [(receipt, str(exc)) for receipt in receipts]
        else:
            failed = [
                (receipts[int(entry["Id"])], str(entry.get("Message") or entry.get("Code")))
                for entry in answer.get("Failed", [])
            ]
        for receipt, why in failed:
            if receipt in self._held:  # not settled meanwhile
                _log.warning(
                    "queue %s: keeping message %s hidden failed (%s); the queue may deliver it again",
                    self._queue,
                    self._held[receipt],
                    why,
                )


class _SqsDelivery:
    """Settles one message by its receipt handle: deleted when done, made visible again when failed."""

    __slots__ = (
        "_conn",
        "_dead_letters",
        "_doing",
        "_flight",
        "_keeper",
        "_message",
        "_message_id",
        "_queue",
        "_receipt",
    )

    def __init__(
        self,
        conn: SqsConnection,
        flight: InFlight,
        keeper: _KeepHidden,
        queue: str,
        message: Mapping[str, Any],
        dead_letters: str | None,
        doing: str,
    ) -> None:
        self._conn = conn
        self._message = message
        self._dead_letters = dead_letters
        self._flight = flight
        self._keeper = keeper
        self._queue = queue
        self._receipt = str(message["ReceiptHandle"])
        self._message_id = str(message.get("MessageId", "?"))
        self._doing = doing
        keeper.hold(self._receipt, self._message_id)

    async def ack(self) -> None:
        self._keeper.release(self._receipt)
        try:
            await self._conn.client.delete_message(QueueUrl=self._queue, ReceiptHandle=self._receipt)
        except SQS_ERRORS as exc:
            raise self._failure(exc, "deleting") from exc
        finally:
            self._flight.settle()

    async def nack(self, *, requeue: bool) -> None:
        self._keeper.release(self._receipt)
        try:
            if requeue:
                await self._conn.client.change_message_visibility(
                    QueueUrl=self._queue, ReceiptHandle=self._receipt, VisibilityTimeout=0
                )
        except SQS_ERRORS as exc:
            raise self._failure(exc, "making visible again") from exc
        finally:
            self._flight.settle()

    async def dead_letter(self, reason: str) -> bool:
        if self._dead_letters is None:
            return False
        attributes = {
            **(self._message.get("MessageAttributes", {}) or {}),
            DEAD_LETTER_REASON: {"DataType": "String", "StringValue": reason},
        }
        try:
            await self._conn.client.send_message(
                QueueUrl=self._dead_letters,
                MessageBody=str(self._message.get("Body", "")),
                MessageAttributes=attributes,
            )
        except SQS_ERRORS as exc:
            self._keeper.release(self._receipt)
            self._flight.settle()
            raise self._failure(exc, f"sending to {self._dead_letters}") from exc
        await self.ack()
        return True

    def _failure(self, exc: BaseException, what: str) -> RetryableError:
        cause = sqs_failure(exc, f"{self._doing}, {what} message {self._message_id}")
        # However it failed, the message returns after its visibility timeout.
        return RetryableError(f"{cause}; the queue will deliver the message again")


def _event(
    message: Mapping[str, Any],
    queue: str,
    content_type: str | None,
    delivery: _SqsDelivery,
    lag: int | None,
) -> TriggerEvent:
    attributes = message.get("MessageAttributes", {}) or {}
    headers = {
        name: str(value["StringValue"]) for name, value in attributes.items() if "StringValue" in value
    }
    found = next((value for name, value in headers.items() if name.lower() == CONTENT_TYPE), None)
    system = message.get("Attributes", {}) or {}
    sent = system.get("SentTimestamp")
    payload = Payload(
        str(message.get("Body", "")).encode("utf-8"), found or content_type or "text/plain; charset=utf-8"
    )
    facts: dict[str, Any] = {
        "queueUrl": queue,
        "messageId": message.get("MessageId"),
        "receiveCount": int(system.get("ApproximateReceiveCount", 1)),
        "sentAt": datetime.fromtimestamp(int(sent) / 1000, UTC).isoformat() if sent else None,
        "messageGroupId": system.get("MessageGroupId"),
        "sequenceNumber": system.get("SequenceNumber"),
    }
    return TriggerEvent(
        payload,
        headers=headers,
        attributes=facts,
        delivery=delivery,
        attempt=facts["receiveCount"],
        lag=lag,
    )
