from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest

from interlace.sdk import Connection, Connector, OperationResult, Param, TriggerEvent

from .kv import KvConfig, KvConnection, connector


def _fresh() -> Connector:
    return Connector("fresh", version="0.1.0", connection=KvConnection)


def test_the_spec_comes_from_the_signature_and_the_docstring() -> None:
    spec = connector.get_operation("put")
    assert spec.qualified_name == "kv.put"
    assert spec.description == "Keep *value* under *key*.\n\nOverwrites what the key held."
    assert spec.summary == "Keep *value* under *key*."
    assert [(p.name, p.type_name, p.required, p.default) for p in spec.parameters] == [
        ("key", "string", True, None),
        ("value", "any value", True, None),
        ("ttl", "integer", False, None),
    ]
    assert spec.parameter("key").description == "The key to store under."
    assert spec.parameter("key").example == "orders:1"
    assert (spec.result.type_name, spec.result.description) == (
        "integer",
        "How many keys the store holds now.",
    )


def test_param_metadata_is_stripped_but_constraints_stay_in_the_annotation() -> None:
    assert connector.get_operation("put").parameter("key").annotation is str
    assert "Gt(gt=0)" in str(connector.get_operation("incr").parameter("by").annotation)


def test_descriptions_may_come_from_the_docstrings_args_section() -> None:
    assert connector.get_operation("getValue").parameter("default").description == (
        "What to answer when the key holds nothing."
    )
    assert connector.get_operation("login").parameter("user").description == "Who logs in."


def test_an_operation_can_be_named_apart_from_its_function() -> None:
    assert "getValue" in connector.operations
    assert "get_value" not in connector.operations
    assert connector.get_operation("getValue").result.type_name == "payload with headers and attributes"


def test_the_yaml_key_is_the_python_name_and_secret_params_are_marked() -> None:
    token = connector.get_operation("login").parameter("apiToken")
    assert token.secret
    assert not connector.get_operation("login").parameter("user").secret
    assert connector.get_operation("login").result.type_name == "nothing"


def test_the_decorator_returns_the_function_unchanged() -> None:
    fresh = _fresh()

    async def ping(conn: KvConnection) -> None:
        """Nothing."""

    assert fresh.operation(ping) is ping
    assert fresh.operation(name="pong")(ping) is ping
    assert list(fresh.operations) == ["ping", "pong"]


def test_the_first_parameter_must_be_the_connection() -> None:
    async def wrong(conn: str, key: str) -> None:
        """Wrong."""

    with pytest.raises(
        TypeError,
        match=re.escape(
            "fresh.wrong: the first parameter 'conn' must be annotated with KvConnection (got str)"
        ),
    ):
        _fresh().operation(wrong)


def test_a_base_class_of_the_connection_is_accepted_for_the_first_parameter() -> None:
    async def generic(conn: Connection[KvConfig]) -> None:
        """Works on any connection."""

    with pytest.raises(TypeError, match=re.escape("must be annotated with KvConnection")):
        _fresh().operation(generic)  # Connection[KvConfig] is a generic alias, not a class

    async def base(conn: Connection) -> None:  # type: ignore[type-arg]
        """Works on any connection."""

    _fresh().operation(base)


def test_a_missing_connection_parameter_is_rejected() -> None:
    async def alone() -> None:
        """Alone."""

    with pytest.raises(TypeError, match=re.escape("fresh.alone: the first parameter must be the connection")):
        _fresh().operation(alone)


def test_every_other_parameter_must_be_annotated() -> None:
    async def loose(conn: KvConnection, key) -> None:  # type: ignore[no-untyped-def]
        """Loose."""

    with pytest.raises(TypeError, match=re.escape("fresh.loose: parameter 'key' has no type annotation")):
        _fresh().operation(loose)


def test_the_return_type_must_be_annotated() -> None:
    async def silent(conn: KvConnection):  # type: ignore[no-untyped-def]
        """Silent."""

    with pytest.raises(TypeError, match=r"fresh.silent: annotate what it returns \('-> None' if nothing\)"):
        _fresh().operation(silent)


def test_an_operation_must_be_async() -> None:
    def blocking(conn: KvConnection) -> None:
        """Blocking."""

    with pytest.raises(TypeError, match=re.escape("fresh.blocking: an operation is an 'async def' function")):
        _fresh().operation(blocking)  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ("*args: str", "fresh.f: parameter 'args': *args and **kwargs cannot be described"),
        ("**kw: str", "fresh.f: parameter 'kw': *args and **kwargs cannot be described"),
        ("a: str, /", "fresh.f: parameter 'a': parameters are passed by name; remove the '/'"),
        ("connection: str", "fresh.f: parameter 'connection': the name is reserved"),
        ("init: str", "fresh.f: parameter 'init': the name is reserved"),
        ("_x: str", "fresh.f: parameter '_x': the name is reserved"),
    ],
)
def test_signatures_that_cannot_be_described_are_rejected(parameters: str, message: str) -> None:
    namespace: dict[str, Any] = {"KvConnection": KvConnection}
    exec(f"async def f(conn: KvConnection, {parameters}) -> None: ...", namespace)
    with pytest.raises(TypeError, match=re.escape(message)):
        _fresh().operation(namespace["f"])


def test_annotations_that_cannot_be_resolved_are_reported_clearly() -> None:
    class Local:
        pass

    async def local(conn: KvConnection, value: Local) -> None:
        """Names a class defined in a function."""

    with pytest.raises(TypeError, match=r"fresh\.local: cannot resolve its annotations .*define the types"):
        _fresh().operation(local)


def test_a_type_pydantic_cannot_validate_is_rejected() -> None:
    namespace: dict[str, Any] = {"KvConnection": KvConnection, "Weird": type("Weird", (), {})}
    exec("async def f(conn: KvConnection, w: Weird) -> None: ...", namespace)
    with pytest.raises(
        TypeError, match=re.escape("fresh.f: parameter 'w': its type Weird cannot be validated")
    ):
        _fresh().operation(namespace["f"])


def test_names_are_defined_once_across_operations_and_triggers() -> None:
    fresh = _fresh()

    async def twice(conn: KvConnection) -> None:
        """Once."""

    async def twice_trigger(conn: KvConnection) -> AsyncIterator[TriggerEvent]:
        """Twice."""
        yield TriggerEvent(payload=None)  # type: ignore[arg-type]

    fresh.operation(twice)
    with pytest.raises(TypeError, match=re.escape("fresh.twice is defined twice")):
        fresh.trigger(name="twice")(twice_trigger)


@pytest.mark.parametrize("name", ["send.mail", "1st", "send mail", ""])
def test_operation_names_are_identifiers(name: str) -> None:
    async def op(conn: KvConnection) -> None:
        """Op."""

    with pytest.raises(TypeError, match=re.escape("an operation name is letters, digits and '_'")):
        _fresh().operation(name=name)(op)


@pytest.mark.parametrize("name", ["Gmail", "g.mail", "", "1x"])
def test_connector_names_are_lowercase_identifiers(name: str) -> None:
    with pytest.raises(TypeError, match=re.escape("a connector name is lowercase")):
        Connector(name, version="1", connection=KvConnection)


def test_the_connection_class_must_name_its_settings() -> None:
    class Bare(Connection):  # type: ignore[type-arg]
        pass

    with pytest.raises(TypeError, match=r"connector x: Bare must name its settings class"):
        Connector("x", version="1", connection=Bare)
    with pytest.raises(TypeError, match=re.escape("connection must be a Connection subclass")):
        Connector("x", version="1", connection=KvConfig)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("pool_size must be >= 1")):
        Connector("x", version="1", connection=KvConnection, pool_size=0)


def test_unknown_operations_and_triggers_suggest_the_closest_name() -> None:
    from interlace.sdk import UnknownConnectorError

    with pytest.raises(
        UnknownConnectorError, match=re.escape("connector 'kv' has no operation 'getvalue'")
    ) as caught:
        connector.get_operation("getvalue")
    assert caught.value.hint == "did you mean 'getValue'?"
    with pytest.raises(UnknownConnectorError) as caught:
        connector.get_trigger("zzz")
    assert caught.value.hint == "it has: changes"


def test_operation_results_default_to_no_headers_or_attributes() -> None:
    result = OperationResult({"a": 1})
    assert (result.headers, result.attributes) == ({}, {})


def test_param_takes_its_options_by_keyword() -> None:
    param = Param("Doc.", example=3, secret=True)
    assert (param.description, param.example, param.secret) == ("Doc.", 3, True)
    with pytest.raises(TypeError):
        Param("Doc.", 3)  # type: ignore[call-arg]


def test_the_annotated_form_needs_no_param() -> None:
    async def plain(conn: KvConnection, a: Annotated[int, "other metadata"]) -> None:
        """Plain."""

    fresh = _fresh()
    fresh.operation(plain)
    assert fresh.get_operation("plain").parameter("a").type_name == "integer"
