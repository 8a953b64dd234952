"""State and business rules of the sample hospital back-end, with no HTTP in sight.

Every answer is either a shape (``Appointment``, ``Payment``, ...) or a ``Refusal`` carrying the
business error text of the reference scenario. State lives in memory and is lost on restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from interlace.samples.hospital.data import CATEGORIES, DOCTORS, HOSPITALS
from interlace.samples.hospital.shapes import (
    Appointment,
    AppointmentRequest,
    ChannelingFee,
    Doctor,
    Payment,
    PaymentRequest,
    Refusal,
)

__all__ = ["HospitalService", "discount_for_age"]

_NO_APPOINTMENT_ID = "Error.Could not Find the Requested appointment ID"


def discount_for_age(age: int) -> int:
    """Discount in percent: under 12 -> 15, over 55 -> 20, else 0."""
    if age < 12:
        return 15
    if age > 55:
        return 20
    return 0


def _new_payment_id() -> str:
    return str(uuid.uuid4())


class HospitalService:
    """The back-end's state: appointments from one counter shared by all hospitals, and payments.

    Called by the HTTP handlers, once per request. Methods never await, so on one event loop each
    runs to completion and needs no lock; the service is not safe to share between threads.
    ``today`` is the clock that ages are computed against.
    """

    def __init__(
        self,
        *,
        today: Callable[[], date] = date.today,
        new_payment_id: Callable[[], str] = _new_payment_id,
    ) -> None:
        self._today = today
        self._new_payment_id = new_payment_id
        self._next_number = 1
        self._appointments: dict[int, Appointment] = {}
        self._payments: dict[str, Payment] = {}
        self._payment_by_key: dict[str, str] = {}

    @staticmethod
    def hospital_name(prefix: str) -> str | None:
        """The full name of the hospital at path prefix *prefix*, or None for an unknown prefix."""
        return HOSPITALS.get(prefix)

    def reserve(self, hospital: str, category: str, request: AppointmentRequest) -> Appointment | Refusal:
        """Reserve an appointment with a doctor of *hospital* (full name).

        The doctor must work in that hospital; one working there in *category* is preferred, so that a
        doctor with two categories is booked in the asked one.
        """
        if category not in CATEGORIES:
            return Refusal("Invalid Category")
        doctor = self._doctor_in(hospital, category, request.doctor)
        if doctor is None:
            return Refusal(f"Doctor {request.doctor} is not available in {hospital}")
        appointment = Appointment(
            number=self._next_number,
            doctor=doctor,
            patient=request.patient,
            fee=doctor.fee,
            date=request.appointment_date,
        )
        self._next_number += 1
        self._appointments[appointment.number] = appointment
        return appointment

    def channeling_fee(self, appointment_id: str) -> ChannelingFee | Refusal:
        """The fee of appointment *appointment_id* (as it appeared in the path)."""
        appointment = self._appointment(appointment_id)
        if appointment is None:
            return Refusal(_NO_APPOINTMENT_ID)
        return ChannelingFee(appointment.patient.name, appointment.doctor.name, appointment.fee)

    def find_appointment(self, appointment_id: str) -> Appointment | Refusal:
        """Appointment *appointment_id* (as it appeared in the path)."""
        appointment = self._appointment(appointment_id)
        if appointment is None:
            return Refusal(f"Error.There is no appointment with appointment number {appointment_id}")
        return appointment

    @staticmethod
    def doctors_in(category: str) -> list[Doctor] | Refusal:
        """The doctors of *category* in all hospitals, in table order."""
        doctors = [doctor for doctor in DOCTORS if doctor.category == category]
        if not doctors:
            return Refusal("Could not find any entry for the requested Category")
        return doctors

    def settle(self, request: PaymentRequest, idempotency_key: str | None = None) -> Payment | Refusal:
        """Settle a payment; a repeated *idempotency_key* answers the first payment and settles nothing.

        The actual fee is that of the first doctor with the request's doctor name; the discount comes
        from the patient's age in years (current year minus birth year).
        """
        if idempotency_key is not None and idempotency_key in self._payment_by_key:
            return self._payments[self._payment_by_key[idempotency_key]]
        if request.appointment_number < 0:
            return Refusal(_NO_APPOINTMENT_ID)
        doctor = next((d for d in DOCTORS if d.name == request.doctor_name), None)
        if doctor is None:
            return Refusal(f"Error.Could not Find the Requested doctor {request.doctor_name}")
        discount = discount_for_age(self._today().year - request.patient.birth_year)
        payment = Payment(
            appointment_number=request.appointment_number,
            doctor_name=request.doctor_name,
            patient_name=request.patient.name,
            actual_fee=doctor.fee,
            discount=discount,
            discounted=doctor.fee * (100 - discount) / 100,
            payment_id=self._new_payment_id(),
        )
        self._payments[payment.payment_id] = payment
        if idempotency_key is not None:
            self._payment_by_key[idempotency_key] = payment.payment_id
        return payment

    def find_payment(self, payment_id: str) -> Payment | Refusal:
        """Payment *payment_id*."""
        payment = self._payments.get(payment_id)
        if payment is None:
            return Refusal("Invalid payment id provided")
        return payment

    @property
    def payment_count(self) -> int:
        """How many payments were settled (replays of an idempotency key do not count)."""
        return len(self._payments)

    def _appointment(self, appointment_id: str) -> Appointment | None:
        # Only plain digits: int() would also take " 1", "+1" and "1_0".
        if not (appointment_id.isascii() and appointment_id.isdigit()):
            return None
        return self._appointments.get(int(appointment_id))

    @staticmethod
    def _doctor_in(hospital: str, category: str, name: str) -> Doctor | None:
        working_there = [d for d in DOCTORS if d.name == name and d.hospital == hospital]
        in_category = [d for d in working_there if d.category == category]
        candidates = in_category or working_there
        return candidates[0] if candidates else None
