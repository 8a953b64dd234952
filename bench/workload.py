"""The two benchmark workloads: their request bodies, URL paths and the answer each server must give.

Both the Interlace projects (bench/projects/) and the baseline server implement these; the benchmark
checks one answer of every server against ``expected_answer`` before it measures anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["HOSPITALS", "WORKLOADS", "Workload", "reservation", "routing_body"]

BODY_SIZE = 1024

# The routing case switches on the hospital's full name, like the healthcare example.
HOSPITALS: dict[str, str] = {
    "grand oak community hospital": "grandoaks",
    "clemency medical center": "clemency",
    "pine valley community hospital": "pinevalley",
}


def _padded(document: dict[str, Any]) -> bytes:
    """``document`` as JSON of exactly BODY_SIZE bytes (a ``notes`` string takes up the rest)."""
    document = {**document, "notes": ""}
    short = BODY_SIZE - len(orjson.dumps(document))
    if short < 0:
        raise ValueError(f"the document is already {BODY_SIZE - short} bytes, more than {BODY_SIZE}")
    document["notes"] = "x" * short
    body = orjson.dumps(document)
    assert len(body) == BODY_SIZE
    return body


def passthrough_body() -> bytes:
    return _padded(
        {"id": 42, "kind": "order", "items": [{"sku": f"SKU-{n:04d}", "qty": n} for n in range(8)]}
    )


def routing_body() -> bytes:
    return _padded(
        {
            "name": "John Doe",
            "dob": "1940-03-19",
            "ssn": "234-23-525",
            "address": "California",
            "phone": "8770586755",
            "email": "johndoe@gmail.com",
            "doctor": "thomas collins",
            "hospital": "grand oak community hospital",
            "cardNo": "7844481124110331",
            "appointment_date": "2025-04-02",
        }
    )


def reservation(request: dict[str, Any]) -> dict[str, Any]:
    """The back-end's appointment request built from the flat request (the routing case's template)."""
    return {
        "patient": {
            "name": request["name"],
            "dob": request["dob"],
            "ssn": request["ssn"],
            "address": request["address"],
            "phone": request["phone"],
            "email": request["email"],
        },
        "doctor": request["doctor"],
        "hospital": request["hospital"],
        "appointment_date": request["appointment_date"],
    }


@dataclass(frozen=True, slots=True)
class Workload:
    """One benchmark case: what is POSTed where, and what the echo back-end makes the answer."""

    name: str
    path: str
    body: bytes
    description: str

    def expected_answer(self) -> Any:
        """The JSON the server under test must answer with (the back-end echoes what it receives)."""
        request = orjson.loads(self.body)
        if self.name == "routing":
            return reservation(request)
        return request


WORKLOADS: dict[str, Workload] = {
    "passthrough": Workload(
        "passthrough",
        "/bench/passthrough",
        passthrough_body(),
        "call an endpoint with the 1 KiB JSON body, respond with its answer",
    ),
    "routing": Workload(
        "routing",
        "/bench/routing",
        routing_body(),
        "parse JSON, switch on a field, build a payload from a template, call, respond",
    ),
}
