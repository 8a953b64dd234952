"""The healthcare example end to end: HealthcareAPI in front of the sample hospital back-end."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import aiohttp
import orjson
import pytest

from interlace.runtime import Runtime
from interlace.samples.mailbox import DevMailbox
from interlace.stores import StoredMessage
from tests.examples.conftest import EXAMPLE, MAX_BODY, Backend
from tests.support import deadline, eventually

RESERVE = "/healthcare/categories/{category}/reserve"


def reservation(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLE / "request.json").read_text())
    body.update(changes)
    return body


def expected_discount(dob: str) -> int:
    age = date.today().year - int(dob[:4])
    return 15 if age < 12 else 20 if age > 55 else 0


SUBMITTED = {
    "message": "Payment request successfully submitted. Payment confirmation will be sent via email."
}


@pytest.mark.parametrize(
    ("hospital", "doctor", "fee"),
    [
        ("grand oak community hospital", "thomas collins", 7000.0),
        ("clemency medical center", "anne clement", 12000.0),
        ("pine valley community hospital", "seth mears", 8000.0),
    ],
)
async def test_reserve_answers_at_once_and_the_payment_is_settled_in_the_background(
    healthcare: aiohttp.ClientSession,
    backend: Backend,
    mailbox: DevMailbox,
    hospital: str,
    doctor: str,
    fee: float,
) -> None:
    async with healthcare.post(
        RESERVE.format(category="surgery"), json=reservation(hospital=hospital, doctor=doctor)
    ) as r:
        assert r.status == 200
        assert await r.json() == SUBMITTED
    [payment] = await backend.settled(1)
    discount = expected_discount("1940-03-19")
    assert payment["doctorName"] == doctor
    assert payment["patient"] == "John Doe"
    assert payment["actualFee"] == fee
    assert payment["discount"] == discount
    assert payment["discounted"] == fee * (100 - discount) / 100
    assert payment["status"] == "Settled"
    assert payment["appointmentNo"] == 1
    assert backend.service.payment_count == 1
    async with deadline():
        [mail] = await mailbox.wait_for_messages(1)
    assert mail.to == ("john.doe@example.com",)
    assert mail.subject == "Payment Status"
    assert orjson.loads(mail.text or "") == payment


async def test_appointment_numbers_come_from_one_counter(
    healthcare: aiohttp.ClientSession, backend: Backend
) -> None:
    for hospital, doctor in [
        ("grand oak community hospital", "thomas collins"),
        ("clemency medical center", "anne clement"),
    ]:
        async with healthcare.post(
            RESERVE.format(category="surgery"), json=reservation(hospital=hospital, doctor=doctor)
        ) as r:
            assert await r.json() == SUBMITTED
    assert [payment["appointmentNo"] for payment in await backend.settled(2)] == [1, 2]


async def test_payments_failing_for_a_while_settle_every_reservation_exactly_once_in_order(
    running: tuple[Runtime, aiohttp.ClientSession], backend: Backend, mailbox: DevMailbox
) -> None:
    runtime, healthcare = running
    backend.payments_down = True
    backend.lose_payment_answers = 1  # after recovery, a settlement whose answer never arrives
    for _ in range(4):
        async with healthcare.post(RESERVE.format(category="surgery"), json=reservation()) as r:
            assert r.status == 200
            assert await r.json() == SUBMITTED
    store = runtime.message_store("PaymentRequestMessageStore")
    assert await store.size() == 4
    await eventually(lambda: len(backend.payment_requests) >= 2)  # the first request is tried, and again
    assert backend.service.payment_count == 0
    backend.payments_down = False

    payments = await backend.settled(4)
    assert [payment["appointmentNo"] for payment in payments] == [1, 2, 3, 4]
    assert len({payment["paymentID"] for payment in payments}) == 4
    assert backend.service.payment_count == 4  # the repeated requests settled nothing new
    keys = [headers["Idempotency-Key"] for headers in backend.payment_requests]
    assert len(set(keys)) == 4
    await eventually(lambda: runtime.services.state("processor", "PaymentRequestProcessor").delivered == 4)
    assert await store.size() == 0
    # One e-mail per reservation: the retries before the back-end recovered sent none.
    async with deadline():
        received = await mailbox.wait_for_messages(4)
    mails = [orjson.loads(mail.text or "") for mail in received]
    assert sorted(mails, key=lambda mail: int(mail["appointmentNo"])) == payments


async def test_a_refused_payment_request_ends_in_the_dead_letter_store(
    running: tuple[Runtime, aiohttp.ClientSession], backend: Backend
) -> None:
    runtime, _ = running
    body = {
        "appointmentNumber": -1,
        "doctor": {
            "name": "thomas collins",
            "hospital": "grand oak community hospital",
            "category": "surgery",
            "availability": "9.00 a.m - 11.00 a.m",
            "fee": 7000.0,
        },
        "patient": json.loads((EXAMPLE / "request.json").read_text()) | {"dob": "1940-03-19"},
        "fee": 7000.0,
        "confirmed": "false",
        "card_number": "7844481124110331",
    }
    message = StoredMessage("refused-1", json.dumps(body).encode(), "application/json")
    await runtime.message_store("PaymentRequestMessageStore").put(message)
    dead_letters = runtime.message_store("PaymentDeadLetterStore")
    await eventually(
        lambda: runtime.services.state("processor", "PaymentRequestProcessor").dead_lettered == 1
    )
    [dead] = await dead_letters.browse()
    assert (dead.id, dead.attempts, dead.origin) == ("refused-1", 1, "PaymentRequestMessageStore")
    assert "the back-end refused the payment: Error.Could not Find the Requested appointment ID" in (
        dead.last_error or ""
    )
    assert backend.service.payment_count == 0


async def test_query_doctor_answers_the_doctors_of_the_category(healthcare: aiohttp.ClientSession) -> None:
    async with healthcare.get("/healthcare/querydoctor/cardiology") as r:
        assert r.status == 200
        doctors = await r.json()
    assert [(d["name"], d["hospital"]) for d in doctors] == [
        ("emeline fulton", "pine valley community hospital"),
        ("jared morris", "willow gardens general hospital"),
    ]


async def test_an_unrouted_hospital_is_refused_with_its_name(healthcare: aiohttp.ClientSession) -> None:
    body = reservation(hospital="willow gardens general hospital", doctor="jared morris")
    async with healthcare.post(RESERVE.format(category="cardiology"), json=body) as r:
        assert r.status == 400
        assert await r.json() == {"error": "Invalid hospital - willow gardens general hospital"}


async def test_an_unknown_doctor_is_refused_with_the_back_ends_reason(
    healthcare: aiohttp.ClientSession,
) -> None:
    async with healthcare.post(
        RESERVE.format(category="surgery"), json=reservation(doctor="gregory house")
    ) as r:
        assert r.status == 400
        assert await r.json() == {
            "error": "Doctor gregory house is not available in grand oak community hospital"
        }


async def test_an_unknown_category_is_refused(healthcare: aiohttp.ClientSession) -> None:
    async with healthcare.post(RESERVE.format(category="dentistry"), json=reservation()) as r:
        assert r.status == 400
        assert await r.json() == {"error": "Invalid Category"}


async def test_back_end_down_answers_a_clear_json_error(
    healthcare_without_backend: aiohttp.ClientSession,
) -> None:
    async with healthcare_without_backend.post(RESERVE.format(category="surgery"), json=reservation()) as r:
        assert r.status == 502
        error = await r.json()
    assert error["error"]["code"] == "ENDPOINT_ERROR"
    assert "HospitalReserveEP" in error["error"]["message"]
    assert "Traceback" not in error["error"]["message"]
    assert error["error"]["correlationId"] == r.headers["X-Correlation-ID"]


async def test_malformed_json_answers_400_saying_what_is_wrong(healthcare: aiohttp.ClientSession) -> None:
    headers = {"Content-Type": "application/json"}
    async with healthcare.post(
        RESERVE.format(category="surgery"), data=b'{"hospital": "grand', headers=headers
    ) as r:
        assert r.status == 400
        error = await r.json()
    assert error["error"]["code"] == "BAD_PAYLOAD"
    assert "not valid JSON" in error["error"]["message"]
    assert "line 1, column" in error["error"]["message"]


async def test_an_oversized_body_answers_413(healthcare: aiohttp.ClientSession) -> None:
    body = json.dumps(reservation(address="x" * MAX_BODY)).encode()
    headers = {"Content-Type": "application/json"}
    async with healthcare.post(RESERVE.format(category="surgery"), data=body, headers=headers) as r:
        assert r.status == 413
        error = await r.json()
    assert error["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert str(MAX_BODY) in error["error"]["message"]


async def test_an_oversized_chunked_body_answers_413(healthcare: aiohttp.ClientSession) -> None:
    async def chunks() -> Any:
        for _ in range(4):
            yield b"x" * (MAX_BODY // 2)

    async with healthcare.post(RESERVE.format(category="surgery"), data=chunks()) as r:
        assert r.status == 413


async def test_the_callers_correlation_id_comes_back(healthcare: aiohttp.ClientSession) -> None:
    headers = {"X-Correlation-ID": "order-42"}
    async with healthcare.get("/healthcare/querydoctor/surgery", headers=headers) as r:
        assert r.headers["X-Correlation-ID"] == "order-42"
