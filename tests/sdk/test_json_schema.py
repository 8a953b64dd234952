from __future__ import annotations

import json
from typing import Annotated

from jsonschema import Draft202012Validator

from interlace.sdk import Connector, Param, Secret

from .kv import KvConnection, connector


def _validator(schema: dict[str, object], pointer: str) -> Draft202012Validator:
    """A validator of the sub-schema at ``pointer`` that resolves refs against the whole document."""
    document = dict(schema)
    document["$ref"] = pointer
    return Draft202012Validator(document)


def test_the_connector_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(connector.json_schema())


def test_the_connector_schema_validates_operation_mappings_and_connection_settings() -> None:
    schema = connector.json_schema()
    put = _validator(schema, "#/properties/operations/properties/put")
    assert put.is_valid({"key": "a", "value": [1, 2]})
    assert not put.is_valid({"value": 1})
    assert not put.is_valid({"key": "a", "value": 1, "tll": 3})
    settings = _validator(schema, "#/properties/connection")
    assert settings.is_valid({"namespace": "n", "max-keys": 3, "password": "pw"})
    assert not settings.is_valid({"max_keys": 3})


def test_parameters_carry_descriptions_defaults_and_examples() -> None:
    properties = connector.get_operation("put").json_schema()["properties"]
    assert properties["key"] == {
        "type": "string",
        "description": "The key to store under.",
        "examples": ["orders:1"],
    }
    assert properties["ttl"]["default"] is None
    incr = connector.get_operation("incr").json_schema()["properties"]["by"]
    assert incr == {"type": "integer", "exclusiveMinimum": 0, "description": "How much to add.", "default": 1}


def test_an_operation_schema_stands_alone() -> None:
    schema = connector.get_operation("incr").json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["title"] == "kv.incr"
    assert schema["required"] == ["key"]
    assert schema["additionalProperties"] is False
    assert Draft202012Validator(schema).is_valid({"key": "a", "by": 2, "tags": ["t"]})


DEFAULT_KEY = Secret("default-key-value")


def test_secret_parameters_are_write_only_without_default_or_example() -> None:
    fresh = Connector("fresh", version="1", connection=KvConnection)

    async def sign(
        conn: KvConnection,
        *,
        key: Annotated[Secret, Param("Signing key.", example="example-key-value")] = DEFAULT_KEY,
    ) -> None:
        """Sign."""

    fresh.operation(sign)
    text = json.dumps(fresh.json_schema()) + json.dumps(fresh.get_operation("sign").json_schema())
    assert "default-key-value" not in text
    assert "example-key-value" not in text
    assert fresh.get_operation("sign").json_schema()["properties"]["key"]["writeOnly"] is True


def test_a_parameter_schema_is_described() -> None:
    schema = connector.get_operation("login").parameter("apiToken").json_schema()
    assert schema == {"type": "string", "description": "The user's token.", "writeOnly": True}
