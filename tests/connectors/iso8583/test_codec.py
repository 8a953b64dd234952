"""iso8583.pack and iso8583.unpack: the 1987 definitions, custom definitions from a file, and errors that
name the field and what was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from interlace.connectors.iso8583 import Iso8583Config, Iso8583Connection, connector
from interlace.sdk import InvalidInput, OperationResult, render_connector_reference
from interlace.sdk.testing import assert_connector_conforms

PAGE = Path(__file__).parents[3] / "docs" / "connectors" / "iso8583.md"


async def run(conn: Iso8583Connection, operation: str, **values: object) -> object:
    return await connector.get_operation(operation).invoke(conn, values)


def connection(**settings: object) -> Iso8583Connection:
    return Iso8583Connection(Iso8583Config.model_validate(settings), name="acquirer")


def test_the_connector_conforms() -> None:
    assert_connector_conforms(connector)


def test_the_reference_page_is_the_rendering_of_the_connector() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_connector_reference(connector), (
        "docs/connectors/iso8583.md is stale: regenerate it with render_connector_reference(connector)"
    )


async def test_pack_writes_the_type_the_bitmap_and_the_fields_and_unpack_reads_them_back() -> None:
    conn = connection()
    fields = {"2": "4111111111111111", "3": "000000", "4": 1000, "11": "000123", "41": "TERM0001"}

    packed = await run(conn, "pack", mti="0200", fields=fields)

    assert isinstance(packed, OperationResult)
    assert (
        packed.payload
        == b"0200" + b"7020000000800000" + b"164111111111111111000000000000001000000123TERM0001"
    )
    assert packed.headers == {"content-type": "application/octet-stream"}
    assert packed.attributes == {"length": len(packed.payload)}
    assert await run(conn, "unpack", message=packed.payload) == {
        "mti": "0200",
        "bitmap": [2, 3, 4, 11, 41],
        "fields": {
            "2": "4111111111111111",
            "3": "000000",
            "4": "000000001000",
            "11": "000123",
            "41": "TERM0001",
        },
    }


async def test_fields_past_64_get_a_secondary_bitmap() -> None:
    conn = connection()
    packed = await run(conn, "pack", mti="0800", fields={"11": "000001", "70": "301"})

    assert isinstance(packed, OperationResult)
    unpacked = await run(conn, "unpack", message=packed.payload)
    assert unpacked == {"mti": "0800", "bitmap": [11, 70], "fields": {"11": "000001", "70": "301"}}


async def test_the_binary_variant_writes_the_bitmap_as_bytes() -> None:
    conn = connection(spec="iso1987-binary")
    packed = await run(conn, "pack", mti="0200", fields={"11": "000001"})

    assert isinstance(packed, OperationResult)
    assert packed.payload == b"0200" + bytes.fromhex("0020000000000000") + b"000001"
    ascii_packed = await run(conn, "pack", mti="0200", fields={"11": "000001"}, spec="iso1987-ascii")
    assert isinstance(ascii_packed, OperationResult)
    assert ascii_packed.payload == b"0200" + b"0020000000000000" + b"000001"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"3": "12"}, "field 3 (Processing Code): Field data is 2 bytes, expecting 6"),
        (
            {"2": "1" * 20},
            "field 2 (Primary Account Number (PAN)): Field data is 20 bytes, larger than maximum 19",
        ),
        ({"p": "x"}, "field 'p' is not a data field: fields are numbered 2 to 128"),
        ({"129": "x"}, "field '129' is not a data field"),
        ({"4": -5}, "field 4 (Amount, Transaction) must not be negative (got -5)"),
        ({"4": [1]}, "field 4 (Amount, Transaction) must be text or a number (got list)"),
    ],
)
async def test_pack_refuses_a_field_naming_it_and_what_was_wrong(
    fields: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(connection(), "pack", mti="0200", fields=fields)
    assert raised.value.message.startswith("iso8583.pack of a 0200 message on connection acquirer: ")
    assert problem in raised.value.message


async def test_pack_refuses_a_message_type_that_is_not_four_digits() -> None:
    with pytest.raises(InvalidInput, match="mti"):
        await run(connection(), "pack", mti="200", fields={"11": "000001"})


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        (b"02", "the message type (MTI): Field data is 2 bytes, expecting 4 (at byte 0)"),
        (b"0200ZZZZ", "the primary bitmap: Field data is 4 bytes, expecting 16 (at byte 4)"),
        (
            b"0200" + b"0020000000000000" + b"0001",
            "field 11 (System Trace Audit Number): Field data is 4 bytes, expecting 6",
        ),
        (b"0200" + b"0020000000000000" + b"000001extra", "Extra data after last field"),
    ],
)
async def test_unpack_refuses_a_message_naming_the_field_and_the_offset(message: bytes, problem: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await run(connection(), "unpack", message=message)
    assert raised.value.message.startswith("iso8583.unpack on connection acquirer: ")
    assert problem in raised.value.message


SPEC_FILE = """\
mti: bcd
bitmap: binary
fields:
  2: {encoding: bcd, length: llvar, max: 19, length-encoding: bcd, description: PAN}
  4: {encoding: bcd, max: 12}
  48: {encoding: ascii, length: lllvar, max: 999}
  52: {encoding: binary, max: 8}
"""


async def test_a_spec_file_defines_bcd_binary_and_variable_fields(tmp_path: Path) -> None:
    (tmp_path / "acquirer.yaml").write_text(SPEC_FILE, encoding="utf-8")
    config = Iso8583Config.model_validate(
        {"spec-file": "acquirer.yaml"}, context={"project_folder": str(tmp_path)}
    )
    conn = Iso8583Connection(config, name="acquirer")
    fields = {"2": "411111111111111", "4": 1000, "48": "hello", "52": bytes.fromhex("0123456789ABCDEF")}

    packed = await run(conn, "pack", mti="0200", fields=fields)

    assert isinstance(packed, OperationResult)
    bitmap = bytes.fromhex("5000000000011000")
    assert packed.payload == (
        bytes.fromhex("0200")
        + bitmap
        + bytes.fromhex("15 0411111111111111")
        + bytes.fromhex("000000001000")
        + b"005hello"
        + bytes.fromhex("0123456789ABCDEF")
    )
    assert await run(conn, "unpack", message=packed.payload) == {
        "mti": "0200",
        "bitmap": [2, 4, 48, 52],
        "fields": {"2": "411111111111111", "4": "000000001000", "48": "hello", "52": "0123456789ABCDEF"},
    }


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "fields:\n  2: {encoding: ebcdic, max: 19}\n",
            "fields.2.encoding: Input should be 'ascii', 'bcd' or 'binary'",
        ),
        ("fields:\n  2: {encoding: ascii}\n", "fields.2.max: Field required"),
        (
            "fields:\n  200: {encoding: ascii, max: 3}\n",
            "fields.200.[key]: Input should be less than or equal to 128",
        ),
        ("fields: [\n", "is not JSON or YAML"),
        ("- 1\n", "must hold a mapping with `fields` (got list)"),
    ],
)
def test_a_bad_spec_file_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        Iso8583Config.model_validate({"spec-file": "bad.yaml"}, context={"project_folder": str(tmp_path)})
    assert f"spec-file {tmp_path / 'bad.yaml'}" in str(raised.value)
    assert problem in str(raised.value)


def test_a_missing_spec_file_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"spec-file missing\.yaml cannot be read"):
        Iso8583Config.model_validate({"spec-file": "missing.yaml"})
