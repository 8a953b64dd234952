"""The HTTP face of the sample hospital back-end: an aiohttp application over ``HospitalService``.

Routes, answers and business errors follow the reference scenario (docs: scenarios, hospital back-end).
Every handled case answers HTTP 200, business errors as ``{"status": "<text>"}``. Beyond the scenario:

- a body that is not JSON, or lacks a field the route needs, answers 400 ``{"status": "<what is wrong>"}``;
- an unknown path answers 404 and a known path with another method 405 (with ``Allow``), both as
  ``{"status": "<reason>"}``;
- an unknown hospital prefix in ``/{hospital}/categories/...`` answers 404
  ``{"status": "Invalid hospital <prefix>"}``: the URL names no resource of this service, which is a
  client mistake rather than a business case. The body's ``hospital`` field is not consulted; the
  prefix decides the hospital;
- appointment numbers are global, so the fee route finds an appointment whatever prefix it is asked at.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, Final, Protocol

import orjson
from aiohttp import web

from interlace.errors import PayloadError
from interlace.samples.hospital.service import HospitalService
from interlace.samples.hospital.shapes import read_appointment_request, read_payment_request

__all__ = ["SERVICE_KEY", "create_app"]

SERVICE_KEY: Final = web.AppKey("hospital_service", HospitalService)
_JSON: Final = "application/json"

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _Shape(Protocol):
    def to_json(self) -> dict[str, Any]: ...


def create_app(*, today: Callable[[], date] = date.today) -> web.Application:
    """A fresh back-end with empty state; *today* is the clock that patients' ages are computed against."""
    app = web.Application(middlewares=[_json_errors])
    app[SERVICE_KEY] = HospitalService(today=today)
    # Literal routes first: aiohttp tries routes in the order they were added.
    app.router.add_get("/healthcare/appointments/{id}", _find_appointment)
    app.router.add_post("/healthcare/payments", _settle)
    app.router.add_get("/healthcare/payments/payment/{payment_id}", _find_payment)
    app.router.add_get("/healthcare/{category}", _doctors_in)
    app.router.add_post("/{hospital}/categories/{category}/reserve", _reserve)
    app.router.add_get("/{hospital}/categories/appointments/{id}/fee", _channeling_fee)
    return app


async def _reserve(request: web.Request) -> web.Response:
    service = request.app[SERVICE_KEY]
    hospital = _hospital_of(request)
    appointment_request = read_appointment_request(await _read_json(request))
    return _answer(service.reserve(hospital, request.match_info["category"], appointment_request))


async def _channeling_fee(request: web.Request) -> web.Response:
    _hospital_of(request)
    return _answer(request.app[SERVICE_KEY].channeling_fee(request.match_info["id"]))


async def _doctors_in(request: web.Request) -> web.Response:
    doctors = request.app[SERVICE_KEY].doctors_in(request.match_info["category"])
    if isinstance(doctors, list):
        return _json_response([doctor.to_json() for doctor in doctors])
    return _answer(doctors)


async def _find_appointment(request: web.Request) -> web.Response:
    return _answer(request.app[SERVICE_KEY].find_appointment(request.match_info["id"]))


async def _settle(request: web.Request) -> web.Response:
    payment_request = read_payment_request(await _read_json(request))
    key = request.headers.get("Idempotency-Key")
    return _answer(request.app[SERVICE_KEY].settle(payment_request, idempotency_key=key))


async def _find_payment(request: web.Request) -> web.Response:
    return _answer(request.app[SERVICE_KEY].find_payment(request.match_info["payment_id"]))


def _hospital_of(request: web.Request) -> str:
    prefix = request.match_info["hospital"]
    hospital = HospitalService.hospital_name(prefix)
    if hospital is None:
        raise web.HTTPNotFound(
            text=orjson.dumps({"status": f"Invalid hospital {prefix}"}).decode(), content_type=_JSON
        )
    return hospital


async def _read_json(request: web.Request) -> object:
    raw = await request.read()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"the request body must be JSON ({exc})") from exc


def _answer(shape: _Shape) -> web.Response:
    return _json_response(shape.to_json())


def _json_response(value: object, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(value), content_type=_JSON)


@web.middleware
async def _json_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """Answer input errors and router misses as ``{"status": ...}`` JSON instead of aiohttp's text."""
    try:
        return await handler(request)
    except PayloadError as exc:
        return _json_response({"status": exc.message}, status=400)
    except web.HTTPException as exc:
        if exc.content_type == _JSON:
            raise
        response = _json_response({"status": exc.reason}, status=exc.status)
        if "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response
