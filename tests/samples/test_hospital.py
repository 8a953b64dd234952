"""The sample hospital back-end, driven over real HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from interlace.samples.hospital import create_app, start_hospital_backend
from interlace.samples.hospital.app import SERVICE_KEY

ClientFactory = Callable[[web.Application], Awaitable[TestClient[web.Request, web.Application]]]
Client = TestClient[web.Request, web.Application]

TODAY = date(2025, 6, 1)
PATIENT_FIELDS = ["name", "dob", "ssn", "address", "phone", "email"]
DOCTOR_FIELDS = ["name", "hospital", "category", "availability", "fee"]
THOMAS_COLLINS = {
    "name": "thomas collins",
    "hospital": "grand oak community hospital",
    "category": "surgery",
    "availability": "9.00 a.m - 11.00 a.m",
    "fee": 7000.0,
}


def patient(name: str = "John Doe", dob: str = "1940-03-19") -> dict[str, str]:
    return {
        "name": name,
        "dob": dob,
        "ssn": "234-23-525",
        "address": "California",
        "phone": "8770586755",
        "email": "john.doe@example.com",
    }


def reservation(
    doctor: str = "thomas collins", hospital: str = "grand oak community hospital"
) -> dict[str, Any]:
    return {"patient": patient(), "doctor": doctor, "hospital": hospital, "appointment_date": "2025-04-02"}


def payment_request(
    doctor: str = "thomas collins", dob: str = "1940-03-19", number: int = 1
) -> dict[str, Any]:
    return {
        "appointmentNumber": number,
        "doctor": {**THOMAS_COLLINS, "name": doctor},
        "patient": patient(dob=dob),
        "fee": 1.0,
        "confirmed": "false",
        "card_number": "7844481124110331",
    }


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> Client:
    return await aiohttp_client(create_app(today=lambda: TODAY))


async def call(client: Client, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with client.request(method, path, **kwargs) as response:
        return response.status, await response.json()


async def test_reserve_answers_an_appointment_in_the_scenario_shape(client: Client) -> None:
    async with client.post("/grandoaks/categories/surgery/reserve", json=reservation()) as response:
        assert response.status == 200
        raw = await response.read()
        body = await response.json()
    assert list(body) == ["appointmentNumber", "doctor", "patient", "fee", "confirmed", "appointmentDate"]
    assert body == {
        "appointmentNumber": 1,
        "doctor": THOMAS_COLLINS,
        "patient": patient(),
        "fee": 7000.0,
        "confirmed": False,
        "appointmentDate": "2025-04-02",
    }
    assert list(body["doctor"]) == DOCTOR_FIELDS
    assert list(body["patient"]) == PATIENT_FIELDS
    assert b'"fee":7000.0,' in raw


async def test_appointment_numbers_come_from_one_counter_shared_by_all_hospitals(client: Client) -> None:
    bookings = [
        ("grandoaks", "surgery", "thomas collins"),
        ("clemency", "surgery", "anne clement"),
        ("willowgardens", "cardiology", "jared morris"),
        ("pinevalley", "surgery", "seth mears"),
    ]
    numbers = []
    for prefix, category, doctor in bookings:
        _, body = await call(
            client, "POST", f"/{prefix}/categories/{category}/reserve", json=reservation(doctor)
        )
        numbers.append(body["appointmentNumber"])
    assert numbers == [1, 2, 3, 4]


async def test_reserve_refuses_an_unknown_category_without_using_a_number(client: Client) -> None:
    status, body = await call(client, "POST", "/grandoaks/categories/dentistry/reserve", json=reservation())
    assert (status, body) == (200, {"status": "Invalid Category"})
    _, body = await call(client, "POST", "/grandoaks/categories/surgery/reserve", json=reservation())
    assert body["appointmentNumber"] == 1


async def test_reserve_refuses_a_doctor_who_does_not_work_in_the_hospital(client: Client) -> None:
    status, body = await call(client, "POST", "/clemency/categories/surgery/reserve", json=reservation())
    assert status == 200
    assert body == {"status": "Doctor thomas collins is not available in clemency medical center"}


async def test_reserve_books_a_doctor_with_two_categories_in_the_asked_one(client: Client) -> None:
    _, body = await call(client, "POST", "/grandoaks/categories/ent/reserve", json=reservation("abner jones"))
    assert (body["doctor"]["category"], body["fee"]) == ("ent", 6750.0)


async def test_reserve_at_an_unknown_hospital_prefix_is_not_found(client: Client) -> None:
    status, body = await call(client, "POST", "/nowhere/categories/surgery/reserve", json=reservation())
    assert (status, body) == (404, {"status": "Invalid hospital nowhere"})


async def test_reserve_with_malformed_json_is_a_bad_request(client: Client) -> None:
    status, body = await call(
        client,
        "POST",
        "/grandoaks/categories/surgery/reserve",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert status == 400
    assert "must be JSON" in body["status"]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"patient": None}, "body.patient must be a JSON object"),
        ({"doctor": 7}, "body.doctor must be a string"),
        ({"patient": {**patient(), "dob": "19-03-1940"}}, "body.patient.dob must be a date"),
        ({"patient": {k: v for k, v in patient().items() if k != "email"}}, "body.patient.email must be"),
    ],
)
async def test_reserve_with_a_wrong_field_is_a_bad_request_naming_it(
    client: Client, change: dict[str, Any], complaint: str
) -> None:
    status, body = await call(
        client, "POST", "/grandoaks/categories/surgery/reserve", json={**reservation(), **change}
    )
    assert status == 400
    assert body["status"].startswith(complaint)


async def test_fee_answers_lower_cased_names_and_the_fee_as_a_string(client: Client) -> None:
    await call(client, "POST", "/grandoaks/categories/surgery/reserve", json=reservation())
    async with client.get("/grandoaks/categories/appointments/1/fee") as response:
        assert response.status == 200
        body = await response.json()
    assert body == {"patientName": "john doe", "doctorName": "thomas collins", "actualFee": "7000.0"}
    assert list(body) == ["patientName", "doctorName", "actualFee"]


@pytest.mark.parametrize("appointment_id", ["2", "99", "abc", "-1", "+1"])
async def test_fee_of_an_unknown_appointment_is_refused(client: Client, appointment_id: str) -> None:
    await call(client, "POST", "/grandoaks/categories/surgery/reserve", json=reservation())
    status, body = await call(client, "GET", f"/grandoaks/categories/appointments/{appointment_id}/fee")
    assert (status, body) == (200, {"status": "Error.Could not Find the Requested appointment ID"})


async def test_fee_at_an_unknown_hospital_prefix_is_not_found(client: Client) -> None:
    status, body = await call(client, "GET", "/nowhere/categories/appointments/1/fee")
    assert (status, body) == (404, {"status": "Invalid hospital nowhere"})


async def test_doctors_of_a_category_come_from_all_hospitals(client: Client) -> None:
    status, body = await call(client, "GET", "/healthcare/surgery")
    assert status == 200
    assert [(d["name"], d["hospital"]) for d in body] == [
        ("thomas collins", "grand oak community hospital"),
        ("anne clement", "clemency medical center"),
        ("seth mears", "pine valley community hospital"),
    ]
    assert body[0] == THOMAS_COLLINS
    assert all(list(d) == DOCTOR_FIELDS for d in body)


async def test_doctors_of_an_unknown_category_are_refused(client: Client) -> None:
    status, body = await call(client, "GET", "/healthcare/dentistry")
    assert (status, body) == (200, {"status": "Could not find any entry for the requested Category"})


async def test_an_appointment_can_be_read_back(client: Client) -> None:
    _, booked = await call(client, "POST", "/grandoaks/categories/surgery/reserve", json=reservation())
    status, body = await call(client, "GET", "/healthcare/appointments/1")
    assert (status, body) == (200, booked)


async def test_reading_an_unknown_appointment_names_its_number(client: Client) -> None:
    status, body = await call(client, "GET", "/healthcare/appointments/42")
    assert (status, body) == (200, {"status": "Error.There is no appointment with appointment number 42"})


async def test_payment_is_settled_in_the_scenario_shape(client: Client) -> None:
    status, body = await call(client, "POST", "/healthcare/payments", json=payment_request())
    assert status == 200
    assert list(body) == [
        "appointmentNo",
        "doctorName",
        "patient",
        "actualFee",
        "discount",
        "discounted",
        "paymentID",
        "status",
    ]
    payment_id = body.pop("paymentID")
    assert len(payment_id) == 36
    assert body == {
        "appointmentNo": 1,
        "doctorName": "thomas collins",
        "patient": "John Doe",
        "actualFee": 7000.0,
        "discount": 20,
        "discounted": 5600.0,
        "status": "Settled",
    }


@pytest.mark.parametrize(
    ("dob", "discount", "discounted"),
    [
        ("2014-12-31", 15, 5950.0),  # 11 years by birth year
        ("2013-01-01", 0, 7000.0),  # 12
        ("1970-01-01", 0, 7000.0),  # 55
        ("1969-12-31", 20, 5600.0),  # 56
    ],
)
async def test_discount_follows_the_age_from_the_birth_year(
    client: Client, dob: str, discount: int, discounted: float
) -> None:
    _, body = await call(client, "POST", "/healthcare/payments", json=payment_request(dob=dob))
    assert (body["discount"], body["discounted"]) == (discount, discounted)


async def test_discount_uses_the_injected_clock(aiohttp_client: ClientFactory) -> None:
    later = await aiohttp_client(create_app(today=lambda: date(2030, 1, 1)))
    _, body = await call(later, "POST", "/healthcare/payments", json=payment_request(dob="1970-05-05"))
    assert body["discount"] == 20


async def test_actual_fee_is_that_of_the_first_doctor_with_the_name(client: Client) -> None:
    _, body = await call(
        client, "POST", "/healthcare/payments", json=payment_request("abner jones", "1990-01-01")
    )
    assert (body["actualFee"], body["discounted"]) == (11000.0, 11000.0)


async def test_payment_for_a_negative_appointment_number_is_refused(client: Client) -> None:
    status, body = await call(client, "POST", "/healthcare/payments", json=payment_request(number=-1))
    assert (status, body) == (200, {"status": "Error.Could not Find the Requested appointment ID"})


async def test_payment_for_an_unknown_doctor_is_refused(client: Client) -> None:
    status, body = await call(client, "POST", "/healthcare/payments", json=payment_request("dr nobody"))
    assert (status, body) == (200, {"status": "Error.Could not Find the Requested doctor dr nobody"})


async def test_payment_with_malformed_json_is_a_bad_request(client: Client) -> None:
    status, body = await call(client, "POST", "/healthcare/payments", data=b"[1,")
    assert status == 400
    assert "must be JSON" in body["status"]


async def test_payment_without_an_appointment_number_is_a_bad_request(client: Client) -> None:
    request = {k: v for k, v in payment_request().items() if k != "appointmentNumber"}
    status, body = await call(client, "POST", "/healthcare/payments", json=request)
    assert status == 400
    assert body["status"] == "body.appointmentNumber must be an integer (got nothing)"


async def test_a_repeated_idempotency_key_replays_the_first_payment_and_settles_nothing(
    client: Client,
) -> None:
    service = client.app[SERVICE_KEY] if client.app is not None else None
    assert service is not None
    headers = {"Idempotency-Key": "order-7"}
    _, first = await call(client, "POST", "/healthcare/payments", json=payment_request(), headers=headers)
    _, again = await call(
        client, "POST", "/healthcare/payments", json=payment_request(number=5), headers=headers
    )
    assert again == first
    assert service.payment_count == 1
    _, other = await call(
        client, "POST", "/healthcare/payments", json=payment_request(), headers={"Idempotency-Key": "order-8"}
    )
    assert other["paymentID"] != first["paymentID"]
    assert service.payment_count == 2


async def test_payments_without_an_idempotency_key_are_each_settled(client: Client) -> None:
    _, first = await call(client, "POST", "/healthcare/payments", json=payment_request())
    _, second = await call(client, "POST", "/healthcare/payments", json=payment_request())
    assert first["paymentID"] != second["paymentID"]


async def test_a_payment_can_be_read_back_by_its_id(client: Client) -> None:
    _, paid = await call(client, "POST", "/healthcare/payments", json=payment_request())
    status, body = await call(client, "GET", f"/healthcare/payments/payment/{paid['paymentID']}")
    assert (status, body) == (200, paid)


async def test_reading_an_unknown_payment_is_refused(client: Client) -> None:
    status, body = await call(client, "GET", "/healthcare/payments/payment/not-a-payment")
    assert (status, body) == (200, {"status": "Invalid payment id provided"})


async def test_an_unknown_route_is_not_found_as_json(client: Client) -> None:
    status, body = await call(client, "GET", "/no/such/route/at/all")
    assert (status, body) == (404, {"status": "Not Found"})


async def test_a_known_route_with_another_method_is_refused_with_allow(client: Client) -> None:
    async with client.delete("/healthcare/payments") as response:
        assert response.status == 405
        assert "POST" in response.headers["Allow"]
        assert await response.json() == {"status": "Method Not Allowed"}


async def test_started_backend_serves_on_a_real_port_until_closed() -> None:
    backend = await start_hospital_backend("127.0.0.1", 0, today=lambda: TODAY)
    async with backend, aiohttp.ClientSession() as session:
        assert backend.port != 0
        assert backend.url == f"http://127.0.0.1:{backend.port}"
        async with session.get(f"{backend.url}/healthcare/ent") as response:
            names = [d["name"] for d in await response.json()]
        assert names == ["henry parker", "abner jones"]
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"{backend.url}/healthcare/ent")
