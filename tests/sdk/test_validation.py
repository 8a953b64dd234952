"""Load-time checks (validate_static) and run-time conversion (coerce, invoke) of operation values."""

from __future__ import annotations

import pytest

from interlace.sdk import InvalidInput, OperationResult, ParamProblem

from .kv import KvConfig, KvConnection, connector

put = connector.get_operation("put")
incr = connector.get_operation("incr")
login = connector.get_operation("login")


def test_valid_values_have_no_problems() -> None:
    assert put.validate_static({"key": "a", "value": {"x": 1}, "ttl": 30}) == []


def test_an_unknown_parameter_is_reported_with_the_closest_name() -> None:
    assert put.validate_static({"key": "a", "value": 1, "tll": 5}) == [
        ParamProblem("unknown", "tll", "unknown parameter 'tll' for kv.put", "did you mean 'ttl'?")
    ]


def test_an_unknown_parameter_without_a_close_name_lists_the_known_ones() -> None:
    (problem,) = put.validate_static({"key": "a", "value": 1, "zzzzzz": 5})
    assert problem.hint == "known parameters: key, value, ttl"
    assert str(problem) == "unknown parameter 'zzzzzz' for kv.put (known parameters: key, value, ttl)"


def test_a_missing_required_parameter_is_reported() -> None:
    assert put.validate_static({"value": 1}) == [
        ParamProblem("missing", "key", "missing required parameter 'key' for kv.put")
    ]


def test_a_wrong_type_is_reported_with_what_arrived() -> None:
    assert incr.validate_static({"key": "a", "by": "many"}) == [
        ParamProblem(
            "type",
            "by",
            "parameter 'by' of kv.incr: input should be a valid integer, unable to parse string as an integer"
            " (got 'many')",
        )
    ]


def test_a_constraint_violation_is_reported() -> None:
    (problem,) = incr.validate_static({"key": "a", "by": 0})
    assert problem.message == "parameter 'by' of kv.incr: input should be greater than 0 (got 0)"


def test_the_position_inside_a_value_is_named() -> None:
    (problem,) = incr.validate_static({"key": "a", "tags": ["x", 3]})
    assert problem.message == "parameter 'tags'[1] of kv.incr: input should be a valid string (got 3)"


def test_every_problem_is_reported_at_once() -> None:
    kinds = [problem.kind for problem in incr.validate_static({"by": "x", "tagz": []})]
    assert kinds == ["type", "unknown", "missing"]


@pytest.mark.parametrize("value", ["${vars.count}", "${payload.n}0", ["${vars.a}"], {"k": "${vars.b}"}])
def test_values_holding_templates_are_not_type_checked(value: object) -> None:
    assert incr.validate_static({"key": "a", "by": value}) == []


def test_templates_do_not_excuse_unknown_or_missing_parameters() -> None:
    kinds = [problem.kind for problem in incr.validate_static({"bye": "${vars.x}"})]
    assert kinds == ["unknown", "missing"]


def test_the_value_of_a_secret_parameter_is_never_repeated() -> None:
    (problem,) = login.validate_static({"user": "ann", "apiToken": 123456789})
    assert "123456789" not in problem.message
    assert problem.message == "parameter 'apiToken' of kv.login: input should be a valid string"


def test_coerce_converts_values_to_the_parameters_types() -> None:
    assert incr.coerce({"key": "a", "by": "3", "tags": ("x",)}) == {"key": "a", "by": 3, "tags": ["x"]}


def test_coerce_leaves_out_parameters_not_given_so_defaults_apply() -> None:
    assert incr.coerce({"key": "a"}) == {"key": "a"}


def test_coerce_names_the_operation_and_parameter_of_a_bad_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        incr.coerce({"key": "a", "by": "many"})
    assert str(caught.value) == (
        "parameter 'by' of kv.incr: input should be a valid integer, unable to parse string as an integer"
        " (got 'many')"
    )
    assert caught.value.status == 400
    assert caught.value.detail == {"operation": "kv.incr", "parameter": "by"}
    assert caught.value.__cause__ is not None


def test_coerce_rejects_missing_and_unknown_parameters() -> None:
    with pytest.raises(InvalidInput, match=r"^missing required parameter 'key' for kv\.incr$"):
        incr.coerce({})
    with pytest.raises(InvalidInput, match=r"^unknown parameter 'byy' for kv\.incr \(did you mean 'by'\?\)$"):
        incr.coerce({"key": "a", "byy": 1})


def test_coerce_errors_never_repeat_a_secret_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        login.coerce({"user": "ann", "apiToken": ["t0ken-like-secret"]})
    assert "t0ken-like-secret" not in str(caught.value)
    assert "t0ken-like-secret" not in str(caught.value.__cause__)


async def test_invoke_runs_the_operation_with_converted_values() -> None:
    async with KvConnection(KvConfig(namespace="ns"), name="cache") as connection:
        assert await put.invoke(connection, {"key": "a", "value": {"n": 1}}) == 1
        assert await incr.invoke(connection, {"key": "c", "by": "2"}) == 2
        result = await connector.get_operation("getValue").invoke(connection, {"key": "a"})
    assert result == OperationResult({"n": 1}, attributes={"found": True})
    assert connection.data == {"ns:a": {"n": 1}, "ns:c": 2}


async def test_invoke_raises_invalid_input_before_calling_the_operation() -> None:
    async with KvConnection(KvConfig()) as connection:
        with pytest.raises(InvalidInput):
            await incr.invoke(connection, {"key": "c", "by": -1})
    assert connection.data == {}
