"""ISO 8583 specifications: the built-in variants of the 1987 field definitions, and custom field
definitions read from a file (JSON or YAML) and laid over a variant.

A specification here is what pyiso8583 encodes and decodes with: a mapping from field keys (``t`` the
message type, ``p`` the primary bitmap, ``1`` the secondary bitmap, ``2``..``128``) to each field's data
encoding, length type and maximum length. It is built once per connection and shared by every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

import yaml
from iso8583 import specs as library_specs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "SPEC_VARIANTS",
    "FieldDefinition",
    "Spec",
    "SpecFile",
    "SpecVariant",
    "build_spec",
    "read_spec_file",
]

SpecVariant = Literal["iso1987-ascii", "iso1987-binary"]
"""``iso1987-ascii``: every field as ASCII text, the bitmaps as 16 hexadecimal characters;
``iso1987-binary``: the bitmaps (and the PIN, MAC and ICC fields) as binary bytes, the rest ASCII."""

Spec = Mapping[str, Mapping[str, Any]]

SPEC_VARIANTS: Mapping[str, Spec] = MappingProxyType(
    {"iso1987-ascii": library_specs.default_ascii, "iso1987-binary": library_specs.default}
)

# Bytes of the length prefix for each length type, by how the length is written.
_PREFIX_BYTES = {
    "ascii": {"fixed": 0, "llvar": 2, "lllvar": 3},
    "bcd": {"fixed": 0, "llvar": 1, "lllvar": 2},
    "binary": {"fixed": 0, "llvar": 1, "lllvar": 2},
}
_LENGTH_ENCODING = {"ascii": "ascii", "bcd": "bcd", "binary": "b"}


class FieldDefinition(BaseModel):
    """How one data field is written on the wire."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    encoding: Literal["ascii", "bcd", "binary"]
    """`ascii`: text, one byte a character; `bcd`: digits, two a byte (an odd count padded with a
    leading 0); `binary`: bytes, given and returned as hexadecimal text."""

    length: Literal["fixed", "llvar", "lllvar"] = "fixed"
    """`fixed`, or variable with a 2-digit (`llvar`) or 3-digit (`lllvar`) length before the data."""

    max: Annotated[int, Field(gt=0, le=9999)]
    """The length of a fixed field, the longest a variable one: characters (ascii), digits (bcd) or
    bytes (binary)."""

    length_encoding: Annotated[Literal["ascii", "bcd", "binary"], Field(alias="length-encoding")] = "ascii"
    """How a variable field's length is written: ASCII digits, BCD or a binary number."""

    description: str = ""
    """What the field holds (shown in errors)."""

    def library_field(self) -> dict[str, Any]:
        """The field as pyiso8583 describes it."""
        field: dict[str, Any] = {
            "data_enc": "ascii" if self.encoding == "ascii" else "b",
            "len_enc": _LENGTH_ENCODING[self.length_encoding],
            "len_type": _PREFIX_BYTES[self.length_encoding][self.length],
            "max_len": self.max,
            "desc": self.description,
        }
        if self.encoding == "bcd":
            field["len_count"] = "nibbles"
            field["left_pad"] = "0"
        return field


class SpecFile(BaseModel):
    """A custom specification file: field definitions laid over the connection's variant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mti: Literal["ascii", "bcd"] = "ascii"
    """How the message type is written: 4 ASCII digits or 2 bytes of BCD."""

    bitmap: Literal["ascii", "binary"] | None = None
    """How the bitmaps are written (16 hexadecimal characters or 8 bytes); the variant's if not given."""

    fields: dict[Annotated[int, Field(ge=2, le=128)], FieldDefinition] = {}
    """Field number to definition; the variant's definition for a field not listed."""


def build_spec(variant: str, custom: SpecFile | None = None) -> Spec:
    """The specification of ``variant`` with ``custom``'s definitions laid over it."""
    spec: dict[str, Mapping[str, Any]] = dict(SPEC_VARIANTS[variant])
    if custom is None:
        return MappingProxyType(spec)
    if custom.mti == "bcd":
        spec["t"] = {**spec["t"], "data_enc": "b", "max_len": 2}
    if custom.bitmap is not None:
        binary = custom.bitmap == "binary"
        for key in ("p", "1"):
            spec[key] = {**spec[key], "data_enc": "b" if binary else "ascii", "max_len": 8 if binary else 16}
    for number, definition in custom.fields.items():
        spec[str(number)] = definition.library_field()
    return MappingProxyType(spec)


def read_spec_file(path: str) -> SpecFile:
    """The custom specification in the file at ``path``; ``ValueError`` saying what is wrong and where
    (the file, the field number and the key)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"spec-file {path} cannot be read ({exc.strerror or exc})") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        raise ValueError(f"spec-file {where} is not JSON or YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(document, dict):
        raise ValueError(
            f"spec-file {path} must hold a mapping with `fields` (got {type(document).__name__})"
        )
    try:
        return SpecFile.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ValueError(f"spec-file {path}: {problems}") from exc
