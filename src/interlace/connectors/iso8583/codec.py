"""Packing and unpacking one ISO 8583 message with a specification, and the wording of what was wrong.

Field values are text: digits and characters for ASCII and BCD fields, hexadecimal for binary ones.
A number given for a fixed-length field is written with leading zeros to the field's length (an amount
of `1000` in the 12-digit field 4 is `000000001000`); bytes given for a binary field are written as
they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import iso8583

from interlace.connectors.iso8583.spec import Spec

__all__ = ["CodecError", "Unpacked", "field_text", "pack", "unpack"]

_NAMES = {
    "t": "the message type (MTI)",
    "p": "the primary bitmap",
    "1": "the secondary bitmap",
    "h": "the header",
}


class CodecError(ValueError):
    """A message that cannot be packed or unpacked; the text names the field and what was wrong."""


@dataclass(frozen=True, slots=True)
class Unpacked:
    """An unpacked message: its type, the numbers of the fields present (the bitmap) and their values."""

    mti: str
    bitmap: tuple[int, ...]
    fields: Mapping[str, str]

    def as_json(self) -> dict[str, Any]:
        """``{mti, bitmap, fields}`` as flows read it."""
        return {"mti": self.mti, "bitmap": list(self.bitmap), "fields": dict(self.fields)}


def _field_name(spec: Spec, key: str) -> str:
    if key in _NAMES:
        return _NAMES[key]
    description = spec.get(key, {}).get("desc", "")
    return f"field {key} ({description})" if description else f"field {key}"


def field_text(spec: Spec, key: str, value: object) -> str:
    """``value`` of field ``key`` as the text pyiso8583 packs; :class:`CodecError` when it cannot be."""
    definition = spec.get(key)
    if definition is None:
        raise CodecError(f"field {key} is not defined by the specification")
    if isinstance(value, bytes | bytearray):
        if definition["data_enc"] != "b":
            raise CodecError(f"{_field_name(spec, key)}: bytes are only for binary fields; give text")
        return bytes(value).hex().upper()
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CodecError(f"{_field_name(spec, key)} must be text or a number (got {type(value).__name__})")
    if isinstance(value, int):
        if value < 0:
            raise CodecError(f"{_field_name(spec, key)} must not be negative (got {value})")
        text = str(value)
        return text.zfill(definition["max_len"]) if definition["len_type"] == 0 else text
    return value


def pack(spec: Spec, mti: str, fields: Mapping[str, object]) -> bytes:
    """The message of type ``mti`` with ``fields`` (field number to value); the bitmaps are computed.
    :class:`CodecError` names the field and what was wrong."""
    document: dict[str, str] = {"t": mti}
    for key, value in fields.items():
        number = str(key).strip()
        if not number.isdigit() or not 2 <= int(number) <= 128:
            raise CodecError(
                f"field {key!r} is not a data field: fields are numbered 2 to 128 (the bitmaps are computed)"
            )
        document[str(int(number))] = field_text(spec, str(int(number)), value)
    try:
        data, _ = iso8583.encode(document, dict(spec))
    except iso8583.EncodeError as exc:
        raise CodecError(f"{_field_name(spec, exc.field)}: {exc.msg}") from exc
    return bytes(data)


def unpack(spec: Spec, data: bytes) -> Unpacked:
    """The message in ``data``; :class:`CodecError` names the field, what was wrong and the byte offset."""
    try:
        document, _ = iso8583.decode(bytes(data), dict(spec))
    except iso8583.DecodeError as exc:
        raise CodecError(f"{_field_name(spec, exc.field)}: {exc.msg} (at byte {exc.pos})") from exc
    fields = {
        key: value
        for key, value in sorted(document.items(), key=lambda item: _order(item[0]))
        if key.isdigit() and key != "1"
    }
    return Unpacked(mti=document["t"], bitmap=tuple(int(key) for key in fields), fields=fields)


def _order(key: str) -> int:
    return int(key) if key.isdigit() else -1
