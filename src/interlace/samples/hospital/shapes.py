"""The JSON shapes of the sample hospital back-end: doctors, patients, appointments and payments.

Each shape is a frozen dataclass whose ``to_json`` gives a dict with the field order of the reference
scenario. ``read_patient`` and friends turn client JSON into shapes and raise ``PayloadError`` (HTTP 400)
saying which field is wrong and what arrived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from interlace.errors import PayloadError

__all__ = [
    "Appointment",
    "AppointmentRequest",
    "ChannelingFee",
    "Doctor",
    "Patient",
    "Payment",
    "PaymentRequest",
    "Refusal",
    "read_appointment_request",
    "read_patient",
    "read_payment_request",
]

_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_PATIENT_FIELDS: Final = ("name", "dob", "ssn", "address", "phone", "email")


@dataclass(frozen=True, slots=True)
class Refusal:
    """A business error: answered with HTTP 200 and ``{"status": <status>}``."""

    status: str

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status}


@dataclass(frozen=True, slots=True)
class Doctor:
    """A doctor working in one hospital (full name) in one category."""

    name: str
    hospital: str
    category: str
    availability: str
    fee: float

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "hospital": self.hospital,
            "category": self.category,
            "availability": self.availability,
            "fee": self.fee,
        }


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient as the client sent it; ``dob`` is ``yyyy-MM-dd``."""

    name: str
    dob: str
    ssn: str
    address: str
    phone: str
    email: str

    @property
    def birth_year(self) -> int:
        return int(self.dob[:4])

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dob": self.dob,
            "ssn": self.ssn,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
        }


@dataclass(frozen=True, slots=True)
class Appointment:
    """A reserved appointment; ``number`` comes from the counter shared by all hospitals."""

    number: int
    doctor: Doctor
    patient: Patient
    fee: float
    date: str

    def to_json(self) -> dict[str, Any]:
        return {
            "appointmentNumber": self.number,
            "doctor": self.doctor.to_json(),
            "patient": self.patient.to_json(),
            "fee": self.fee,
            "confirmed": False,
            "appointmentDate": self.date,
        }


@dataclass(frozen=True, slots=True)
class Payment:
    """A settled payment for an appointment."""

    appointment_number: int
    doctor_name: str
    patient_name: str
    actual_fee: float
    discount: int
    discounted: float
    payment_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "appointmentNo": self.appointment_number,
            "doctorName": self.doctor_name,
            "patient": self.patient_name,
            "actualFee": self.actual_fee,
            "discount": self.discount,
            "discounted": self.discounted,
            "paymentID": self.payment_id,
            "status": "Settled",
        }


@dataclass(frozen=True, slots=True)
class ChannelingFee:
    """The fee answer of an appointment: names lower-cased, the fee as a string such as ``"7000.0"``."""

    patient_name: str
    doctor_name: str
    actual_fee: float

    def to_json(self) -> dict[str, Any]:
        return {
            "patientName": self.patient_name.lower(),
            "doctorName": self.doctor_name.lower(),
            "actualFee": repr(float(self.actual_fee)),
        }


@dataclass(frozen=True, slots=True)
class AppointmentRequest:
    """What a client sends to reserve: the patient, the doctor's name and the appointment date."""

    patient: Patient
    doctor: str
    hospital: str | None
    appointment_date: str


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What a client sends to settle: only these fields are used; ``fee`` and ``card_number`` are not."""

    appointment_number: int
    doctor_name: str
    patient: Patient


def read_appointment_request(value: object) -> AppointmentRequest:
    """An ``AppointmentRequest`` from the request body, or ``PayloadError``."""
    obj = read_object(value, "body")
    hospital = obj.get("hospital")
    return AppointmentRequest(
        patient=read_patient(obj.get("patient"), "body.patient"),
        doctor=read_string(obj, "doctor", "body"),
        hospital=hospital if isinstance(hospital, str) else None,
        appointment_date=read_string(obj, "appointment_date", "body"),
    )


def read_payment_request(value: object) -> PaymentRequest:
    """A ``PaymentRequest`` from the request body, or ``PayloadError``."""
    obj = read_object(value, "body")
    doctor = read_object(obj.get("doctor"), "body.doctor")
    return PaymentRequest(
        appointment_number=read_int(obj, "appointmentNumber", "body"),
        doctor_name=read_string(doctor, "name", "body.doctor"),
        patient=read_patient(obj.get("patient"), "body.patient"),
    )


def read_object(value: object, where: str) -> dict[str, Any]:
    """*value* as a JSON object, or ``PayloadError`` naming *where* it was expected."""
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be a JSON object (got {_describe(value)})")
    return value


def read_string(obj: dict[str, Any], key: str, where: str) -> str:
    """The string at *key* of *obj*, or ``PayloadError`` naming ``where.key``."""
    value = obj.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{where}.{key} must be a string (got {_describe(value)})")
    return value


def read_int(obj: dict[str, Any], key: str, where: str) -> int:
    """The integer at *key* of *obj* (booleans are not integers), or ``PayloadError``."""
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{where}.{key} must be an integer (got {_describe(value)})")
    return value


def read_patient(value: object, where: str) -> Patient:
    """A ``Patient`` from a JSON object with all six string fields and a ``yyyy-MM-dd`` dob."""
    obj = read_object(value, where)
    fields = [read_string(obj, key, where) for key in _PATIENT_FIELDS]
    patient = Patient(*fields)
    if not _is_iso_date(patient.dob):
        raise PayloadError(f"{where}.dob must be a date as yyyy-MM-dd (got {patient.dob!r})")
    return patient


def _is_iso_date(text: str) -> bool:
    if _ISO_DATE.fullmatch(text) is None:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"
