"""The ``iso8583`` operations: pack fields into a message, unpack a message, send a request and wait
for its response."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from interlace.connectors.iso8583.codec import CodecError, field_text, pack, unpack
from interlace.connectors.iso8583.connection import Iso8583Connection
from interlace.connectors.iso8583.spec import SpecVariant
from interlace.sdk import InvalidInput, OperationResult, Param

__all__ = ["pack_message", "send", "unpack_message"]

_BINARY = "application/octet-stream"

Mti = Annotated[
    str,
    Param("The message type indicator: 4 digits such as `0200` (a financial request).", example="0200"),
    Field(pattern=r"^[0-9]{4}$"),
]
Fields = Annotated[
    dict[str, object],
    Param(
        "Field number (2 to 128) to value: text, a number (written with leading zeros in a fixed field)"
        " or, for a binary field, bytes or hexadecimal text. The bitmaps are computed.",
        example={"2": "${payload.pan}", "3": "000000", "4": "${payload.amount}", "11": "${vars.stan}"},
    ),
]
Variant = Annotated[
    SpecVariant | None,
    Param("The field definitions to use instead of the connection's `spec` (the spec file still applies)."),
]


async def pack_message(
    conn: Iso8583Connection, mti: Mti, fields: Fields, *, spec: Variant = None
) -> OperationResult:
    """Pack a message: the message type, the bitmaps and the fields, as the specification writes them.

    Returns:
        The message's bytes (`application/octet-stream`); the attribute `length`.
    """
    try:
        data = pack(conn.spec(spec), mti, fields)
    except CodecError as exc:
        raise InvalidInput(f"iso8583.pack of a {mti} message on connection {conn.name}: {exc}") from exc
    return OperationResult(data, headers={"content-type": _BINARY}, attributes={"length": len(data)})


async def unpack_message(
    conn: Iso8583Connection,
    message: Annotated[bytes, Param("The packed message, without its frame header.", example="${payload}")],
    *,
    spec: Variant = None,
) -> dict[str, Any]:
    """Unpack a message into its type, bitmap and fields.

    Returns:
        `{mti, bitmap, fields}`: the message type, the numbers of the fields present, and each field's
        value by number (text; hexadecimal for binary fields).
    """
    try:
        return unpack(conn.spec(spec), message).as_json()
    except CodecError as exc:
        raise InvalidInput(f"iso8583.unpack on connection {conn.name}: {exc}") from exc


async def send(
    conn: Iso8583Connection,
    mti: Mti,
    fields: Fields,
    *,
    timeout: Annotated[  # noqa: ASYNC109 -- an operation parameter flows write
        float | None,
        Param("Seconds to wait for the response; the connection's `timeout` if not given."),
        Field(gt=0),
    ] = None,
) -> dict[str, Any]:
    """Send a request to the connection's peer and return its response, matched by the STAN (field
    11), which the request must carry: several requests may be in flight on the connection's one
    socket, each with its own STAN. A request that times out may still have been carried out by the
    peer (send a reversal rather than the request again).

    Returns:
        The unpacked response: `{mti, bitmap, fields}`.
    """
    doing = f"iso8583.send of a {mti} message on connection {conn.name}"
    stan = next((value for key, value in fields.items() if str(key).strip().lstrip("0") == "11"), None)
    if stan is None:
        raise InvalidInput(f"{doing}: field 11 (the STAN) is required to match the response")
    spec = conn.spec()
    try:
        data = pack(spec, mti, fields)
        stan_text = field_text(spec, "11", stan)
    except CodecError as exc:
        raise InvalidInput(f"{doing}: {exc}") from exc
    response = await conn.client().exchange(stan_text, data, timeout or conn.config.timeout)
    return response.as_json()
