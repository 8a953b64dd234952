"""The sample hospital back-end of the reference scenario: four hospitals, their doctors, appointments
and payments, in memory, over HTTP (JSON in and out).

Run it with ``python -m interlace.samples.hospital --port 9090``, or in-process with
``start_hospital_backend``; ``create_app`` gives the bare aiohttp application for tests. The routes and
the choices the scenario leaves open are described in ``interlace.samples.hospital.app``.
"""

from __future__ import annotations

from interlace.samples.hospital.app import create_app
from interlace.samples.hospital.server import HospitalBackend, start_hospital_backend
from interlace.samples.hospital.service import HospitalService, discount_for_age

__all__ = ["HospitalBackend", "HospitalService", "create_app", "discount_for_age", "start_hospital_backend"]
